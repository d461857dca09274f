"""The ``myems`` command: every process of the system starts here, all reading the same configuration."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from myems_api import __version__
from myems_api.config import Config, ConfigError

log = logging.getLogger("myems")


def _config(args: argparse.Namespace, **overrides: Any) -> Config:
    return Config.from_env(env_file=args.config, **overrides)


def cmd_db_init(args: argparse.Namespace) -> int:
    from myems_api.auth import Passwords
    from myems_api.db.engines import Databases
    from myems_api.db.setup import ADMIN_NAME, init_database

    config = _config(args)
    databases = Databases(config.store_urls, config.db_pool_size)
    result = init_database(databases, Passwords(n=config.scrypt_n), config.admin_password, config.utc_offset)
    databases.dispose()
    print(f"schema ready ({len(result.created_tables)} tables created); reference data seeded")
    if result.admin_password:
        print(f"created user {ADMIN_NAME!r} with password: {result.admin_password}")
        print("this password is shown once; change it with PUT /users/changepassword")
    elif result.admin_created:
        print(f"created user {ADMIN_NAME!r} with the password from MYEMS_ADMIN_PASSWORD")
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from myems_api.db.engines import Databases
    from myems_api.db.upgrade import upgrade_schema

    config = _config(args)
    databases = Databases(config.store_urls, config.db_pool_size)
    done = upgrade_schema(databases)
    databases.dispose()
    for statement in done:
        log.info("%s", statement)
    print(f"schema upgraded ({len(done)} changes)" if done else "schema already up to date")
    return 0


def cmd_db_import_myems(args: argparse.Namespace) -> int:
    from myems_api.db.engines import Databases
    from myems_api.importer.main import ImportOptions, run_import
    from myems_api.importer.source import GROUPS, SourceError, database_names

    groups = tuple(args.only.split(",")) if args.only else GROUPS
    try:
        unknown = set(groups) - set(GROUPS)
        if unknown:
            raise SourceError(f"unknown database group: {', '.join(sorted(unknown))} (known: {', '.join(GROUPS)})")
        names = database_names(args.prefix, dict(_pair(text) for text in args.database or []))
        config = _config(args)
        databases = Databases(config.store_urls, config.db_pool_size)
        options = ImportOptions(args.source, names, groups, args.since, args.dry_run, args.restart,
                                args.allow_skips, show_progress=True)
        return run_import(databases, options)
    except SourceError as exc:
        print(f"myems db import-myems: {exc}", file=sys.stderr)
        return 2


def _pair(text: str) -> tuple[str, str]:
    group, _, name = text.partition("=")
    return group, name


def cmd_db_ddl(args: argparse.Namespace) -> int:
    from myems_api.db.ddl import mysql_ddl

    sys.stdout.write(mysql_ddl())
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from myems_api.server import serve

    config = _config(args)
    serve(config, bind=args.bind, workers=args.workers, threads=args.threads)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from myems_api.demo import run_demo

    os.makedirs("var", exist_ok=True)
    overrides = {} if os.environ.get("MYEMS_DB_URL") else {"db_url": "sqlite:///var/demo.sqlite"}
    return run_demo(_config(args, **overrides), bind=args.bind, smoke=args.smoke, history_days=args.history_days)


def cmd_acquisition(args: argparse.Namespace) -> int:
    from acquisition.main import run_acquisition
    from acquisition.sources import Shard

    try:
        shard = Shard.parse(args.shard)
    except ValueError as exc:
        print(f"myems acquisition: {exc}", file=sys.stderr)
        return 2
    return run_acquisition(_config(args), protocols=args.protocol or (), shard=shard, once=args.once,
                           reload_seconds=args.reload_seconds, flush_seconds=args.flush_seconds)


def _date(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {text!r}") from None


def cmd_aggregation(args: argparse.Namespace) -> int:
    from aggregation.main import run_aggregation

    return run_aggregation(_config(args), loop=args.loop, interval=args.interval, since=args.since,
                           until=args.until)


def cmd_rules(args: argparse.Namespace) -> int:
    from aggregation.main import run_rules_command

    return run_rules_command(_config(args), loop=args.loop, interval=args.interval)


def cmd_messages(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from myems_api.db.engines import Databases
    from myems_api.mail import SenderSettings, run_sender

    config = _config(args)
    databases = Databases(config.store_urls, config.db_pool_size)
    settings = SenderSettings(max_attempts=args.max_attempts, retry_delay=timedelta(seconds=args.retry_seconds))
    try:
        return run_sender(databases.system, loop=not args.once, interval=args.interval, settings=settings)
    finally:
        databases.dispose()


def _positive(kind: type[int] | type[float]) -> Callable[[str], int | float]:
    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be above 0: {text!r}")
        return value
    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="myems", description="MyEMS-compatible energy management system.")
    parser.add_argument("--version", action="version", version=f"myems {__version__}")
    parser.add_argument("--config", metavar="FILE", help="settings file (default: config.env if present)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db = sub.add_parser("db", help="create or upgrade the schema, seed reference data, render DDL")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser("init", help="create tables, seed reference data and the administrator (idempotent)",
                      description="Create every table, seed time zones, protocols and menus, and create "
                                  "the 'administrator' user. Safe to run twice. The administrator's password "
                                  "comes from MYEMS_ADMIN_PASSWORD, or is generated and printed once."
                      ).set_defaults(func=cmd_db_init)
    db_sub.add_parser("upgrade", help="add missing tables and columns, widen narrower columns (keeps all data)",
                      description="Bring an existing database to this version's schema: create missing "
                                  "tables, add missing columns and widen DECIMAL and VARCHAR columns that are "
                                  "narrower than declared. Nothing is dropped or narrowed."
                      ).set_defaults(func=cmd_db_upgrade)
    imp = db_sub.add_parser(
        "import-myems", help="bring a MyEMS v6.7.0 installation's data over (read-only on the source)",
        description="Copy MyEMS's configuration, users (with their passwords), trend values, hourly energy, cost "
                    "and carbon, messages and files into the stores `myems db init` created. Configuration tables "
                    "are replaced by the source's; time series are streamed with a checkpoint, so a killed import "
                    "run again goes on where it stopped and a later run only brings what is new. Prints a report "
                    "per table; exits 1 when rows were skipped (unless --allow-skips) or an energy sum differs.")
    imp.add_argument("--source", required=True, metavar="URL",
                     help="the MyEMS MySQL server, without a database: mysql+mysqlconnector://user:pass@host:3306/")
    imp.add_argument("--only", metavar="GROUPS",
                     help="comma-separated: system,user,historical,energy,billing,carbon,fdd,reporting (default all)")
    imp.add_argument("--since", type=_date, metavar="YYYY-MM-DD",
                     help="only time-series rows from this UTC date (configuration is always whole)")
    imp.add_argument("--dry-run", action="store_true", help="read and check everything, write nothing")
    imp.add_argument("--allow-skips", action="store_true", help="exit 0 even when rows were skipped")
    imp.add_argument("--restart", action="store_true", help="ignore the checkpoints: stream every table again")
    imp.add_argument("--prefix", default="myems_", help="database name prefix (default myems_: myems_system_db...)")
    imp.add_argument("--database", action="append", metavar="GROUP=NAME",
                     help="one MyEMS database under another name, e.g. historical=old_historical_db (repeatable)")
    imp.set_defaults(func=cmd_db_import_myems)
    db_sub.add_parser("ddl", help="print the MySQL DDL rendered from the schema",
                      description="Print CREATE TABLE statements for MySQL/MariaDB (what sql/mysql/ holds)."
                      ).set_defaults(func=cmd_db_ddl)

    serve = sub.add_parser("serve", help="run the API under gunicorn",
                           description="Serve the admin REST API with gunicorn (threaded workers, keep-alive).")
    serve.add_argument("--bind", default="127.0.0.1:8000", metavar="HOST:PORT", help="default 127.0.0.1:8000")
    serve.add_argument("--workers", type=int, default=2, metavar="N", help="worker processes (default 2)")
    serve.add_argument("--threads", type=int, default=1, metavar="N",
                       help="threads per worker (default 1: measured fastest; add workers, not threads)")
    serve.set_defaults(func=cmd_serve)

    acq = sub.add_parser("acquisition", help="read every point of the data sources into the historical store",
                         description="Poll Modbus TCP, BACnet/IP and simulated data sources and listen to MQTT "
                                     "ones, writing trend values and latest values. Runs until SIGTERM/Ctrl-C; "
                                     "picks up configuration changes without a restart.")
    acq.add_argument("--protocol", action="append", metavar="CODE",
                     help="only data sources of this protocol (repeatable), e.g. modbus-tcp, mqtt")
    acq.add_argument("--shard", default="0/1", metavar="I/N",
                     help="only data sources whose id modulo N is I (run N processes, I = 0..N-1)")
    acq.add_argument("--once", action="store_true", help="read each polled source once, write, and exit")
    acq.add_argument("--reload-seconds", type=float, default=30.0, metavar="S",
                     help="how often the configuration is re-read (default 30)")
    acq.add_argument("--flush-seconds", type=float, default=1.0, metavar="S",
                     help="how often readings are written; the most a crash can lose (default 1)")
    acq.set_defaults(func=cmd_acquisition)

    agg = sub.add_parser("aggregation", help="turn trend values into hourly energy (once, in a loop, or a backfill)",
                         description="Recompute the hourly energy of every meter with new or late readings, "
                                     "idempotently; one runner at a time holds a lease. With --from, recompute "
                                     "every meter from that date (a backfill, with a progress bar).")
    mode = agg.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="one run, then exit (the default)")
    mode.add_argument("--loop", action="store_true", help="run every --interval seconds until SIGTERM/Ctrl-C")
    agg.add_argument("--interval", type=float, default=60.0, metavar="S", help="seconds between runs (default 60)")
    agg.add_argument("--from", dest="since", type=_date, metavar="YYYY-MM-DD", help="backfill from this UTC date")
    agg.add_argument("--to", dest="until", type=_date, metavar="YYYY-MM-DD",
                     help="with --from: stop at this UTC date (default: the newest readings)")
    agg.set_defaults(func=cmd_aggregation)

    rules = sub.add_parser("rules", help="run the due fault detection rules and advanced reports",
                           description="Evaluate every enabled rule that is due (or asked to run), raise a fault "
                                       "once when its condition holds and deliver it on the rule's channel, clear it "
                                       "when the condition ends; then render and email the advanced reports that "
                                       "are due. myems aggregation --loop runs both too.")
    rules_mode = rules.add_mutually_exclusive_group()
    rules_mode.add_argument("--once", action="store_true", help="one pass, then exit (the default)")
    rules_mode.add_argument("--loop", action="store_true", help="run every --interval seconds until SIGTERM/Ctrl-C")
    rules.add_argument("--interval", type=_positive(float), default=60.0, metavar="S",
                       help="seconds between passes (default 60)")
    rules.set_defaults(func=cmd_rules)

    msg = sub.add_parser("messages", help="deliver queued email messages through the configured email server",
                         description="Send the due email messages (status new, scheduled time passed) through the "
                                     "first email server (/emailservers), marking each sent or failed with the "
                                     "server's answer; temporary failures are retried with a growing delay. Loops "
                                     "until SIGTERM/Ctrl-C unless --once.")
    msg.add_argument("--once", action="store_true", help="one pass, then exit (exit status 1 if a message failed)")
    msg.add_argument("--interval", type=_positive(float), default=30.0, metavar="S",
                     help="seconds between passes in the loop (default 30)")
    msg.add_argument("--max-attempts", type=_positive(int), default=5, metavar="N",
                     help="attempts before a message is marked failed (default 5)")
    msg.add_argument("--retry-seconds", type=_positive(float), default=60.0, metavar="S",
                     help="delay before the first retry, doubling after each failure (default 60)")
    msg.set_defaults(func=cmd_messages)

    demo = sub.add_parser("demo", help="embedded SQLite, a demo site, and the API: the newcomer's command",
                          description="Create var/demo.sqlite with a small demo site, serve the API and print "
                                      "the URL, the admin credentials and three curl lines to try.")
    demo.add_argument("--bind", default="127.0.0.1:8000", metavar="HOST:PORT", help="default 127.0.0.1:8000")
    demo.add_argument("--history-days", type=int, default=35, metavar="N",
                      help="days of simulated readings written before it starts (default 35: this month and the "
                           "last, so reports have a base period)")
    demo.add_argument("--smoke", action="store_true",
                      help="start, run the three printed requests against the server, stop; exit 1 on failure")
    demo.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        level = Config.from_env(env_file=args.config).log_level
    except ConfigError as exc:
        print(f"myems: configuration error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(f"myems: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
