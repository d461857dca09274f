"""Every seed endpoint of the sections built so far is served: the route table is checked against the
seed's own list of (verb, path) pairs (tests/data/seed-endpoints.txt, copied from the spec)."""

from __future__ import annotations

from pathlib import Path

SEED = Path(__file__).resolve().parents[1] / "data" / "seed-endpoints.txt"
BUILT = {
    "energycategories", "energyitems", "costcenters", "contacts", "timezones", "apikeys", "privileges",
    "tariffs", "gateways", "datasources", "protocols", "points", "pointlimits", "meters", "offlinemeters",
    "virtualmeters", "sensors", "commands", "svgs", "menus",
    "tenanttypes", "storetypes", "workingcalendars", "nonworkingdays", "rules", "advancedreports",
    "spaces", "equipments", "combinedequipments", "tenants", "stores", "shopfloors", "distributionsystems",
    "distributioncircuits", "energyflowdiagrams",
}
USER_ROUTES_BUILT = {"/users", "/users/{id}", "/users/login", "/users/logout", "/users/changepassword",
                     "/users/resetpassword", "/users/unlock/{id}"}


def seed_endpoints() -> list[tuple[str, str]]:
    pairs = [tuple(line.split()) for line in SEED.read_text().splitlines() if line.strip()]
    return [(verb, path) for verb, path in pairs
            if path.split("/")[1] in BUILT or path in USER_ROUTES_BUILT]


def test_every_seed_endpoint_of_the_built_sections_is_served(app):
    missing = []
    for verb, path in seed_endpoints():
        found = app._router.find(path.replace("{id}", "1"))
        if found is None or verb not in getattr(found[0], "policies", {}):
            missing.append(f"{verb} {path}")
    assert len(seed_endpoints()) > 130
    assert missing == []
