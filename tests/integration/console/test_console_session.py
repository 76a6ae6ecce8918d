"""Console sign-in with the API's accounts: session cookie, CSRF, role matrix, languages (A1)."""
from __future__ import annotations

from services.api.auth.roles import Role
from tests.integration.console.consolekit import csrf_of, sign_in
from tests.unit.api.apikit import Api


def test_pages_need_a_session_and_sign_in_returns_to_the_page(api: Api) -> None:
    r = api.client.get("/console/cameras", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/console/login?next=%2Fconsole%2Fcameras"
    api.add_account("boss", Role.MANAGER)
    r = sign_in(api, "boss", next_path="/console/cameras")
    assert r.status_code == 303 and r.headers["location"] == "/console/cameras"
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("roadcam_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
    page = api.client.get("/console/cameras")
    assert page.status_code == 200 and "boss" in page.text and "bridge-1" in page.text


def test_wrong_password_is_refused_in_japanese_and_audited(api: Api) -> None:
    api.add_account("boss", Role.MANAGER)
    r = sign_in(api, "boss", "not the password")
    assert r.status_code == 401 and "パスワードが違います" in r.text
    assert "roadcam_session" not in r.headers.get("set-cookie", "")
    failures = [e for e in api.parts.audit.iter_all() if e.record.action == "login_failed"]
    assert failures and failures[-1].record.actor == "boss"


def test_repeated_failures_are_rate_limited_like_the_api(api: Api) -> None:
    api.add_account("boss", Role.MANAGER)
    codes = [sign_in(api, "boss", "wrong").status_code for _ in range(api.parts.settings.login_failures_max + 1)]
    assert codes[:-1] == [401] * api.parts.settings.login_failures_max and codes[-1] == 429


def test_expired_operator_cannot_sign_in(api: Api) -> None:
    api.add_account("old-op", Role.OPERATOR, expires_us=api.clock.now_us - 1)
    r = sign_in(api, "old-op")
    assert r.status_code == 401 and "期限切れ" in r.text


def test_posts_without_a_valid_csrf_token_are_refused(api: Api) -> None:
    api.add_account("boss", Role.MANAGER)
    page = api.client.get("/console/login")
    form = {"username": "boss", "password": "x", "next": "/console"}
    assert api.client.post("/console/login", data=form).status_code == 403
    assert api.client.post("/console/login", data={**form, "csrf": "0" * 64}).status_code == 403
    good = {**form, "csrf": csrf_of(page.text)}
    assert api.client.post("/console/login", data=good, headers={"Origin": "https://evil.example"}).status_code == 403
    # A token minted for another browser's nonce does not fit this browser's cookie.
    api.client.cookies.set("roadcam_csrf", "someone-elses-nonce", path="/console")
    assert api.client.post("/console/login", data=good).status_code == 403


def test_sign_out_needs_csrf_and_ends_the_session(api: Api) -> None:
    api.add_account("boss", Role.MANAGER)
    sign_in(api, "boss")
    home = api.client.get("/console")
    assert api.client.post("/console/logout", data={}).status_code == 403
    r = api.client.post("/console/logout", data={"csrf": csrf_of(home.text)}, follow_redirects=False)
    assert r.status_code == 303
    assert api.client.get("/console", follow_redirects=False).status_code == 303


def test_next_never_leaves_the_console(api: Api) -> None:
    api.add_account("boss", Role.MANAGER)
    for target in ("https://evil.example/", "//evil.example/console", "/console\\@evil"):
        r = sign_in(api, "boss", next_path=target)
        assert r.headers["location"] == "/console", target


def test_navigation_and_pages_follow_the_role_matrix(api: Api) -> None:
    expected = {Role.MANAGER: {"cameras", "counts", "audit"}, Role.OPERATOR: {"cameras", "counts"},
                Role.AUDITOR: {"cameras", "audit"}, Role.ANALYST: {"cameras", "counts"}}
    for role, links in expected.items():
        api.client.cookies.clear()
        api.add_account(f"u-{role.value}", role)
        assert sign_in(api, f"u-{role.value}").status_code == 303
        home = api.client.get("/console").text
        shown = {name for name in ("cameras", "counts", "audit") if f'href="/console/{name}"' in home}
        assert shown == links, role
        for name in ("cameras", "counts", "audit"):
            status = api.client.get(f"/console/{name}", follow_redirects=False).status_code
            assert status == (200 if name in links else 403), (role, name, status)


def test_departments_limit_the_cameras_shown(api: Api) -> None:
    api.add_account("parks-op", Role.OPERATOR, departments=("parks",))
    sign_in(api, "parks-op")
    page = api.client.get("/console/cameras").text
    assert "station-1" in page and "bridge-1" not in page
    assert api.client.get("/console/cameras/bridge-1").status_code == 404


def test_japanese_by_default_english_switch_on_every_page(api: Api) -> None:
    api.add_account("boss", Role.MANAGER)
    login = api.client.get("/console/login")
    assert '<html lang="ja">' in login.text and "サインイン" in login.text and 'id="lang-switch"' in login.text
    sign_in(api, "boss")
    for path in ("/console", "/console/cameras", "/console/cameras/bridge-1", "/console/counts", "/console/audit"):
        ja = api.client.get(path)
        assert '<html lang="ja">' in ja.text and f'href="{path}?lang=en"' in ja.text, path
    en = api.client.get("/console/cameras?lang=en")
    assert '<html lang="en">' in en.text and "Cameras" in en.text and "roadcam_lang=en" in en.headers["set-cookie"]
    assert '<html lang="en">' in api.client.get("/console").text  # the cookie keeps the choice
