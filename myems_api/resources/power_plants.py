"""PLACEHOLDER"""

from __future__ import annotations

from myems_api.engine.family import Family

FAMILIES: tuple[Family, ...] = ()
