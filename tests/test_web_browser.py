"""The web UI in a real headless Chromium at phone size, against a real `antifraud serve` process (issue 12).

One server per test module (per xdist worker), on a config and SQLite file of its own; the users are
made before it starts. Each test gets a fresh browser context (no cookies carried over). Nothing
sleeps: every step waits on a navigation, a selector or a Playwright assertion (which retries).
The server runs on real time, not the tests' frozen clock, so nothing here depends on the date.
"""

from __future__ import annotations

import os
import textwrap

import pytest
from playwright.sync_api import expect
from webtools import PASSWORD, Server, Web

from conftest import BASE_CONFIG

PHONE_WIDTH = 390
# Generous: a loaded 2-core machine running the suite on every core is slow, not broken.
TIMEOUT_MS = 30_000
# Counts Content-Security-Policy violations in the page; an init script is not itself subject to the CSP.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("web-browser")
    config = folder / "config.yaml"
    config.write_text(textwrap.dedent(BASE_CONFIG), encoding="utf-8")
    web = Web(config)  # migrates the SQLite file and makes the session key the server will read
    web.add_user("zhou", "clerk")
    web.add_user("wang", "clerk")  # only ever given wrong passwords (the throttle is per user)
    web.add_user("boss", "admin")
    web.app.db.engine.dispose()
    # An empty ANTIFRAUD_DATABASE_URL is no URL: the server uses the config's SQLite file.
    with Server(config, env={"ANTIFRAUD_DATABASE_URL": ""}) as running:
        yield running.url


@pytest.fixture
def page(phone):
    phone.set_default_timeout(TIMEOUT_MS)
    phone.set_default_navigation_timeout(TIMEOUT_MS)
    return phone


@pytest.fixture(autouse=True, scope="module")
def _patient_assertions():
    expect.set_options(timeout=TIMEOUT_MS)
    yield
    expect.set_options(timeout=5_000)


def log_in(page, url: str, username: str, password: str = PASSWORD):
    """Fill in the login form and submit it; returns the response to the POST's navigation."""
    page.goto(f"{url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation() as navigation:
        page.click("button[type=submit]")
    return navigation.value


def path_of(page, url: str) -> str:
    return page.url.removeprefix(url)


def test_a_wrong_password_is_refused_on_the_login_page(page, server):
    response = log_in(page, server, "wang", "not-the-password")
    assert response.status == 401
    assert path_of(page, server).startswith("/login")
    expect(page.locator("[role=alert]")).to_have_text("用户名或密码不对")
    expect(page.locator("input[name=username]")).to_have_value("wang")  # kept; the password is not
    expect(page.locator("input[name=password]")).to_have_value("")


def test_a_clerk_logs_in_and_lands_on_the_home_page(page, server):
    response = log_in(page, server, "zhou")
    login = response.request.redirected_from  # the POST, answered with a redirect to the home page
    assert login is not None and login.method == "POST" and login.url == f"{server}/login"
    # A clerk's home. (What that page shows is the incident pages' own tests' business.)
    assert path_of(page, server) == "/incidents"
    page.goto(f"{server}/status")
    expect(page.locator("h1")).to_contain_text("运行状态")
    expect(page.locator(".logout .me")).to_have_text("zhou")


def test_logout_returns_to_the_login_page_and_ends_the_session(page, server):
    log_in(page, server, "zhou")
    page.goto(f"{server}/status")
    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()
    assert path_of(page, server) == "/login"
    expect(page.locator("input[name=password]")).to_be_visible()
    page.goto(f"{server}/status")  # the old session no longer opens a page
    assert path_of(page, server).startswith("/login?next=")


def test_a_logged_out_visit_is_redirected_to_login(page, server):
    response = page.goto(f"{server}/status")
    assert response.ok and response.request.redirected_from is not None
    assert path_of(page, server) == "/login?next=%2Fstatus"
    expect(page.locator("h1")).to_have_text("登录")
    # ...and after logging in there, back to the page asked for.
    page.fill("input[name=username]", "zhou")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert path_of(page, server) == "/status"


def test_a_clerk_sees_no_permission_on_user_management(page, server):
    log_in(page, server, "zhou")
    response = page.goto(f"{server}/users")
    assert response.status == 403
    expect(page.locator("h1")).to_contain_text("没有权限")
    expect(page.get_by_role("link", name="用户")).to_have_count(0)  # not offered in the menu either


@pytest.mark.parametrize(("username", "paths"), [(None, ["/login"]), ("boss", ["/status", "/users"])])
def test_pages_have_no_console_errors_or_csp_violations(page, server, username, paths):
    messages, errors = [], []
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(CSP_LISTENER)
    if username:
        log_in(page, server, username)
    for path in paths:
        response = page.goto(f"{server}{path}")
        assert response.ok, path
        page.wait_for_load_state("load")
        violations = page.evaluate("window.__cspViolations")
        assert violations == [], f"{path}: {violations}"
        # The stylesheet and the script came from /static and were applied.
        assert page.evaluate("getComputedStyle(document.body).margin") is not None
    problems = [m for m in messages if m.startswith(("error", "warning"))]
    assert problems == [] and errors == []


@pytest.mark.parametrize(("username", "path"), [(None, "/login"), ("boss", "/status"), ("boss", "/users")])
def test_the_phone_layout_has_no_horizontal_scroll(page, server, username, path):
    if username:
        log_in(page, server, username)
    response = page.goto(f"{server}{path}")
    assert response.ok
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{path} is {width}px wide on a {PHONE_WIDTH}px phone"
    assert page.evaluate("window.innerWidth") == PHONE_WIDTH


def test_the_forward_page_shows_the_variants_side_by_side_on_a_wide_screen(chromium, tmp_path):
    """Two hand-forwarded groups of two audiences: their posters next to each other on an office PC,
    one under the other on a phone, each picture loaded."""
    import subprocess
    import sys

    groups = ("石鼓居民微信群", "石鼓长者微信群")
    config = tmp_path / "config.yaml"
    config.write_text(
        textwrap.dedent(BASE_CONFIG)
        .replace("      - {name: 石鼓工作群, channel: wecom, webhook_env: AF_TEST_STAFF, audience: staff}\n", "")
        .replace(
            "      - {name: 石鼓居民微信群, channel: folder, audience: residents}\n",
            "      - {name: 石鼓居民微信群, channel: folder, audience: residents}\n"
            "      - {name: 石鼓长者微信群, channel: folder, audience: elderly}\n",
        ),
        encoding="utf-8",
    )
    for args in (
        ["incident", "add", "--category", "刷单返利", "--loss", "8000"],
        ["incident", "add", "--category", "百万医疗", "--loss", "500"],
        ["warning", "publish", "--wait", "60"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "antifraud", *args, "--config", str(config)],
            capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "ANTIFRAUD_DATABASE_URL": ""},
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
    web = Web(config)
    web.add_user("zhou", "clerk")
    web.app.db.engine.dispose()
    with Server(config, env={"ANTIFRAUD_DATABASE_URL": ""}) as running:
        for width, side_by_side in ((1280, True), (PHONE_WIDTH, False)):
            context = chromium.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            log_in(page, running.url, "zhou")
            page.goto(f"{running.url}/forward")
            cards = [page.locator(f"section.card:has(h2:has-text('{name}'))") for name in groups]
            for card in cards:
                expect(card.locator("img.poster")).to_have_count(1)
                loaded = card.locator("img.poster").evaluate("img => img.complete && img.naturalWidth === 1080")
                assert loaded, width
            first, second = (card.bounding_box() for card in cards)
            if side_by_side:
                assert first["y"] == second["y"] and first["x"] + first["width"] <= second["x"], (first, second)
            else:
                assert second["y"] >= first["y"] + first["height"], (first, second)
            context.close()
