#!/usr/bin/env bash
# Start a throwaway MariaDB on 127.0.0.1 in a temporary data directory, for tests and benchmarks.
# Usage: source scripts/mariadb-throwaway.sh [PORT]
#   exports MYEMS_TEST_MYSQL_URL and MARIADB_PID; call `mariadb_stop` when done.
# Fails (return 1) when the server cannot start, so a caller can never skip the MySQL path silently.
set -u

mariadb_start() {
  local port="${1:-33306}"
  if ! command -v mariadbd >/dev/null 2>&1; then
    echo "mariadb-throwaway: installing mariadb-server" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mariadb-server >/dev/null ||
      { echo "mariadb-throwaway: apt-get install mariadb-server failed" >&2; return 1; }
  fi
  MARIADB_DIR="$(mktemp -d /tmp/myems-mariadb.XXXXXX)"
  mariadb-install-db --no-defaults --datadir="$MARIADB_DIR/data" --user=root --skip-test-db \
    >"$MARIADB_DIR/install.log" 2>&1 || { cat "$MARIADB_DIR/install.log" >&2; return 1; }
  mariadbd --no-defaults --datadir="$MARIADB_DIR/data" --socket="$MARIADB_DIR/s.sock" \
    --pid-file="$MARIADB_DIR/m.pid" --port="$port" --bind-address=127.0.0.1 --user=root \
    --skip-name-resolve --innodb-buffer-pool-size=128M --innodb-flush-log-at-trx-commit=2 \
    --max-connections=500 --log-error="$MARIADB_DIR/err.log" &
  MARIADB_PID=$!
  local i
  for i in $(seq 1 100); do
    mariadb-admin --no-defaults --socket="$MARIADB_DIR/s.sock" ping >/dev/null 2>&1 && break
    kill -0 "$MARIADB_PID" 2>/dev/null || { cat "$MARIADB_DIR/err.log" >&2; return 1; }
    sleep 0.1
  done
  mariadb --no-defaults --socket="$MARIADB_DIR/s.sock" -u root <<SQL || return 1
CREATE DATABASE IF NOT EXISTS myems_test CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'myems'@'127.0.0.1' IDENTIFIED BY 'myems-test';
GRANT ALL PRIVILEGES ON \`myems_test%\`.* TO 'myems'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL
  export MARIADB_PID MARIADB_DIR
  export MYEMS_TEST_MYSQL_URL="mysql+mysqlconnector://myems:myems-test@127.0.0.1:${port}/myems_test"
  echo "mariadb-throwaway: ready on 127.0.0.1:${port} (pid $MARIADB_PID)" >&2
}

mariadb_stop() {
  if [ -n "${MARIADB_PID:-}" ]; then
    kill "$MARIADB_PID" 2>/dev/null
    wait "$MARIADB_PID" 2>/dev/null
  fi
  [ -n "${MARIADB_DIR:-}" ] && rm -rf "$MARIADB_DIR"
  return 0
}

mariadb_start "${1:-33306}"
