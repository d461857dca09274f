"""Every seed endpoint is served: the route table is checked against the seed's own list of (verb, path)
pairs (tests/data/seed-endpoints.txt, copied from the spec)."""

from __future__ import annotations

from pathlib import Path

SEED = Path(__file__).resolve().parents[1] / "data" / "seed-endpoints.txt"


def seed_endpoints() -> list[tuple[str, str]]:
    return [(verb, path) for verb, path in (line.split() for line in SEED.read_text().splitlines() if line.strip())]


def test_every_seed_endpoint_is_served(app):
    missing = []
    for verb, path in seed_endpoints():
        found = app._router.find(path.replace("{id}", "1"))
        if found is None or verb not in getattr(found[0], "policies", {}):
            missing.append(f"{verb} {path}")
    assert len(seed_endpoints()) == 654
    assert missing == []
