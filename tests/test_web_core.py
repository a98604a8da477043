"""The web UI's house rules: login, roles, CSRF, throttling, headers, sessions that end (issue 12)."""

import re

from webtools import PASSWORD, csrf_token


def test_a_logged_out_request_is_sent_to_login(web):
    client = web.client()
    response = web.get(client, "/incidents?date=2026-11-22")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_login_then_home_by_role_and_logout(web):
    clerk = web.client("zhou", "clerk")
    assert web.get(clerk, "/").headers["Location"] == "/incidents"
    page = web.get(clerk, "/status")
    assert page.status_code == 200 and "运行状态" in page.text
    assert web.post(clerk, "/logout", form_page="/status").status_code == 302
    assert web.get(clerk, "/status").status_code == 302


def test_a_post_without_csrf_token_is_refused(web):
    web.add_user("admin", "admin")
    client = web.client()
    refused = client.post("/login", data={"username": "admin", "password": PASSWORD}, base_url="https://localhost")
    assert refused.status_code == 400 and "安全令牌" in refused.text


def test_a_clerk_cannot_reach_user_management(web):
    clerk = web.client("zhou", "clerk")
    assert web.get(clerk, "/users").status_code == 403
    admin = web.client("boss", "admin")
    page = web.get(admin, "/users")
    assert page.status_code == 200 and "zhou" in page.text
    refused = clerk.post(
        "/users", data={"csrf_token": csrf_token(web.get(clerk, "/status").text), "username": "x1",
                        "role": "admin", "password": "whatever-123"}, base_url="https://localhost",
    )  # fmt: skip
    assert refused.status_code == 403


def test_an_admin_adds_and_disables_a_user_and_the_session_ends(web):
    admin = web.client("boss", "admin")
    bad = web.post(admin, "/users", {"username": "li", "role": "clerk", "password": "short"}, form_page="/users")
    assert bad.status_code == 400 and "密码：至少8个字符" in bad.text
    made = web.post(admin, "/users", {"username": "li", "role": "clerk", "password": PASSWORD}, form_page="/users")
    assert made.status_code == 302
    li = web.client()
    page = web.get(li, "/login")
    web_login = li.post(
        "/login", data={"csrf_token": csrf_token(page.text), "username": "li", "password": PASSWORD},
        base_url="https://localhost",
    )  # fmt: skip
    assert web_login.status_code == 302
    assert web.post(admin, "/users/li/disable", form_page="/users").status_code == 302
    assert web.get(li, "/status").status_code == 302  # logged out at once
    with web.app.db.session() as session:
        from antifraud.accounts.service import audit_entries

        assert [e.action for e in audit_entries(session)][:3] == ["user.disable", "user.add", "user.add"]


def test_logins_are_throttled_after_five_failures(web):
    web.add_user("zhou", "clerk")
    client = web.client()

    def attempt(password):
        page = web.get(client, "/login")
        return client.post(
            "/login", data={"csrf_token": csrf_token(page.text), "username": "zhou", "password": password},
            base_url="https://localhost",
        )  # fmt: skip

    for _ in range(5):
        assert "用户名或密码不对" in attempt("wrong-password").text
    refused = attempt(PASSWORD)  # even the right password, for a while
    assert refused.status_code == 401 and "登录失败次数过多" in refused.text


def test_every_page_carries_the_security_headers(web):
    clerk = web.client("zhou", "clerk")
    response = web.get(clerk, "/status")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    cookie = web.get(web.client(), "/login").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie


def test_user_commands(run, config_file):
    import io
    import sys

    sys.stdin = io.StringIO(PASSWORD + "\n")
    try:
        assert run("user", "add", "--username", "jiang", "--role", "volunteer", "--password-stdin").code == 2
        sys.stdin = io.StringIO(PASSWORD + "\n")
        added = run("user", "add", "--username", "jiang", "--role", "volunteer", "--password-stdin",
                    "--person", "蒋志愿者")  # fmt: skip
        assert added.code == 0, added.err
        sys.stdin = io.StringIO("short\n")
        short = run("user", "add", "--username", "wang", "--role", "clerk", "--password-stdin")
        assert short.code == 2 and "password: at least 8" in short.err
    finally:
        sys.stdin = sys.__stdin__
    listed = run("user", "list")
    assert "jiang\tvolunteer\tshigu\t蒋志愿者" in listed.out
    import sqlite3

    with sqlite3.connect(config_file.parent / "antifraud.db") as db:  # the password is kept as an argon2id hash only
        [(stored,)] = db.execute("SELECT password_hash FROM users WHERE username = 'jiang'").fetchall()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert run("user", "disable", "--username", "jiang").code == 0
    assert "disabled" in run("user", "list").out
    assert run("user", "disable", "--username", "nobody").code == 2


def test_behind_a_proxy_failed_logins_count_per_client_address(config_file, frozen_clock, monkeypatch):
    """With web.proxies: 1, one client guessing passwords does not lock out everyone behind the proxy."""
    from webtools import Web

    monkeypatch.delenv("ANTIFRAUD_DATABASE_URL", raising=False)
    config_file.write_text(config_file.read_text(encoding="utf-8") + "web: {proxies: 1}\n", encoding="utf-8")
    web = Web(config_file)
    web.add_user("zhou", "clerk")
    for username in [f"guess{i}" for i in range(20)]:
        client = web.client()
        client.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.9"
        page = web.get(client, "/login")
        client.post(
            "/login", data={"csrf_token": csrf_token(page.text), "username": username, "password": "nope-nope"},
            base_url="https://localhost",
        )  # fmt: skip
    colleague = web.client()
    colleague.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.7"
    page = web.get(colleague, "/login")
    ok = colleague.post(
        "/login", data={"csrf_token": csrf_token(page.text), "username": "zhou", "password": PASSWORD},
        base_url="https://localhost",
    )  # fmt: skip
    assert ok.status_code == 302


# -- /status shows what the CLI's `status` shows


STATUS_DAY = "2026-11-22"  # yesterday on the frozen clock


def shown(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.split("<h1>", 1)[1]))


def test_the_status_page_shows_owed_work_outbox_counts_and_last_errors(web, run, robots, monkeypatch):
    monkeypatch.setenv("AF_TEST_STAFF", robots.wecom_url("staff"))
    assert run("incident", "add", "--date", STATUS_DAY, "--category", "刷单返利", "--loss", "800").code == 0
    clerk = web.client("zhou", "clerk")
    before = shown(web.get(clerk, "/status").text)
    shigu = before.split("石鼓社区警务室", 1)[1].split("青福社区警务室", 1)[0]
    assert re.search(r"待生成预警：\s*[\d、-]*" + STATUS_DAY, shigu), shigu  # nothing rendered yet: owed
    robots.fail_next("staff", "errcode:93000", times=2)  # the robot refuses: both rows parked
    web.post(clerk, f"{f'/warnings/{STATUS_DAY}'}/render", form_page=f"/warnings/{STATUS_DAY}")
    web.post(clerk, f"{f'/warnings/{STATUS_DAY}'}/publish", form_page=f"/warnings/{STATUS_DAY}")
    after = shown(web.get(clerk, "/status").text)
    shigu = after.split("石鼓社区警务室", 1)[1].split("青福社区警务室", 1)[0]
    assert STATUS_DAY not in shigu.split("待发布预警", 1)[0]  # rendered: no longer owed
    assert "搁置 2" in after and "errcode 93000" in after.split("最近的错误", 1)[1]
