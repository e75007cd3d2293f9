"""`azure-signin demo` as a newcomer meets it: a subprocess on free ports, logins walked over
HTTP like a browser, the frontend's page and the service's /me."""
from __future__ import annotations

import subprocess

import httpx
import pytest

from .support import CONSOLE_SCRIPT, Demo, sign_in

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    running = Demo(tmp_path_factory.mktemp("demo")).start()
    yield running
    assert running.stop() == 0, running.output()[-2000:]


def _membership(body: dict, workspace_id: int) -> dict | None:
    return next((m for m in body["memberships"] if m["workspaceId"] == workspace_id), None)


def test_the_banner_names_the_three_urls_and_the_demo_users(demo):
    out = demo.output()
    for url in (demo.frontend, demo.service, demo.sandbox):
        assert url in out
    for user in ("alice@contoso.com", "bob@example.org", "frank@fabrikam.com", "mallory@evil.example"):
        assert user in out


def test_health_ready_and_the_sandbox_discovery_answer(demo):
    assert httpx.get(f"{demo.service}/health/ready", timeout=10).status_code == 200
    discovery = httpx.get(f"{demo.sandbox}/organizations/v2.0/.well-known/openid-configuration",
                          verify=demo.ca(), timeout=10)
    assert discovery.status_code == 200


def test_every_origin_of_the_demo_answers_favicon_ico(demo):
    for origin in (demo.service, demo.sandbox, demo.frontend):
        answer = httpx.get(f"{origin}/favicon.ico", verify=demo.ca(), timeout=10)
        assert answer.status_code in (200, 204), (origin, answer.status_code)
        if answer.status_code == 200:
            assert answer.headers["content-type"].startswith("image/") and answer.content


def test_the_service_root_names_its_documentation_health_and_keys(demo):
    index = httpx.get(f"{demo.service}/", timeout=10)
    assert index.status_code == 200
    body = index.json()
    for key, path in (("documentation", "/schema"), ("jwks", "/.well-known/jwks.json")):
        assert body[key] == demo.service + path
        assert httpx.get(body[key], timeout=10).status_code == 200
    assert httpx.get(body["health"]["ready"], timeout=10).status_code == 200


def test_alice_signs_in_with_azure_ad_and_lands_in_workspace_1_as_editor(demo):
    with demo.browser() as browser:
        landing = sign_in(demo, browser, "alice@contoso.com", "aad")
        assert landing.url.startswith(f"{demo.frontend}/redirect-uri?uri=/workspace/1/home#access_token=")
        page = browser.get(landing.url)  # the fragment stays in the browser, as it should
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script src="/app.js"' in page.text and 'id="profile"' in page.text
    me = demo.me(landing.token)
    assert me.status_code == 200
    body = me.json()
    assert body["user"]["email"] == "alice@contoso.com"
    assert _membership(body, 1) == {"workspaceId": 1, "workspaceName": "Acme", "role": "editor"}


def test_bob_signs_in_with_b2c_and_lands_in_workspace_1_as_viewer(demo):
    with demo.browser() as browser:
        landing = sign_in(demo, browser, "bob@example.org", "b2c")
        assert browser.get(landing.url).status_code == 200
    assert landing.params()["uri"] == "/workspace/1/home"
    body = demo.me(landing.token).json()
    assert body["user"]["email"] == "bob@example.org"
    assert _membership(body, 1) == {"workspaceId": 1, "workspaceName": "Acme", "role": "viewer"}


def test_the_frontend_may_call_the_service_and_sign_out(demo):
    with demo.browser() as browser:
        token = sign_in(demo, browser, "alice@contoso.com", "aad").token
    preflight = httpx.options(f"{demo.service}/logout", headers={
        "Origin": demo.frontend, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization"})
    assert preflight.status_code in (200, 204)
    assert preflight.headers["access-control-allow-origin"] == demo.frontend
    out = httpx.post(f"{demo.service}/logout", headers={"Origin": demo.frontend,
                                                        "Authorization": f"Bearer {token}"})
    assert out.status_code == 200 and out.headers["access-control-allow-origin"] == demo.frontend
    assert demo.me(token).status_code == 401


def test_user_disable_from_the_command_line_closes_a_live_session_at_once(demo):
    with demo.browser() as browser:
        token = sign_in(demo, browser, "erin@contoso.com", "aad").token
    assert demo.me(token).status_code == 200
    done = subprocess.run([str(CONSOLE_SCRIPT), "user", "disable", "erin@contoso.com"],
                          cwd=demo.folder, env=demo.env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "1 open session(s) revoked" in done.stdout
    assert demo.me(token).status_code == 401


def test_no_token_code_or_state_reaches_the_output(demo):
    with demo.browser() as browser:
        token = sign_in(demo, browser, "alice@contoso.com", "aad").token
    out = demo.output()
    assert token not in out and token.split(".")[2] not in out
    assert "code=" not in out.replace("code=[redacted]", "")
    assert "state=" not in out.replace("state=[redacted]", "")


def test_the_demo_prints_no_warnings(demo):
    with demo.browser() as browser:
        sign_in(demo, browser, "bob@example.org", "b2c")  # MSAL warned on every login once
    assert "Warning" not in demo.output(), demo.output()[-2000:]
