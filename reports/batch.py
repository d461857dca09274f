"""PLACEHOLDER"""

from __future__ import annotations

from reports.catalog_types import Route

ROUTES: tuple[Route, ...] = ()
