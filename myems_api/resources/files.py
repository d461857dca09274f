"""Uploaded files: cost, data repair, knowledge, offline meter and energy plan files, served by one handler.

Each kind is a :class:`FileKind` (its paths, the types it accepts, an optional check of the content); one
:class:`Files` handler serves every kind the same way:

- ``GET /x``: the files, newest first (no content but knowledge files', as v6.7.0); ``GET /x/{id}``: one, with
  ``file_bytes_base64``;
- ``POST /x``: upload (``multipart/form-data`` with a ``file`` part, or the raw bytes; see
  :mod:`myems_api.uploads`). The size limit is ``MYEMS_MAX_UPLOAD_BYTES`` (413 above it); the type is judged
  from the content (415); the file is kept in the database and in the upload folder as ``<uuid><ext>``,
  never under the client's name. Status starts ``new``; the job that processes a kind sets ``done`` or
  ``error`` (with ``error`` saying why);
- ``DELETE /x/{id}``: the row and the file on disk; ``GET /x/{id}/restore``: writes the stored bytes back
  to the upload folder (after a disk was lost or the folder moved).

Offline meter files are checked whole at upload: the workbook is read (``aggregation.offline``) and any
bad cell refuses the upload with every ``{row, column, code}`` in ``errors``; nothing is stored. The file
names its offline meter by ``offline_meter_id`` or ``offline_meter_uuid`` (a query parameter, or a form
field sent before the file part) or else by
its first sheet's title (the meter's name or uuid). The aggregation run spreads its daily values over the
hours of each local day and marks the file ``done``.

A kind may have jobs: ``apply`` once the file is stored, ``restore`` on ``/restore`` (after writing the
bytes back), ``remove`` on delete. Energy plan files become plan hours at once, again on restore, and lose
them on delete (:mod:`aggregation.plan_files`); data repair files replace trend values at once and restore
undoes them (:mod:`aggregation.repair_files`); cost files replace the rows of the tariffs they name, again on
restore (:mod:`aggregation.cost_files`). The file then says ``done`` (``restored``) or its first bad cell.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

import falcon
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from aggregation.cost_files import apply_cost_file
from aggregation.offline import read_offline_meter_workbook
from aggregation.plan_files import apply_plan_file, remove_plan_file
from aggregation.repair_files import apply_repair_file, undo_repair_file
from myems_api.db import file_tables, schema
from myems_api.db.engines import Databases
from myems_api.engine.family import ADMIN, READ, Family
from myems_api.engine.fields import DATETIME_FORMAT
from myems_api.errors import ApiError, bad_request, not_found
from myems_api.http import Endpoint
from myems_api.uploads import DOCX, EXTENSIONS, GIF, JPEG, PDF, PNG, PPTX, TEXT, XLSX, Upload, read_upload

FAMILIES: tuple[Family, ...] = ()  # files are not a declarative family: one handler serves every kind

log = logging.getLogger("myems.api")

# (connection, the upload, the request) -> extra columns for the file row, or an ApiError
ContentCheck = Callable[[Connection, Upload, falcon.Request], dict[str, Any]]
# (the stores, file id, site zone) -> the error the file row now says, or None
Apply = Callable[[Databases, int, tzinfo], str | None]


@dataclass(frozen=True)
class FileKind:
    kind: str
    paths: tuple[str, ...]  # the first is canonical (Location headers); others are aliases the seed uses
    accepted: frozenset[str]
    check: ContentCheck | None = None
    apply: Apply | None = None
    restore: Apply | None = None
    remove: Callable[[Databases, int], None] | None = None
    listed_with_content: bool = False  # v6.7.0's knowledge file list carries each file (its UI downloads from it)


def offline_meter_file(conn: Connection, upload: Upload, req: falcon.Request) -> dict[str, Any]:
    parsed = read_offline_meter_workbook(upload.data)
    if parsed.errors:
        raise ApiError(400, "API.INVALID_OFFLINE_METER_FILE", detail={"errors": [
            {"row": e.row, "column": e.column, "code": e.code} for e in parsed.errors]})
    given = {**upload.fields, **req.params}
    return {"offline_meter_id": _offline_meter(conn, given, parsed.sheet_title)}


def _offline_meter(conn: Connection, given: dict[str, Any], sheet_title: str) -> int:
    t = schema.offline_meters
    raw_id = given.get("offline_meter_id") or given.get("offlinemeterid")
    raw_uuid = given.get("offline_meter_uuid") or given.get("offlinemeteruuid")
    if raw_id is not None:
        if not isinstance(raw_id, str) or not raw_id.isdecimal() or len(raw_id) > 18:
            raise bad_request("API.INVALID_OFFLINE_METER_ID")
        where = t.c.id == int(raw_id)
    elif raw_uuid is not None:
        where = t.c.uuid == str(raw_uuid).strip()
    else:
        where = sa.or_(t.c.name == sheet_title.strip(), t.c.uuid == sheet_title.strip())
    found = conn.execute(sa.select(t.c.id).where(where)).scalar()
    if found is None:
        raise not_found("API.OFFLINE_METER_NOT_FOUND")
    return int(found)


WORKBOOK = frozenset({XLSX})
KINDS = (
    FileKind("cost", ("/costfiles",), WORKBOOK, apply=apply_cost_file, restore=apply_cost_file),
    FileKind("data_repair", ("/datarepairfiles", "/datareapirfiles"), WORKBOOK, apply=apply_repair_file,
             restore=undo_repair_file),
    FileKind("knowledge", ("/knowledgefiles",), frozenset({XLSX, DOCX, PPTX, PDF, PNG, JPEG, GIF, TEXT}),
             listed_with_content=True),
    FileKind("offline_meter", ("/offlinemeterfiles",), WORKBOOK, offline_meter_file),
    FileKind("energy_plan", ("/energyplanfiles",), WORKBOOK, apply=apply_plan_file, restore=apply_plan_file,
             remove=remove_plan_file),
)


class Files:
    """Every file kind's routes; the database row and the file on disk are written and removed together."""

    def __init__(self, databases: Databases, upload_folder: str | Path, max_bytes: int, tz: tzinfo,
                 kinds: tuple[FileKind, ...] = KINDS) -> None:
        self.databases = databases
        self.system = databases.system
        self.folder = Path(upload_folder)
        self.max_bytes = max_bytes
        self.tz = tz
        self.kinds = kinds

    def endpoints(self) -> list[Endpoint]:
        endpoints: list[Endpoint] = []
        for kind in self.kinds:
            for path in kind.paths:
                collection = Endpoint(path).add("GET", READ, self._list(kind)).add("POST", ADMIN, self._upload(kind))
                collection.max_body = self.max_bytes + 64 * 1024  # the multipart envelope around the file
                endpoints += [
                    collection,
                    Endpoint(path + "/{id}").add("GET", READ, self._get(kind)).add("DELETE", ADMIN, self._delete(kind)),
                    Endpoint(path + "/{id}/restore").add("GET", ADMIN, self._restore(kind)),
                ]
        return endpoints

    # ----------------------------------------------------------------------------------------- responders

    def _list(self, kind: FileKind) -> Callable[..., None]:
        def on_get(req: falcon.Request, resp: falcon.Response) -> None:
            content = kind.listed_with_content
            with self.system.connect() as conn:
                rows = conn.execute(self._select(kind, content).order_by(file_tables.files.c.id.desc())).all()
            resp.media = [self._render(r, content) for r in rows]
        return on_get

    def _get(self, kind: FileKind) -> Callable[..., None]:
        def on_get(req: falcon.Request, resp: falcon.Response, id: str) -> None:
            resp.media = self._render(self._one(kind, id, content=True), content=True)
        return on_get

    def _upload(self, kind: FileKind) -> Callable[..., None]:
        def on_post(req: falcon.Request, resp: falcon.Response) -> None:
            upload = read_upload(req, self.max_bytes, kind.accepted)
            file_uuid = str(uuid.uuid4())
            path = self._path(file_uuid, upload.extension)
            self._write(path, upload.data)
            try:
                with self.system.begin() as conn:
                    extra = kind.check(conn, upload, req) if kind.check else {}
                    new_id = conn.execute(sa.insert(file_tables.files).values(
                        uuid=file_uuid, kind=kind.kind, file_name=upload.file_name, media_type=upload.media_type,
                        size=len(upload.data), sha256=hashlib.sha256(upload.data).hexdigest(),
                        upload_datetime_utc=datetime.now(UTC).replace(tzinfo=None, microsecond=0), status="new",
                        user_id=_user_id(req), file_object=upload.data, **extra)).inserted_primary_key[0]  # type: ignore[index]
            except BaseException:
                path.unlink(missing_ok=True)  # the row was not written: neither is the file
                raise
            if kind.apply:
                kind.apply(self.databases, int(new_id), self.tz)
            resp.status = falcon.HTTP_201
            resp.location = f"{kind.paths[0]}/{new_id}"
            resp.media = self._render(self._one(kind, str(new_id)))
        return on_post

    def _delete(self, kind: FileKind) -> Callable[..., None]:
        def on_delete(req: falcon.Request, resp: falcon.Response, id: str) -> None:
            row = self._one(kind, id)
            with self.system.begin() as conn:
                conn.execute(sa.delete(file_tables.files).where(file_tables.files.c.id == row.id))
            if kind.remove:
                kind.remove(self.databases, int(row.id))
            self._path(row.uuid, _extension(row.media_type)).unlink(missing_ok=True)
            resp.status = falcon.HTTP_204
        return on_delete

    def _restore(self, kind: FileKind) -> Callable[..., None]:
        def on_get(req: falcon.Request, resp: falcon.Response, id: str) -> None:
            row = self._one(kind, id, content=True)
            self._write(self._path(row.uuid, _extension(row.media_type)), row.file_object)
            if kind.restore:
                if kind.apply is kind.restore:  # applied again from scratch
                    self._set_new(int(row.id))
                kind.restore(self.databases, int(row.id), self.tz)
                row = self._one(kind, id)
            resp.media = self._render(row)
        return on_get

    # ----------------------------------------------------------------------------------------- helpers

    def _select(self, kind: FileKind, content: bool = False) -> sa.Select[Any]:
        f, u, m = file_tables.files, schema.users, schema.offline_meters
        columns = [f.c.id, f.c.uuid, f.c.file_name, f.c.media_type, f.c.size, f.c.sha256, f.c.upload_datetime_utc,
                   f.c.status, f.c.error, f.c.offline_meter_id, u.c.display_name.label("user_display_name"),
                   m.c.name.label("offline_meter_name"), m.c.uuid.label("offline_meter_uuid")]
        if content:
            columns.append(f.c.file_object)
        return (sa.select(*columns).select_from(f.outerjoin(u, u.c.id == f.c.user_id)
                                                .outerjoin(m, m.c.id == f.c.offline_meter_id))
                .where(f.c.kind == kind.kind))

    def _one(self, kind: FileKind, raw_id: str, content: bool = False) -> Any:
        if not raw_id.isdecimal() or not 0 < int(raw_id) < 2**63:
            raise bad_request("API.INVALID_FILE_ID")
        with self.system.connect() as conn:
            row = conn.execute(self._select(kind, content).where(file_tables.files.c.id == int(raw_id))).first()
        if row is None:
            raise not_found("API.FILE_NOT_FOUND")
        return row

    def _render(self, row: Any, content: bool = False) -> dict[str, Any]:
        uploaded = row.upload_datetime_utc.replace(tzinfo=UTC).astimezone(self.tz).strftime(DATETIME_FORMAT)
        answer: dict[str, Any] = {
            "id": row.id, "file_name": row.file_name, "uuid": row.uuid, "upload_datetime": uploaded,
            "status": row.status, "error": row.error, "size": row.size, "media_type": row.media_type,
            "sha256": row.sha256, "user_display_name": row.user_display_name, "file_size_bytes": row.size}
        if content:
            answer["file_bytes_base64"] = base64.b64encode(row.file_object).decode()
        if row.offline_meter_id is not None:
            answer["offline_meter"] = {"id": row.offline_meter_id, "name": row.offline_meter_name,
                                       "uuid": row.offline_meter_uuid}
        return answer

    def _set_new(self, file_id: int) -> None:
        with self.system.begin() as conn:
            conn.execute(sa.update(file_tables.files).where(file_tables.files.c.id == file_id).values(status="new"))

    def _path(self, file_uuid: str, extension: str) -> Path:
        return self.folder / f"{file_uuid}{extension}"

    def _write(self, path: Path, data: bytes) -> None:
        """Written beside, then renamed: a reader never sees half a file."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(path.suffix + ".part")
            partial.write_bytes(data)
            os.replace(partial, path)
        except OSError as exc:
            log.error("upload folder %s: %s", self.folder, exc)
            raise ApiError(503, "API.UPLOAD_FOLDER_UNAVAILABLE") from exc


def _extension(media_type: str) -> str:
    return EXTENSIONS.get(media_type, ".bin")


def _user_id(req: falcon.Request) -> int | None:
    principal = req.context.principal
    return principal.id if principal is not None and principal.kind == "user" else None
