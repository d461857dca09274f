"""Parts served below their owner, one mechanism for every kind of asset.

A part is an owned child family (a microgrid's battery) or a served owned row (a container's battery, a PV
station's invertor). Either way it is served at ``/<owner>/{id}/<key>/{iid}``, found only below that owner
(another owner's part is 404, as if absent), and its bindings at ``/<owner>/{id}/<key>/{iid}/<binding>``
(``GET`` lists, ``POST`` binds) and ``.../<binding>/{tid}`` (``DELETE`` unbinds): a part's points, as
MyEMS v6.7.0 serves them for every part of microgrids, energy storage containers and PV stations.
"""

from __future__ import annotations

from collections.abc import Callable

import falcon
import sqlalchemy as sa

from myems_api.engine.family import Binding, Children, Family
from myems_api.engine.fields import Invalid, parse_id
from myems_api.engine.items import OwnedRows
from myems_api.engine.store import FamilyStore, Holder
from myems_api.errors import bad_request
from myems_api.http import Endpoint, read_data

# (owner id, part id as text) -> the store that holds the part's bindings, the part's id and its holder
Locate = Callable[[str, str], tuple[FamilyStore, int, Holder]]


def child_endpoints(owner: FamilyStore, view: Children, max_body: int) -> list[Endpoint]:
    """An owned child family's entities one by one below the owner, and their bindings."""
    child = owner.child_store(view)
    column = child.table.c[owner.registry.owner_ref(view).column]
    f, base = owner.family, f"{owner.family.path}/{{id}}/{view.name}"

    def scope(id: str) -> tuple[int, sa.ColumnElement[bool]]:
        owner_id = owner.parse_id(id)
        owner.get(owner_id)  # the owner's 404 before the part's
        return owner_id, column == owner_id

    def on_get(req: falcon.Request, resp: falcon.Response, id: str, iid: str) -> None:
        _, where = scope(id)
        resp.media = child.get(child.parse_id(iid), where)

    def on_update(req: falcon.Request, resp: falcon.Response, id: str, iid: str) -> None:
        owner_id, where = scope(id)
        part_id = child.parse_id(iid)
        data = {**read_data(req, max_body), owner.registry.owner_ref(view).input_key: owner_id}
        child.update(part_id, data, where)
        resp.media = child.get(part_id)

    def on_delete(req: falcon.Request, resp: falcon.Response, id: str, iid: str) -> None:
        _, where = scope(id)
        child.delete(child.parse_id(iid), where)
        resp.status = falcon.HTTP_204

    def locate(id: str, iid: str) -> tuple[FamilyStore, int, Holder]:
        return child, child.parse_id(iid), owner.child_holder(owner.parse_id(id), view)

    item = Endpoint(base + "/{iid}").add("GET", f.read_policy, on_get).add("PUT", f.write_policy, on_update)
    item.add("DELETE", f.write_policy, on_delete)
    return [item, *(e for b in child.family.bindings for e in binding_endpoints(base, b, locate, f, max_body))]


def row_endpoints(owner: FamilyStore, owned: OwnedRows, max_body: int) -> list[Endpoint]:
    """The bindings of an owner's served rows (the rows themselves are served by the family's routes)."""
    served = owned.spec.served or owned.key

    def locate(id: str, iid: str) -> tuple[FamilyStore, int, Holder]:
        owner_id = owner.parse_id(id)
        return owner, owner.parse_row_id(owned, iid), owner.row_holder(
            owner_id, owned.table, owned.spec.parent_column, served)

    base = f"{owner.family.path}/{{id}}/{owned.key}"
    return [e for b in owned.spec.bindings for e in binding_endpoints(base, b, locate, owner.family, max_body)]


def binding_endpoints(base: str, binding: Binding, locate: Locate, owner: Family, max_body: int) -> list[Endpoint]:
    read, write = owner.read_policy, owner.write_policy

    def on_bound(req: falcon.Request, resp: falcon.Response, id: str, iid: str) -> None:
        store, part_id, holder = locate(id, iid)
        resp.media = store.bound(part_id, binding, holder)

    def on_bind(req: falcon.Request, resp: falcon.Response, id: str, iid: str) -> None:
        store, part_id, holder = locate(id, iid)
        target_id = store.bind(part_id, binding, read_data(req, max_body), holder)
        resp.status = falcon.HTTP_201
        resp.location = f"{req.path}/{target_id}"

    def on_unbind(req: falcon.Request, resp: falcon.Response, id: str, iid: str, tid: str) -> None:
        store, part_id, holder = locate(id, iid)
        try:
            target_id = parse_id(tid)
        except Invalid as exc:
            raise bad_request(store.registry[binding.target].invalid_id_code) from exc
        store.unbind(part_id, binding, target_id, holder)
        resp.status = falcon.HTTP_204

    links = Endpoint(f"{base}/{{iid}}/{binding.name}").add("GET", binding.read_policy or read, on_bound)
    links.add("POST", write, on_bind)
    link = Endpoint(f"{base}/{{iid}}/{binding.name}/{{tid}}").add("DELETE", write, on_unbind)
    return [links, link]
