"""Security headers on every answer, local API docs, and no server paths in any answer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from serving_helpers import auth, make_client, upgrade_store

from risk.clock import WallClock
from risk.settings import Settings

EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
TEMPLATES = Path(__file__).resolve().parents[2] / "serving" / "templates"


def _assert_security_headers(r) -> None:
    assert r.headers["content-security-policy"] == EXPECTED_CSP
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize(
    ("method", "path", "role", "status"),
    [
        ("GET", "/v1/health", None, 200),
        ("GET", "/v1/me", "officer", 200),
        ("GET", "/v1/cases", "officer", 200),
        ("GET", "/v1/cases/999", "officer", 404),
        ("GET", "/v1/kpis", "officer", 403),
        ("GET", "/v1/me", None, 401),
        ("POST", "/v1/applications/score", "officer", 422),
        ("GET", "/login", None, 200),
        ("GET", "/queue", None, 303),
        ("GET", "/transparency", None, 200),
        ("GET", "/no-such-page", None, 404),
        ("GET", "/openapi.json", None, 200),
    ],
)
def test_every_answer_has_the_security_headers_and_no_store(
    client, tokens, method, path, role, status
):
    headers = auth(tokens[role]) if role else {}
    r = client.request(method, path, headers=headers, follow_redirects=False)
    assert r.status_code == status
    _assert_security_headers(r)
    assert r.headers["cache-control"] == "no-store"


def test_static_assets_carry_the_headers_but_may_be_cached(client):
    r = client.get("/static/amanah.js")
    assert r.status_code == 200
    _assert_security_headers(r)
    # an unversioned address is revalidated by its ETag (a versioned one is immutable)
    assert r.headers["cache-control"] == "no-cache"
    again = client.get("/static/amanah.js", headers={"if-none-match": r.headers["etag"]})
    assert again.status_code == 304


def test_a_request_over_https_is_told_to_stay_on_https(client):
    r = client.get("https://testserver/v1/health")
    assert r.headers["strict-transport-security"] == "max-age=31536000"
    assert "strict-transport-security" not in client.get("/v1/health").headers


def test_an_unexpected_error_answers_500_with_the_headers(app, client):
    def boom():
        raise RuntimeError("/etc/secret-place exploded")

    app.router.add_api_route("/v1/_boom_for_test", boom)
    try:
        r = client.get("/v1/_boom_for_test")
    finally:
        app.router.routes.pop()
    assert r.status_code == 500
    assert r.json() == {
        "error": "internal_error",
        "detail": "an internal error occurred; it has been logged",
    }
    _assert_security_headers(r)
    assert r.headers["cache-control"] == "no-store"


def test_the_templates_hold_no_inline_script_style_or_handler():
    # The CSP refuses them; JSON data blocks (type="application/json") are not scripts.
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>")
    found = []
    for path in TEMPLATES.rglob("*.html"):
        if path.name == "transparency_standalone.html":  # a download, opened from disk
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (inline_script, re.compile(r"\sstyle="), re.compile(r"\son[a-z]+=")):
            found += [f"{path.name}: {m.group(0)}" for m in pattern.finditer(text)]
    assert found == []


def test_docs_are_served_from_local_files_without_inline_script(client):
    page = client.get("/docs")
    assert page.status_code == 200
    srcs = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert srcs == [
        "/docs/assets/swagger-ui.css",
        "/docs/assets/swagger-ui-bundle.js",
        "/docs/assets/init.js",
    ]
    assert "<script>" not in page.text
    for src in srcs:
        r = client.get(src)
        assert r.status_code == 200, src
        assert len(r.content) > 100, src  # a real asset, not an empty answer
    assert "SwaggerUIBundle" in client.get("/docs/assets/swagger-ui-bundle.js").text
    assert client.get("/docs/assets/..%2Fcore.py").status_code == 404
    assert client.get("/redoc").status_code == 404


def test_docs_can_be_switched_off(tmp_path):
    from serving import create_app

    s = Settings(data_dir=tmp_path)
    s.serving.model_source = "none"
    s.security.docs_enabled = False
    upgrade_store(s)
    with make_client(create_app(s)) as c:
        assert c.get("/docs").status_code == 404
        assert c.get("/docs/assets/swagger-ui-bundle.js").status_code == 404
        assert c.get("/openapi.json").status_code == 200


def test_the_model_answer_names_no_server_path(scoring_client, tokens, world):
    r = scoring_client.get("/v1/model", headers=auth(tokens["officer"]))
    body = r.json()
    assert body["source"] == "bundle"
    assert str(world["bundle"]) not in r.text
    assert body["error"] is None


def test_a_model_load_error_names_no_server_path(app, client, tokens, settings, tmp_path):
    from serving.services import ModelHolder

    settings.serving.model_source = "bundle"
    settings.serving.bundle_path = tmp_path / "missing-bundle"
    holder = ModelHolder(settings)
    holder.load_configured()
    assert str(tmp_path) in holder.last_error  # the CLI and the log still name it
    app.state.model_holder = holder
    r = client.get("/v1/model", headers=auth(tokens["officer"]))
    assert str(tmp_path) not in r.text
    assert r.json()["source"] is None
    assert "<path>" in r.json()["error"]


def test_an_error_naming_a_store_uri_answers_without_it(app, client):
    from risk.errors import NotFoundError

    uri = "postgresql://mlflow:s3cret@db.internal:5432/mlflow"

    def missing():
        raise NotFoundError(f"model 'amanah-risk' has no version '01' in {uri}")

    app.router.add_api_route("/v1/_missing_for_test", missing)
    try:
        r = client.get("/v1/_missing_for_test")
    finally:
        app.router.routes.pop()
    assert r.status_code == 404
    assert r.json() == {
        "error": "not_found",
        "detail": "model 'amanah-risk' has no version '01' in <uri>",
    }


@pytest.mark.slow
def test_a_missing_report_version_names_no_store_uri(tmp_path):
    """The reproduction: a report of an unknown version named the MLflow store's URI."""
    from serving import create_app
    from serving.services import create_user

    s = Settings(data_dir=tmp_path)
    s.serving.model_source = "none"
    s.mlflow.tracking_uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    upgrade_store(s)
    app = create_app(s)
    with make_client(app) as c:
        with app.state.store.transaction() as session:
            create_user(
                session, "aud", "auditor", password="a-long-passphrase-9", clock=WallClock()
            )
        page = c.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        data = {"username": "aud", "password": "a-long-passphrase-9"}
        if csrf:
            data["csrf"] = csrf.group(1)
        assert c.post("/login", data=data, follow_redirects=False).status_code == 303
        r = c.get("/oversight/model/report/01")
    assert r.status_code == 404
    assert "sqlite" not in r.text
    assert str(tmp_path) not in r.text


def test_plotly_styles_come_as_a_stylesheet_file(client):
    # plotly.js would insert these rules inline; under the CSP the page links this file.
    r = client.get("/vendor/plotly.css")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/css")
    lines = r.text.splitlines()
    assert (
        ".js-plotly-plot .plotly .main-svg {position:absolute;top:0;left:0;pointer-events:none;}"
        in lines
    )
    assert lines[0].startswith(
        ".js-plotly-plot .plotly,.js-plotly-plot .plotly div {direction:ltr;"
    )
