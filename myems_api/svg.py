"""SVG text the admin UI renders as it is: it must be well-formed XML without anything that runs.

Refused: DTD declarations (entity expansion), ``script``, ``foreignObject``, ``iframe``, ``embed`` and
``object`` elements, event-handler attributes (``on...``) and ``javascript:`` links, however spaced or cased.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from myems_api.engine.fields import Context, Invalid, Ref, Text

MAX_SVG_CHARS = 2_000_000
FORBIDDEN_TAGS = {"script", "foreignobject", "iframe", "embed", "object"}


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def unsafe_svg(svg: str) -> bool:
    """True when the text is not an SVG document the UI may render as it is."""
    if re.search(r"<!\s*(DOCTYPE|ENTITY)", svg, re.IGNORECASE):
        return True
    try:
        root = ET.fromstring(svg)
    except ET.ParseError:
        return True
    if _local(root.tag) != "svg":
        return True
    for element in root.iter():
        if _local(str(element.tag)) in FORBIDDEN_TAGS:
            return True
        for name, value in element.attrib.items():
            if _local(name).startswith("on") or "javascript:" in re.sub(r"\s", "", value).lower():
                return True
    return False


@dataclass(frozen=True)
class Svg(Text):
    """An SVG document field: refused (``API.INVALID_SVG``) unless :func:`unsafe_svg` finds nothing."""

    key: str = "svg"
    max_len: int = MAX_SVG_CHARS

    def parse(self, raw: Any, ctx: Context) -> Any:
        value = super().parse(raw, ctx)
        if value is not None and unsafe_svg(value):
            raise Invalid(self.key)
        return value


# A diagram as an entity names it: inline ``svg`` text (the seed's form) and/or a stored SVG (v6.7.0's ``svg_id``).
def stored_svg(with_source: bool = False) -> Ref:
    """A stored SVG, sent as ``svg_id`` (or ``svg_diagram_id``) and answered as ``svg_diagram``."""
    return Ref("svg_diagram", family="svg", code="SVG_ID", required=False, null=True,
               shows=("svg",) if with_source else ())


def svg_out(with_source: bool = False) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """``svg`` answered as v6.7.0 answers it where a stored SVG is named: ``{id, name, uuid}`` (a distribution
    system adds its ``source_code``); otherwise the inline text, as the seed gave it."""
    def reshape(entity: dict[str, Any]) -> dict[str, Any]:
        stored = entity.get("svg_diagram")
        if isinstance(stored, dict):
            source = stored.pop("svg", None)
            entity["svg"] = {"id": stored["id"], "name": stored["name"], "uuid": stored["uuid"],
                             **({"source_code": source} if with_source else {})}
        return entity
    return reshape


def has_diagram(entity: Mapping[str, Any]) -> str | None:
    return None if entity.get("svg") or entity.get("svg_diagram_id") else "API.INVALID_SVG"


def svg_id_alias(payload: dict[str, Any]) -> dict[str, Any]:
    """``svg_id`` (MyEMS's later form, and the energy storage sections') names the stored SVG; so does an
    ``svg`` object (v6.7.0's answer, back through an export's import)."""
    if isinstance(payload.get("svg"), dict):
        named = payload.pop("svg")
        payload.setdefault("svg_id", named.get("id"))
    if "svg_id" in payload and "svg_diagram_id" not in payload:
        payload["svg_diagram_id"] = payload.pop("svg_id")
    return payload
