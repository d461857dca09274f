"""From a family's store to its endpoints: thin responders that parse, call the store, and answer.

Routes per family (each only when the spec enables it):

- ``GET /x`` (``?limit=&after=`` keyset pages, and the family's filters), ``POST /x`` -> 201 + ``Location``
- ``GET|PUT|DELETE /x/{id}`` -> 200 / 200 / 204
- ``GET /x/{id}/export``; ``POST /x/import`` (also ``/x/{id}/import`` and PUT, as the seed's examples
  send them; the body is the export itself or ``{"data": export}``); ``POST /x/{id}/clone`` -> 201
- ``GET|POST /x/{id}/<binding>``, ``DELETE /x/{id}/<binding>/{tid}`` -> 200 / 201 / 204
- served owned rows: ``GET|POST /x/{id}/<key>``, ``GET|PUT|DELETE /x/{id}/<key>/{iid}`` (POST updates
  too, as the seed's examples send it)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import falcon

from myems_api.engine.family import Binding, Children
from myems_api.engine.fields import Invalid, parse_id
from myems_api.engine.items import OwnedRows
from myems_api.engine.parts import child_endpoints, row_endpoints
from myems_api.engine.store import MAX_PAGE, FamilyStore
from myems_api.errors import bad_request
from myems_api.http import Endpoint, query_int, read_data, read_json


class FamilyRoutes:
    def __init__(self, store: FamilyStore, max_body: int) -> None:
        self.store = store
        self.family = store.family
        self.max_body = max_body

    def endpoints(self) -> list[Endpoint]:
        f, ops = self.family, self.family.ops
        base, item = Endpoint(f.path), Endpoint(f.path + "/{id}")
        if "list" in ops:
            base.add("GET", f.read_policy, self.on_list)
        if "create" in ops:
            for verb in f.create_verbs:
                base.add(verb, f.write_policy, self.on_create)
        if "get" in ops:
            item.add("GET", f.read_policy, self.on_get)
        if "update" in ops:
            item.add("PUT", f.write_policy, self.on_update)
        if "delete" in ops:
            item.add("DELETE", f.write_policy, self.on_delete)
        found = [base, item]
        if f.portable:  # an export carries every binding's list, so it needs their read policies too
            export_policy = next((b.read_policy for b in f.bindings if b.read_policy and b.exported), f.read_policy)
            found.append(Endpoint(f.path + "/{id}/export").add("GET", export_policy, self.on_export))
            found.append(Endpoint(f.path + "/import").add("POST", f.write_policy, self.on_import)
                         .add("PUT", f.write_policy, self.on_import))
            found.append(Endpoint(f.path + "/{id}/import").add("POST", f.write_policy, self.on_import)
                         .add("PUT", f.write_policy, self.on_import))
            found.append(Endpoint(f.path + "/{id}/clone").add("POST", f.write_policy, self.on_clone))
        found.extend(self._view_endpoints())
        if f.item_post_clones:
            item.add("POST", f.write_policy, self.on_clone)
        if f.portable and f.item_post_imports:
            item.add("POST", f.write_policy, self.on_import)
        if f.portable and f.collection_clone:
            found.append(Endpoint(f.path + "/clone").add("POST", f.write_policy, self.on_collection_clone))
        return [e for e in found if e.policies]

    def _view_endpoints(self) -> list[Endpoint]:
        """Bindings, owned rows and parts, children and the views reached through bindings."""
        f, found = self.family, []
        for binding in f.bindings:
            found.extend(self._binding_endpoints(binding))
        for owned in self.store.owned:
            if owned.spec.served:
                found.extend(self._row_endpoints(owned))
            found.extend(row_endpoints(self.store, owned, self.max_body))
        for view in f.children:
            if view.owned:
                found.extend(child_endpoints(self.store, view, self.max_body))
            children = Endpoint(f"{f.path}/{{id}}/{view.name}").add(
                "GET", f.read_policy, lambda req, resp, id, view=view: self.on_children(req, resp, id, view))
            for verb in view.create_verbs:
                children.add(verb, f.write_policy,
                             lambda req, resp, id, view=view: self.on_child_create(req, resp, id, view))
            found.append(children)
        for reached in f.reached:
            found.append(Endpoint(f"{f.path}/{{id}}/{reached.name}").add(
                "GET", f.read_policy, lambda req, resp, id, v=reached: self._answer(resp, self.store.reached, id, v)))
        for bound_by in f.bound_by:
            found.append(Endpoint(f"{f.path}/{{id}}/{bound_by.name}").add(
                "GET", f.read_policy, lambda req, resp, id, v=bound_by: self._answer(resp, self.store.bound_by, id, v)))
        return found

    def _binding_endpoints(self, binding: Binding) -> list[Endpoint]:
        f = self.family
        links = Endpoint(f"{f.path}/{{id}}/{binding.name}")
        links.add("GET", binding.read_policy or f.read_policy,
                  lambda req, resp, id: self.on_bound(req, resp, id, binding))
        links.add("POST", f.write_policy, lambda req, resp, id: self.on_bind(req, resp, id, binding))
        link = Endpoint(f"{f.path}/{{id}}/{binding.name}/{{tid}}")
        for verb in binding.unbind_verbs:
            link.add(verb, f.write_policy, lambda req, resp, id, tid: self.on_unbind(req, resp, id, tid, binding))
        return [links, link]

    def _row_endpoints(self, owned: OwnedRows) -> list[Endpoint]:
        f, store = self.family, self.store
        rows = Endpoint(f"{f.path}/{{id}}/{owned.key}")
        row = Endpoint(f"{f.path}/{{id}}/{owned.key}/{{iid}}")

        def on_rows(req: falcon.Request, resp: falcon.Response, id: str) -> None:
            resp.media = store.rows(store.parse_id(id), owned)

        def on_row_create(req: falcon.Request, resp: falcon.Response, id: str) -> None:
            entity_id = store.parse_id(id)
            row_id = store.write_row(entity_id, owned, read_data(req, self.max_body))
            resp.status = falcon.HTTP_201
            resp.location = f"{f.path}/{entity_id}/{owned.key}/{row_id}"
            resp.media = store.row(entity_id, owned, row_id)

        def on_row(req: falcon.Request, resp: falcon.Response, id: str, iid: str) -> None:
            resp.media = store.row(store.parse_id(id), owned, store.parse_row_id(owned, iid))

        def on_row_update(req: falcon.Request, resp: falcon.Response, id: str, iid: str) -> None:
            entity_id, row_id = store.parse_id(id), store.parse_row_id(owned, iid)
            store.write_row(entity_id, owned, read_data(req, self.max_body), row_id)
            resp.media = store.row(entity_id, owned, row_id)

        def on_row_delete(req: falcon.Request, resp: falcon.Response, id: str, iid: str) -> None:
            store.delete_row(store.parse_id(id), owned, store.parse_row_id(owned, iid))
            resp.status = falcon.HTTP_204

        rows.add("GET", f.read_policy, on_rows).add("POST", f.write_policy, on_row_create)
        row.add("GET", f.read_policy, on_row).add("PUT", f.write_policy, on_row_update)
        row.add("POST", f.write_policy, on_row_update).add("DELETE", f.write_policy, on_row_delete)
        return [rows, row]

    # ------------------------------------------------------------------ responders
    def _answer(self, resp: falcon.Response, view: Callable[[int, Any], Any], id: str, spec: Any) -> None:
        resp.media = view(self.store.parse_id(id), spec)

    def on_list(self, req: falcon.Request, resp: falcon.Response) -> None:
        limit = query_int(req, "limit", 1, MAX_PAGE)
        after = query_int(req, "after", 0, 2**63 - 1)
        where = self.store.list_where(req.params, req.context.get("principal"))
        resp.media = self.store.find(limit=limit, after=after, where=where)

    def on_get(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        scope = self.store.scope(req.context.get("principal"))
        resp.media = self.store.get(self.store.parse_id(id), scope)

    def _created(self, resp: falcon.Response, new_id: int, extra: dict[str, Any] | None = None) -> None:
        resp.status = falcon.HTTP_201
        resp.location = f"{self.family.path}/{new_id}"
        resp.media = {**self.store.get(new_id), **(extra or {})}

    def on_create(self, req: falcon.Request, resp: falcon.Response) -> None:
        new_id, extra = self.store.create(read_data(req, self.max_body))
        self._created(resp, new_id, extra)

    def on_update(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        entity_id = self.store.parse_id(id)
        scope = self.store.scope(req.context.get("principal"))
        self.store.update(entity_id, read_data(req, self.max_body), scope)
        resp.media = self.store.get(entity_id)

    def on_delete(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        self.store.delete(self.store.parse_id(id), self.store.scope(req.context.get("principal")))
        resp.status = falcon.HTTP_204

    def on_export(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        resp.media = self.store.export(self.store.parse_id(id))

    def on_import(self, req: falcon.Request, resp: falcon.Response, id: str | None = None) -> None:
        body = read_json(req, self.max_body)
        for _ in range(2):  # the seed wraps imports in "data", once or (data sources) twice
            if isinstance(body, dict) and isinstance(body.get("data"), dict) and "name" not in body:
                body = body["data"]
        self._created(resp, self.store.import_(body))

    def on_clone(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        self._created(resp, self.store.clone(self.store.parse_id(id)))

    def on_children(self, req: falcon.Request, resp: falcon.Response, id: str, view: Children) -> None:
        resp.media = self.store.children_view(self.store.parse_id(id), view)

    def on_child_create(self, req: falcon.Request, resp: falcon.Response, id: str, view: Children) -> None:
        child, new_id = self.store.create_child(self.store.parse_id(id), view, read_data(req, self.max_body))
        resp.status = falcon.HTTP_201
        resp.location = f"{child.family.path}/{new_id}"
        resp.media = child.get(new_id)

    def on_collection_clone(self, req: falcon.Request, resp: falcon.Response) -> None:
        data = read_data(req, self.max_body)
        self._created(resp, self.store.clone(self.store.parse_id(data.get("id"))))

    def on_bound(self, req: falcon.Request, resp: falcon.Response, id: str, binding: Binding) -> None:
        resp.media = self.store.bound(self.store.parse_id(id), binding)

    def on_bind(self, req: falcon.Request, resp: falcon.Response, id: str, binding: Binding) -> None:
        entity_id = self.store.parse_id(id)
        data = read_data(req, self.max_body)
        if binding.target_key not in data:  # the body names what it binds (the seed posts a combined
            named = [b for b in self.family.bindings if b.target_key in data]  # equipment to .../equipments)
            binding = named[0] if len(named) == 1 else binding
        target_id = self.store.bind(entity_id, binding, data)
        resp.status = falcon.HTTP_201
        resp.location = f"{self.family.path}/{entity_id}/{binding.name}/{target_id}"

    def on_unbind(self, req: falcon.Request, resp: falcon.Response, id: str, tid: str,
                  binding: Binding) -> None:
        entity_id = self.store.parse_id(id)
        try:
            target_id = parse_id(tid)
        except Invalid as exc:
            raise bad_request(self.store.registry[binding.target].invalid_id_code) from exc
        self.store.unbind(entity_id, binding, target_id)
        resp.status = falcon.HTTP_204
