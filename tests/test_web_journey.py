"""A morning and a week in the web UI, in a real headless Chromium against a real `antifraud serve`
and the local robot server (issue 12's "done when"): a clerk enters and uploads incidents, a chief
approves (a clerk may not), the warning goes to the robot group, a folder group is forwarded by hand,
and a volunteer sees only their shifts and says they cannot come to one.

The server runs on the real clock (it is another process), so days are computed from today.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from webtools import Server, Web, log_in

ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def station(config_file, robots, monkeypatch):
    """The shipped Shigu example with approval on and its robot groups on the local robot server."""
    from conftest import REPO

    text = (REPO / "config.yaml").read_text(encoding="utf-8")
    text = text.replace("channel: dingtalk", "channel: wecom").replace(
        "        secret_env: AF_DINGTALK_VOLUNTEERS_SECRET\n", ""
    )
    text = text.replace("require_approval: false", "require_approval: true")
    assert "require_approval: true" in text
    config_file.write_text(text, encoding="utf-8")
    env = {
        "AF_WECOM_STAFF": robots.wecom_url("staff"),
        "AF_WECOM_RESIDENTS_1": robots.wecom_url("residents"),
        "AF_DINGTALK_VOLUNTEERS": robots.wecom_url("volunteers"),
        "ANTIFRAUD_DATABASE_URL": "",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("ANTIFRAUD_DATABASE_URL")
    return config_file


def accept_dialogs(page):
    page.on("dialog", lambda dialog: dialog.accept())


def test_a_morning_and_a_week_in_the_browser(station, robots, phone, tmp_path):
    import openpyxl

    from antifraud.outreach.service import plan_and_store
    from antifraud.outreach.store import week_of

    today = datetime.now(ZONE).date()
    yesterday, tomorrow = today - timedelta(days=1), today + timedelta(days=1)
    web = Web(station)
    for username, role in (("zhou", "clerk"), ("li", "chief")):
        web.add_user(username, role)
    # Next week's rota, planned as the daemon would, and a volunteer on one of its stalls.
    app = web.app
    shigu = app.settings.stations[0]
    next_monday = today + timedelta(days=7 - today.weekday())
    with app.db.session() as session:
        plan = plan_and_store(session, app.settings, shigu, week_of(next_monday), now=datetime.now(ZONE))
    volunteer = next(p[0] for e in plan.events if e.kind == "street_stall" for p in e.people if p[1] == "volunteer")
    web.add_user("vol", "volunteer", person=volunteer)
    errors: list[str] = []
    phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    accept_dialogs(phone)

    with Server(station) as server:
        url = server.url
        # -- the clerk enters yesterday's incidents --------------------------------------------------------
        log_in(phone, url, "zhou")
        assert phone.url.endswith("/incidents")
        phone.goto(f"{url}/incidents/new")
        phone.fill("input[name=date]", tomorrow.isoformat())
        phone.select_option("select[name=category]", value="order_brushing")
        phone.fill("input[name=loss]", "3000")
        # The browser itself refuses a future date (max=today) ...
        assert phone.evaluate("document.querySelector('input[name=date]').validity.rangeOverflow")
        # ... and where it does not (an old phone browser), the server says so beside the field.
        phone.evaluate("document.querySelector('input[name=date]').removeAttribute('max')")
        phone.click("main form button[type=submit]")
        date_error = phone.locator(".field-error .error-text").first
        assert "将来的日期" in date_error.inner_text()
        # A form post without the CSRF token is refused, in the browser's own logged-in session.
        bare = phone.request.post(
            f"{url}/incidents/new", form={"date": yesterday.isoformat(), "category": "order_brushing"}
        )
        assert bare.status == 400, bare.status
        phone.fill("input[name=date]", yesterday.isoformat())
        phone.fill("textarea[name=summary]", "被骗子以刷单返利为由骗走3000元，对方电话13912345678。")
        phone.click("main form button[type=submit]")
        phone.wait_for_selector(".flash")
        assert "已隐去1个手机号" in phone.inner_text(".flash")
        # ... and uploads a spreadsheet made from the page's own template.
        with phone.expect_download() as download:
            phone.goto(f"{url}/incidents/import")
            phone.click("text=下载模板")
        template = tmp_path / "模板.xlsx"
        download.value.save_as(template)
        workbook = openpyxl.load_workbook(template)
        header = [cell.value for cell in workbook.active[1]]
        row = {"日期": yesterday.isoformat(), "类别": "冒充电商物流客服", "损失金额": "5000", "地点": "石鼓社区"}
        workbook.active.append([row.get(title) for title in header])
        upload = tmp_path / "警情.xlsx"
        workbook.save(upload)
        phone.set_input_files("input[type=file]", str(upload))
        phone.click("main form[enctype] button[type=submit]")
        phone.wait_for_selector(".flash")
        assert "导入1条" in phone.inner_text(".flash")
        phone.goto(f"{url}/incidents?date={yesterday.isoformat()}")
        assert "8,000" in phone.inner_text(".total")  # 3000 + 5000, both listed

        # -- the warning: rendered, a clerk may not approve it -----------------------------------------------
        phone.goto(f"{url}/warnings/{yesterday.isoformat()}")
        phone.click("button:has-text('生成')")
        phone.wait_for_selector("img.poster")
        assert phone.evaluate("document.querySelector('img.poster').naturalWidth") == 1080
        assert phone.locator("button:has-text('审批通过')").count() == 0
        token = phone.get_attribute("input[name=csrf_token]", "value")
        refused = phone.request.post(
            f"{url}/warnings/{yesterday.isoformat()}/approve", form={"csrf_token": token}, max_redirects=0
        )
        assert refused.status == 403
        phone.click("button:has-text('退出')")
        phone.wait_for_url(re.compile("/login"))

        # -- the chief approves and publishes; the robot group gets it ----------------------------------------
        log_in(phone, url, "li")
        phone.goto(f"{url}/warnings/{yesterday.isoformat()}")
        phone.click("button:has-text('审批通过')")
        phone.click("button:has-text('发布')")
        phone.wait_for_selector("text=已发送")
        assert [m["msgtype"] for m in robots.messages("staff")][:2] == ["image", "text"]
        staff_group = phone.locator("ul.list > li:has(.head strong:text-is('石鼓工作群'))")
        assert "已发送" in staff_group.locator(".head .tag").inner_text()  # that group's own state

        # -- the residents' WeChat group has no robot: forwarded by hand ---------------------------------------
        phone.goto(f"{url}/forward/{yesterday.isoformat()}")
        assert "未转发" in phone.inner_text("main")
        forward_buttons = phone.locator("form button:has-text('已转发')")
        forward_buttons.first.wait_for()
        assert forward_buttons.count() == 2  # the residents' group and the older residents' (its own variant)
        for _ in range(2):
            with phone.expect_navigation():
                forward_buttons.first.click()
        phone.wait_for_selector("text=全部已转发")
        phone.click("button:has-text('退出')")

        # -- a volunteer sees their own shifts and cannot come to one -----------------------------------------
        log_in(phone, url, "vol")
        assert phone.url.endswith("/rota/mine")
        page_text = phone.inner_text("main")
        assert volunteer in page_text
        others = {p[0] for e in plan.events for p in e.people} - {volunteer}
        shifts = [e for e in plan.events if volunteer in {p[0] for p in e.people}]
        assert all(e.site in page_text for e in shifts)
        assert phone.goto(f"{url}/rota/{week_of(next_monday)}").status == 403
        phone.goto(f"{url}/rota/mine")
        phone.locator("button:has-text('不能参加')").first.click()
        phone.wait_for_selector("text=已报不能参加")
        assert others  # the rota had other people, and the page named none of them but on shared events
        shared = {p[0] for e in shifts for p in e.people}
        for other in others - shared:
            assert other not in page_text, other
        with app.db.session() as session:
            from antifraud.outreach.store import absences

            assert volunteer in absences(session, shigu, next_monday, next_monday + timedelta(days=6))
    # The refusals above (the future date: 400; approve and the week: 403) are the only failed loads:
    # no missing favicon, script or style, no CSP violation.
    assert [e for e in errors if "status of 403" not in e and "status of 400" not in e] == []
