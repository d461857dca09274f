"""``create_app(config)``: wires stores, the resource registry and middleware into a falcon app.

Nothing here touches SQL or knows a family: every route comes from a family spec (through the engine)
or from a custom module's ``endpoints()``. ``app.endpoints`` is the route table.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import timedelta
from functools import partial
from typing import Any

import falcon
import falcon.media

from myems_api.accounts import AccountStore, LoginPolicy
from myems_api.audit import AuditLog, AuditTrail
from myems_api.auth import Authenticator, AuthMiddleware, Passwords
from myems_api.config import Config
from myems_api.db.engines import Databases
from myems_api.engine.family import Family, Registry
from myems_api.engine.fields import Context
from myems_api.engine.routes import FamilyRoutes
from myems_api.engine.store import FamilyStore
from myems_api.errors import handle_unexpected, serialize_error
from myems_api.http import BodyLimit, Endpoint, RequestContext
from myems_api.mqtt import Broker
from myems_api.resources import (
    acquisition_config,
    ai_chat,
    commands,
    diagrams,
    energy_storage,
    equipment,
    files,
    master_data,
    messages,
    meters,
    microgrids,
    operations,
    point_values,
    power_plants,
    presentation,
    reports,
    set_values,
    signup,
    site_settings,
    sites,
    spaces,
    system,
    tariffs,
    users,
)
from reports.query import Engines


class EmsApp(falcon.App):  # type: ignore[type-arg]
    """A falcon app that also carries its route table and stores (for the CLI, tests and benchmarks)."""

    endpoints: list[Endpoint]
    databases: Databases
    registry: Registry


def default_families() -> tuple[Family, ...]:
    return (*master_data.FAMILIES, *tariffs.FAMILIES, *acquisition_config.FAMILIES, *meters.FAMILIES,
            *commands.FAMILIES, *presentation.FAMILIES, *site_settings.FAMILIES, *equipment.FAMILIES,
            *sites.FAMILIES, *diagrams.FAMILIES, *spaces.FAMILIES, *users.FAMILIES, *microgrids.FAMILIES,
            *energy_storage.FAMILIES, *power_plants.FAMILIES, *messages.FAMILIES, *files.FAMILIES,
            *signup.FAMILIES, *operations.FAMILIES)


def report_engines(config: Config, databases: Databases) -> Engines:
    offset = config.tz.utcoffset(None)
    return Engines(databases.system_reader, databases.engines["energy"], databases.engines["historical"],
                   config.tz, int(offset.total_seconds() // 60) if offset else 0, config.max_report_days,
                   config.currency_unit)


def create_app(config: Config, databases: Databases | None = None,
               families: Iterable[Family] | None = None) -> EmsApp:
    databases = databases or Databases(config.store_urls, config.db_pool_size)
    passwords = Passwords(n=config.scrypt_n, min_length=config.min_password_length)
    ctx = Context(tz=config.tz, passwords=passwords)
    registry = Registry(default_families() if families is None else families)
    registry.validate()

    accounts = AccountStore(databases.system, passwords, LoginPolicy(
        session_lifetime=timedelta(minutes=config.session_lifetime_minutes),
        max_failed_logins=config.max_failed_logins, lockout=timedelta(minutes=config.lockout_minutes)),
        reader=databases.system_reader)
    authenticator = Authenticator(accounts.session, accounts.api_key, config.auth_cache_seconds)

    endpoints: list[Endpoint] = [
        *system.Health(databases).endpoints(),
        *system.Version().endpoints(),
        *AuditLog(databases.system_reader, config.tz).endpoints(),
        *ai_chat.AiChat(config.ai_chat_url, config.ai_model, config.ai_api_key, config.ai_timeout_seconds,
                        config.max_body_bytes).endpoints(),
        *presentation.WebMenus(databases.system_reader).endpoints(),
        *spaces.SpaceTree(databases.system_reader).endpoints(),
        *users.AccountRoutes(accounts, authenticator, config.tz, config.max_body_bytes).endpoints(),
        *files.Files(databases, config.upload_folder, config.max_upload_bytes, config.tz).endpoints(),
        *reports.Reports(report_engines(config, databases)).endpoints(),
        *signup.SignUp(databases.system, passwords, config.tz, config.max_body_bytes,
                       authenticator.forget_user).endpoints(),
    ]
    stores = {family.singular: FamilyStore(family, registry, databases.system, ctx, databases.system_reader)
              for family in registry}
    for store in stores.values():
        endpoints.extend(FamilyRoutes(store, config.max_body_bytes).endpoints())
    if "data_source" in stores:
        endpoints.extend(acquisition_config.DataSourceStatus(stores["data_source"]).endpoints())
    if "point" in stores:
        endpoints.extend(meters.PointLimits(stores["point"], config.max_body_bytes).endpoints())
        endpoints.extend(set_values.SetValues(set_values.SetValueStore(databases.system, databases.system_reader),
                                              config.tz, config.max_body_bytes).endpoints())
        endpoints.extend(point_values.PointValues(databases.system_reader, databases.engines["historical"],
                                                  config.max_body_bytes, config.max_push_values).endpoints())
    if "command" in stores:
        broker = Broker(config.mqtt_host, config.mqtt_port, config.mqtt_username, config.mqtt_password,
                        config.mqtt_timeout_seconds) if config.mqtt_host else None
        endpoints.extend(commands.CommandSend(stores["command"], broker, config.max_body_bytes).endpoints())
    if "equipment" in stores:
        endpoints.extend(equipment.EditPoints(stores["equipment"]).endpoints())
    if "space" in stores and "energy_category" in stores:
        endpoints.extend(spaces.TreeEnergyCategories(stores["space"], stores["energy_category"]).endpoints())
    if "email_message" in stores and "web_message" in stores:
        endpoints.extend(messages.MessageRoutes(stores, config.max_body_bytes, config.max_upload_bytes).endpoints())
    if "rule" in stores and "advanced_report" in stores:
        endpoints.extend(site_settings.RunLater(stores, databases, report_engines(config, databases)).endpoints())
    # A changed or deleted account or key takes effect at once in this process (others: within the cache TTL).
    if "user" in stores:
        stores["user"].on_change.append(authenticator.forget_user)
    if "api_key" in stores:
        stores["api_key"].on_change.append(authenticator.forget_api_key)

    middleware: list[Any] = [RequestContext(), BodyLimit(config.max_body_bytes), AuthMiddleware(authenticator),
                             AuditTrail(databases.system)]
    if config.cors_allowed_origins:
        middleware.insert(0, falcon.CORSMiddleware(allow_origins=list(config.cors_allowed_origins),
                                                   expose_headers=["Location", "X-Request-ID"]))
    app = EmsApp(middleware=middleware)
    app.req_options.strip_url_path_trailing_slash = True
    json_handler = falcon.media.JSONHandler(dumps=partial(json.dumps, ensure_ascii=False, separators=(",", ":")))
    app.resp_options.media_handlers[falcon.MEDIA_JSON] = json_handler
    app.set_error_serializer(serialize_error)
    app.add_error_handler(Exception, handle_unexpected)
    by_path: dict[str, Endpoint] = {}
    for endpoint in endpoints:  # one falcon resource per path, whoever contributed its verbs
        if endpoint.path in by_path:
            by_path[endpoint.path].merge(endpoint)
        else:
            by_path[endpoint.path] = endpoint
    for endpoint in by_path.values():
        app.add_route(endpoint.path, endpoint)
    app.endpoints = list(by_path.values())
    app.databases = databases
    app.registry = registry
    return app
