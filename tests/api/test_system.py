import dataclasses

from myems_api.app import create_app
from tests.client import Api


def test_health_is_degraded_with_503_when_a_store_is_unreachable(config):
    broken = dataclasses.replace(config, historical_db_url="mysql+mysqlconnector://x:y@127.0.0.1:1/none")
    app = create_app(broken)
    result = Api(app).get("/health")
    assert result.status_code == 503
    assert result.json["status"] == "degraded"
    assert result.json["databases"]["historical"]["status"] == "error"
    assert result.json["databases"]["system"]["status"] == "ok"
    app.databases.dispose()


def test_cors_answers_only_configured_origins(config):
    app = create_app(dataclasses.replace(config, cors_allowed_origins=("https://ui.example",)))
    api = Api(app)
    allowed = api.get("/health", headers={"Origin": "https://ui.example"})
    assert allowed.headers.get("access-control-allow-origin") == "https://ui.example"
    other = api.get("/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = api.request("OPTIONS", "/energycategories", headers={
        "Origin": "https://ui.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "User-UUID, Token, Content-Type"})
    assert preflight.status_code == 200
    assert "token" in preflight.headers.get("access-control-allow-headers", "").lower()
    app.databases.dispose()


def test_without_configured_origins_no_cors_headers_are_sent(api):
    result = api.get("/health", headers={"Origin": "https://ui.example"})
    assert "access-control-allow-origin" not in result.headers


def test_every_answer_carries_a_request_id_and_echoes_a_sane_one(api):
    assert len(api.get("/health").headers["x-request-id"]) == 32
    assert api.get("/nope", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"
