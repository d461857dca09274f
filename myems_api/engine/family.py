"""A family spec: everything the engine needs to serve one kind of resource, said once.

From a :class:`Family` come its routes, validation and error codes, SQL, JSON shapes, export, import,
clone and bindings. Error codes follow MyEMS: ``API.INVALID_ENERGY_CATEGORY_NAME``,
``API.ENERGY_CATEGORY_NOT_FOUND``, ``API.THERE_IS_RELATION_WITH_ENERGY_ITEMS``, ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from myems_api.engine.fields import Bool, Field, LocalDateTime, Lookup, Ref

CRUD = frozenset({"list", "get", "create", "update", "delete"})
READ_ONLY = frozenset({"list", "get"})

# Access policies, checked before a responder runs (see myems_api.auth).
PUBLIC, READ, ADMIN, ACCOUNT = "public", "read", "admin", "account"
PUSH = "push"  # writes of measured values: admins, and API keys (gateways that push)

Check = Callable[[Mapping[str, Any]], str | None]
# A check that reads the database: (connection, the entity's merged column values, its id or None on create).
DbCheck = Callable[[Connection, Mapping[str, Any], int | None], str | None]
# A binding check: (connection, owner id, target id) -> error code or None.
BindCheck = Callable[[Connection, int, int], str | None]


@dataclass(frozen=True)
class Binding:
    """A many-to-many link served as ``/<owner>/{id}/<name>`` (list, bind) and ``.../<name>/{tid}`` (unbind)."""

    name: str
    target: str
    table: sa.Table
    owner_column: str
    target_column: str
    extra: tuple[Field, ...] = ()
    check: BindCheck | None = None
    unbind_verbs: tuple[str, ...] = ("DELETE",)  # the seed unbinds a combined equipment's command with POST
    # Who may list the bound targets (and so export the owner), when stricter than the owner's read policy:
    # a station's users are people, listed to admins only as ``GET /users`` is.
    read_policy: str | None = None
    # Listed in the owner's export (and so carried by imports): not for instance-local targets such as user
    # accounts, which another instance does not have. Clones copy every binding.
    exported: bool = True

    @property
    def target_key(self) -> str:
        return f"{self.target}_id"


def bound_through(name: str, target: str, link: sa.Table) -> Binding:
    """A binding whose owner column is the link table's other ``<x>_id`` (a part's ``bms_id`` beside
    ``point_id``), as v6.7.0 names the part binding tables."""
    target_column = f"{target}_id"
    owner_column = next(c.name for c in link.c if c.name.endswith("_id") and c.name != target_column)
    return Binding(name, target, link, owner_column, target_column)


def bindings_to(owner_column: str, tables: Mapping[str, sa.Table], **checks: BindCheck) -> tuple[Binding, ...]:
    """One binding per target family, named as the seed names them (``offline_meter`` -> ``offlinemeters``);
    an ``is_output`` column in the binding table becomes the binding's optional boolean field."""
    return tuple(
        Binding(target.replace("_", "") + "s", target, table, owner_column, f"{target}_id",
                extra=(Bool("is_output", required=False, default=False),) if "is_output" in table.c else (),
                check=checks.get(target))
        for target, table in tables.items())


ItemsCheck = Callable[[list[dict[str, Any]], Mapping[str, Any]], str | None]


@dataclass(frozen=True)
class Items:
    """Rows owned by one entity and written with it (a tariff's time-of-use rows): ``<key>: [{...}]``.

    On create and import the list is written in the entity's transaction; on update a given list replaces
    the old rows, an absent one keeps them. ``check`` sees the parsed rows (column values) and the
    entity's column values and answers an error code or None. Where ``applies`` says the rows do not apply
    to the entity (a block tariff has no time-of-use rows), given rows are refused and stored ones cleared.
    """

    key: str
    table: sa.Table
    parent_column: str
    fields: tuple[Field, ...]
    check: ItemsCheck | None = None
    db_check: Callable[[Connection, list[dict[str, Any]], Mapping[str, Any], int | None], str | None] | None = None
    applies: Callable[[Mapping[str, Any]], bool] | None = None  # else rows are refused, old ones cleared
    # Turns references a client may give another way (a uuid, on import) into the row's own fields.
    resolve: Callable[[Connection, dict[str, Any]], dict[str, Any]] | None = None
    # Adds display fields to rendered rows (names and uuids of what they reference), all rows at once.
    enrich: Callable[[Connection, list[dict[str, Any]]], None] | None = None
    # When set (the row's singular name), rows are also served one by one, ids shown:
    # ``GET|POST /<owner>/{id}/<key>``, ``GET|PUT|DELETE /<owner>/{id}/<key>/{iid}``.
    served: str | None = None
    # (column, other key): the column holds the id of one of the same owner's ``other key`` rows (a link's
    # source node). Exports keep the ids; imports and clones map them onto the new rows.
    links_to: tuple[tuple[str, str], ...] = ()
    # How relation codes name these rows: deleting a point a container's battery references answers
    # ``API.THERE_IS_RELATION_WITH_<OWNER>_<relation>`` (default: the key, upper-cased).
    relation: str = ""
    # Bindings of each served row (a container battery's points): ``owner_column`` names the row's id in
    # the binding table; served at ``/<owner>/{id}/<key>/{iid}/<binding>``; deleted with the row.
    bindings: tuple[Binding, ...] = ()

    @property
    def refs(self) -> tuple[Ref, ...]:
        """The rows' references to other families (``Ref`` fields): checked to exist, rendered as
        ``<key>_id`` and ``<key>: {id, name, uuid}``, resolved by uuid on import, and their targets cannot
        be deleted while a row references them."""
        return tuple(f for f in self.fields if isinstance(f, Ref))


@dataclass(frozen=True)
class Guard:
    """A relation the engine cannot see from references and bindings: rows of ``table`` whose ``column``
    holds the entity's ``by`` value (its id, or its uuid where the relation names it so) and whose other
    columns equal ``match`` block its delete with ``code``."""

    table: sa.Table
    column: str
    code: str
    match: tuple[tuple[str, Any], ...] = ()
    by: str = "id"


@dataclass(frozen=True)
class Children:
    """A read-only view ``/<owner>/{id}/<name>``: the ``family`` entities whose ``via`` reference (or plain
    column of that name) holds the owner's id.

    ``owned`` children are parts of their owner (a microgrid's batteries), served at their own family's
    path too: they do not block the owner's delete but are deleted with it, in its transaction (their own
    relations still block), and they travel with it: its export lists them under ``name`` (each as its own
    export), its import creates them and its clone copies them, under the new owner. ``via`` must then be a
    reference to the owner's family.
    """

    name: str
    family: str
    via: str
    create_verbs: tuple[str, ...] = ()  # also create children here, the owner taken from the path
    owned: bool = False  # owned children are also served one by one below their owner, with their bindings
    with_current: bool = False  # answer ``{"current": owner, "children": [...]}``, as v6.7.0's space and menu views


@dataclass(frozen=True)
class Reached:
    """A read-only view ``/<owner>/{id}/<name>``: the ``family`` entities whose ``column`` holds one of the
    targets reached from the owner through the bindings named in ``through``, hop by hop (a station's
    containers, then their data sources: ``family="point", column="data_source_id"`` lists their points)."""

    name: str
    family: str
    column: str
    through: tuple[str, ...]


@dataclass(frozen=True)
class BoundBy:
    """A read-only view ``/<owner>/{id}/<name>``: the ``family`` entities whose binding ``binding`` binds the
    owner (a meter's spaces: the spaces whose ``meters`` binding holds it)."""

    name: str
    family: str
    binding: str


class Caller(Protocol):
    """Who is calling, as far as owned families care (:class:`myems_api.auth.Principal` is one)."""

    @property
    def kind(self) -> str: ...  # "user" or "apikey"

    @property
    def id(self) -> int: ...

    @property
    def is_admin(self) -> bool: ...


@dataclass(frozen=True)
class Filter:
    """A query parameter that narrows ``GET /x``: rows whose ``column`` is ``op`` the parameter's value.

    ``op`` is ``eq``, ``ge`` (at or after) or ``lt`` (before). ``field`` parses the text as it would a body
    value (a local datetime, a choice); a value it refuses answers 400 ``API.INVALID_<code>`` (``code``
    defaults to the parameter's name). ``every`` is a value meaning "no filter" (MyEMS's ``status=all``);
    ``hidden`` values are left out while the parameter is absent (archived notifications).
    """

    param: str
    column: str
    field: Field
    op: str = "eq"
    code: str = ""
    every: str | None = None
    hidden: tuple[Any, ...] = ()


def datetime_range(column: str) -> tuple[Filter, Filter]:
    """MyEMS's ``?startdatetime=&enddatetime=`` (local time) over a UTC datetime column: start included,
    end excluded; either may be left out."""
    return (Filter("startdatetime", column, LocalDateTime("startdatetime"), "ge", "START_DATETIME"),
            Filter("enddatetime", column, LocalDateTime("enddatetime"), "lt", "END_DATETIME"))


@dataclass(frozen=True)
class Family:
    singular: str
    plural: str
    table: sa.Table
    fields: tuple[Field, ...]
    ops: frozenset[str] = CRUD
    portable: bool = False
    bindings: tuple[Binding, ...] = ()
    items: tuple[Items, ...] = ()
    children: tuple[Children, ...] = ()
    checks: tuple[Check, ...] = ()
    db_checks: tuple[DbCheck, ...] = ()
    guards: tuple[Guard, ...] = ()
    delete_checks: tuple[Callable[[Connection, int], str | None], ...] = ()  # relations kept inside documents
    # Wire-shape adapters where the seed nests what the engine keeps flat (a virtual meter's "expression").
    reshape_in: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    reshape_out: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    read_policy: str = READ
    write_policy: str = ADMIN
    path: str = ""
    create_verbs: tuple[str, ...] = ("POST",)
    item_post_imports: bool = False  # the seed imports some families with POST /x/{id}
    collection_clone: bool = False  # ... and clones some with POST /x/clone {"data": {"id": ...}}
    on_create: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    # Adds server-kept columns to an update's values (a re-queued message's attempt count back to 0).
    on_update: Callable[[dict[str, Any]], None] | None = None
    # Keys a PUT may change (a message's status and reply); any other key in the body is ignored. None: all.
    updatable: frozenset[str] | None = None
    filters: tuple[Filter, ...] = ()  # query parameters that narrow GET /x
    # Rows that belong to a user (web messages, notifications): the column holding the user's id. A caller
    # lists only their own rows (an admin may name another user with ``?<owner>=<id>``) and reads, changes
    # or deletes a row only when it is theirs or they are an admin; other rows answer 404, as if absent.
    owner: str = ""
    # Adds display fields to rendered objects (a user's display name beside ``user_id``), all at once.
    enrich: Callable[[Connection, list[dict[str, Any]]], None] | None = None
    # Deleting the entity also deletes its own binding rows, in the same transaction (else they block it).
    delete_bindings: bool = False
    reached: tuple[Reached, ...] = ()
    bound_by: tuple[BoundBy, ...] = ()
    item_post_clones: bool = False  # v6.7.0 clones equipment with POST /x/{id}

    def __post_init__(self) -> None:
        if not self.path:
            object.__setattr__(self, "path", "/" + self.plural.replace("_", ""))

    @property
    def has_uuid(self) -> bool:
        return "uuid" in self.table.c

    @property
    def upper(self) -> str:
        return self.singular.upper()

    def field_code(self, f: Field) -> str:
        if f.code:
            return f"API.INVALID_{f.code}"
        if isinstance(f, Ref):
            return f"API.INVALID_{f.key.upper()}_ID"
        if f.key == "name":
            return f"API.INVALID_{self.upper}_NAME"
        return f"API.INVALID_{f.key.upper()}"

    def duplicate_code(self, f: Field) -> str:
        return f"API.{self.upper}_{f.key.upper()}_IS_ALREADY_IN_USE"

    @property
    def not_found_code(self) -> str:
        return f"API.{self.upper}_NOT_FOUND"

    @property
    def invalid_id_code(self) -> str:
        return f"API.INVALID_{self.upper}_ID"

    @property
    def relation_code(self) -> str:
        return f"API.THERE_IS_RELATION_WITH_{self.plural.upper()}"

    def binding(self, name: str) -> Binding:
        return next(b for b in self.bindings if b.name == name)

    @property
    def refs(self) -> tuple[Ref, ...]:
        return tuple(f for f in self.fields if isinstance(f, Ref))

    @property
    def lookups(self) -> tuple[Lookup, ...]:
        return tuple(f for f in self.fields if isinstance(f, Lookup))

    @property
    def owned_children(self) -> tuple[Children, ...]:
        return tuple(c for c in self.children if c.owned)


@dataclass
class Registry:
    """Every family the app serves, and the relations between them that deletes must respect."""

    families: dict[str, Family] = field(default_factory=dict)

    def __init__(self, families: Iterable[Family] = ()) -> None:
        self.families = {}
        for family in families:
            self.add(family)

    def add(self, family: Family) -> None:
        if family.singular in self.families:
            raise ValueError(f"family {family.singular} registered twice")
        self.families[family.singular] = family

    def __getitem__(self, singular: str) -> Family:
        return self.families[singular]

    def __contains__(self, singular: object) -> bool:
        return singular in self.families

    def __iter__(self) -> Iterator[Family]:
        return iter(self.families.values())

    def validate(self) -> None:
        """Every reference, binding and view names a registered family: fail at start-up, not on a request."""
        for family in self:
            targets = [r.target for r in family.refs] + [b.target for b in family.bindings]
            targets += [c.family for c in family.children] + [lk.family for lk in family.lookups]
            targets += [r.target for items in family.items for r in items.refs]
            targets += [b.target for items in family.items for b in items.bindings]
            targets += [v.family for v in family.reached] + [v.family for v in family.bound_by]
            for target in targets:
                if target not in self.families:
                    raise ValueError(f"{family.singular} refers to unknown family {target}")
            for view in family.owned_children:
                if self.owner_ref(view).target != family.singular:
                    raise ValueError(f"{family.singular} owns {view.family} through a reference to another family")

    def owner_ref(self, view: Children) -> Ref:
        """The reference through which an owned child names its owner."""
        found = next((r for r in self.families[view.family].refs if r.key == view.via), None)
        if found is None:
            raise ValueError(f"{view.family} has no reference {view.via}")
        return found

    def referrers(self, singular: str) -> list[tuple[Family, Ref]]:
        return [(f, r) for f in self for r in f.refs if r.target == singular]

    def lookers(self, singular: str) -> list[tuple[Family, Lookup]]:
        return [(f, lk) for f in self for lk in f.lookups if lk.family == singular]

    def binders(self, singular: str) -> list[tuple[Family, Binding]]:
        return [(f, b) for f in self for b in f.bindings if b.target == singular]

    def row_binders(self, singular: str) -> list[tuple[Family, Items, Binding]]:
        """Bindings of owned rows whose target is ``singular`` (a container battery's points)."""
        return [(f, items, b) for f in self for items in f.items for b in items.bindings if b.target == singular]

    def item_referrers(self, singular: str) -> list[tuple[Family, Items, Ref]]:
        """Owned rows of any family whose ``Ref`` fields point at ``singular`` (a battery's SOC point)."""
        return [(f, items, r) for f in self for items in f.items for r in items.refs if r.target == singular]
