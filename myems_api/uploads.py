"""Reading an uploaded file off a request: the bytes, a safe file name, and its type judged by content.

Clients send ``multipart/form-data`` with a ``file`` part (the MyEMS admin UI, ``curl -F file=@x.xlsx``),
or the raw bytes as the body with the name in ``Content-Disposition`` or ``?filename=``. Either way:

- the size is capped while reading (413 ``API.FILE_TOO_LARGE``), never trusted from a header alone;
- the type is judged from the bytes, not from the name or the declared media type (an ``.xlsx`` is a zip
  holding ``[Content_Types].xml`` and ``xl/workbook.xml``); a kind accepts only its types (415);
- the client's name is reduced to a plain base name (no directory part, no control or shell characters,
  at most 200 characters) and only ever shown: files on disk are named by uuid.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from typing import Protocol

import falcon

from myems_api.errors import ApiError, bad_request

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
PDF, PNG, JPEG, GIF, TEXT = "application/pdf", "image/png", "image/jpeg", "image/gif", "text/plain"
EXTENSIONS = {XLSX: ".xlsx", DOCX: ".docx", PPTX: ".pptx", PDF: ".pdf", PNG: ".png", JPEG: ".jpg", GIF: ".gif",
              TEXT: ".txt"}
_OFFICE_PARTS = {"xl/workbook.xml": XLSX, "word/document.xml": DOCX, "ppt/presentation.xml": PPTX}
_MAGIC = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG), (b"GIF87a", GIF), (b"GIF89a", GIF))
_UNSAFE = re.compile(r"[^\w .,()\[\]+@&=-]")
_MAX_NAME = 200


@dataclass(frozen=True)
class Upload:
    file_name: str  # sanitised, for display only
    data: bytes
    media_type: str  # judged from the content
    fields: dict[str, str] = field(default_factory=dict)  # multipart text fields sent before the file part

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.media_type]


def sniff(data: bytes) -> str | None:
    """The media type the bytes are, among the ones we accept; None for anything else."""
    for magic, media_type in _MAGIC:
        if data.startswith(magic):
            return media_type
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return None
        if "[Content_Types].xml" in names:
            return next((t for part, t in _OFFICE_PARTS.items() if part in names), None)
        return None
    if b"\x00" in data:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return TEXT


def safe_file_name(raw: str | None, extension: str) -> str:
    """A display name without any directory, control or shell character; ``file<ext>`` when nothing is left."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(c for c in name if c.isprintable())
    name = _UNSAFE.sub("_", name).strip(" .")
    name = re.sub(r"\s+", " ", name)
    if not name:
        return "file" + extension
    if len(name) > _MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        ext = dot + ext if dot and len(ext) <= 10 else ""
        name = (stem if dot and ext else name)[:_MAX_NAME - len(ext)] + ext
    return name


def read_upload(req: falcon.Request, max_bytes: int, accepted: frozenset[str]) -> Upload:
    """The request's file: multipart ``file`` part, or the raw body; 400/413/415 in the one error shape."""
    content_type = (req.content_type or "").split(";")[0].strip().lower()
    fields: dict[str, str] = {}
    if content_type == "multipart/form-data":
        raw_name, data = _multipart_file(req, max_bytes, fields)
    else:
        raw_name, data = _disposition_name(req) or req.get_param("filename"), _bounded(req.bounded_stream, max_bytes)
    if not data:
        raise bad_request("API.EMPTY_FILE")
    media_type = sniff(data)
    if media_type is None or media_type not in accepted:
        raise ApiError(415, "API.INVALID_FILE_TYPE")
    return Upload(safe_file_name(raw_name, EXTENSIONS[media_type]), data, media_type, fields)


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


def _bounded(stream: _Readable, max_bytes: int) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ApiError(413, "API.FILE_TOO_LARGE")
    return data


def _multipart_file(req: falcon.Request, max_bytes: int, fields: dict[str, str]) -> tuple[str | None, bytes]:
    """The ``file`` part; small text parts before it are kept in ``fields`` (an id naming what the file is for)."""
    try:
        for part in req.get_media():
            if part.name == "file":
                return part.filename, _bounded(part.stream, max_bytes)
            value = part.stream.read(1025)  # the rest of a part is skipped when the next one is read
            if part.name and len(value) <= 1024 and len(fields) < 16:
                fields[part.name] = value.decode("utf-8", "replace").strip()
    except ApiError:
        raise
    except falcon.HTTPError as exc:  # malformed, or over falcon's limits (part count, header size)
        raise bad_request("API.INVALID_MULTIPART_BODY") from exc
    raise bad_request("API.FILE_PART_MISSING")


def _disposition_name(req: falcon.Request) -> str | None:
    header = req.get_header("Content-Disposition") or ""
    match = re.search(r'filename\*?=(?:UTF-8\'\')?"?([^";]+)"?', header, re.IGNORECASE)
    return match[1] if match else None
