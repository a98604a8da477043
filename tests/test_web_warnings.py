"""The warning and forward pages: render, approve, publish, what each group got, retry, forward by hand."""

import pytest
from webtools import csrf_token

DAY = "2026-11-22"  # yesterday on the frozen clock
PAGE = f"/warnings/{DAY}"
FORWARD = f"/forward/{DAY}"


def add_incident(run, day=DAY, loss="800"):
    result = run("incident", "add", "--date", day, "--category", "刷单返利", "--loss", loss)
    assert result.code == 0, result.err


@pytest.fixture
def staff_robot(robots, monkeypatch):
    monkeypatch.setenv("AF_TEST_STAFF", robots.wecom_url("staff"))
    return robots


@pytest.fixture
def approving_web(config_file, frozen_clock, monkeypatch):
    """The web UI on a config that needs a chief's approval before a warning goes out."""
    from webtools import Web

    monkeypatch.delenv("ANTIFRAUD_DATABASE_URL", raising=False)
    config_file.write_text(
        config_file.read_text(encoding="utf-8") + "publish: {require_approval: true}\n", encoding="utf-8"
    )
    return Web(config_file)


def audit_actions(web):
    from antifraud.accounts.service import audit_entries

    with web.app.db.session() as session:
        return [e.action for e in audit_entries(session)]


def test_an_unrendered_day_then_render_shows_poster_and_text(web, run):
    add_incident(run)
    clerk = web.client("zhou", "clerk")
    page = web.get(clerk, "/warnings")  # default: yesterday
    assert page.status_code == 200 and "未生成" in page.text and "11月22日" in page.text
    assert web.get(clerk, f"{PAGE}/poster.png").status_code == 404

    made = web.post(clerk, f"{PAGE}/render", form_page=PAGE)
    assert made.status_code == 302 and made.headers["Location"].startswith(PAGE)
    page = web.get(clerk, PAGE)
    assert "已生成" in page.text and "重新生成" in page.text and "发布" in page.text
    assert "刷单返利" in page.text and '<pre class="text"' in page.text
    assert "poster.png" in page.text
    poster = web.get(clerk, f"{PAGE}/poster.png?station=shigu")
    assert poster.status_code == 200 and poster.mimetype == "image/png"
    assert poster.data.startswith(b"\x89PNG")
    assert "warning.render" in audit_actions(web)


def test_re_render_after_an_incident_changed_clears_the_stale_note(web, run, frozen_clock):
    add_incident(run)
    clerk = web.client("zhou", "clerk")
    web.post(clerk, f"{PAGE}/render", form_page=PAGE)
    frozen_clock.shift(60)
    add_incident(run, loss="1200")
    page = web.get(clerk, PAGE)
    assert "预警内容可能已过时" in page.text
    frozen_clock.shift(60)
    assert web.post(clerk, f"{PAGE}/render", form_page=PAGE).status_code == 302
    page = web.get(clerk, PAGE)
    assert "预警内容可能已过时" not in page.text and "警情 2 起" in page.text


def test_approval_by_a_chief_and_a_clerk_is_refused(approving_web, run, staff_robot):
    web = approving_web
    add_incident(run)
    clerk = web.client("zhou", "clerk")
    web.post(clerk, f"{PAGE}/render", form_page=PAGE)
    page = web.get(clerk, PAGE)
    assert "草稿待审批" in page.text and "审批通过" not in page.text  # no button for a clerk
    assert f"{PAGE}/publish" not in page.text
    assert web.post(clerk, f"{PAGE}/approve", form_page=PAGE).status_code == 403
    refused = web.post(clerk, f"{PAGE}/publish", form_page=PAGE)  # a draft is not published
    assert refused.status_code == 302 and "需所长审批" in web.get(clerk, PAGE).text
    assert staff_robot.messages("staff") == []

    chief = web.client("wang", "chief")
    assert "审批通过" in web.get(chief, PAGE).text
    assert web.post(chief, f"{PAGE}/approve", form_page=PAGE).status_code == 302
    page = web.get(chief, PAGE)
    assert "已审批" in page.text and "wang 审批于" in page.text and f"{PAGE}/publish" in page.text
    assert "warning.approve" in audit_actions(web)


def test_publish_sends_to_the_robot_and_shows_each_group(web, run, staff_robot):
    add_incident(run)
    clerk = web.client("zhou", "clerk")
    web.post(clerk, f"{PAGE}/render", form_page=PAGE)
    sent = web.post(clerk, f"{PAGE}/publish", form_page=PAGE)
    assert sent.status_code == 302
    kinds = [m["msgtype"] for m in staff_robot.messages("staff")]
    assert kinds == ["image", "text"]
    assert "刷单返利" in staff_robot.messages("staff")[1]["body"]["text"]["content"]
    page = web.get(clerk, PAGE)
    assert "已发布" in page.text and "已全部发送" in page.text
    assert page.text.count("已发送 ✓") >= 4  # both groups, and each of their rows
    assert "石鼓工作群" in page.text and "石鼓居民微信群" in page.text
    assert "warning.publish" in audit_actions(web)


def test_a_parked_delivery_shows_the_robot_message_and_retry_sends_it(web, run, robots, monkeypatch):
    monkeypatch.setenv("AF_TEST_STAFF", robots.wecom_url("staff"))
    robots.fail_next("staff", "errcode:93000", times=2)  # the robot says the webhook is invalid: permanent
    add_incident(run)
    clerk = web.client("zhou", "clerk")
    web.post(clerk, f"{PAGE}/render", form_page=PAGE)
    web.post(clerk, f"{PAGE}/publish", form_page=PAGE)
    page = web.get(clerk, PAGE)
    assert "发送失败" in page.text and "已搁置" in page.text and "errcode 93000" in page.text
    assert f"{PAGE}/retry" in page.text and ">重试<" in page.text
    assert robots.messages("staff") == []

    retried = web.post(clerk, f"{PAGE}/retry?station=shigu", {"id": parked_ids(web)}, form_page=PAGE)
    assert retried.status_code == 302
    assert [m["msgtype"] for m in robots.messages("staff")] == ["image", "text"]
    page = web.get(clerk, PAGE)
    assert "已搁置" not in page.text and "已重新排队 2 条消息" in page.text
    assert "delivery.retry" in audit_actions(web)
    # a row that is no longer parked is not retried again
    again = web.post(clerk, f"{PAGE}/retry", {"id": parked_ids(web) or ["1"]}, form_page=PAGE)
    assert again.status_code == 302 and "已不在搁置状态" in web.get(clerk, PAGE).text


def parked_ids(web):
    from sqlalchemy import select

    from antifraud.db.models import Delivery

    with web.app.db.session() as session:
        return [str(i) for i in session.scalars(select(Delivery.id).where(Delivery.status == "parked"))]


def test_the_forward_page_lists_the_folder_group_and_records_the_tick(web, run, staff_robot):
    add_incident(run)
    clerk = web.client("zhou", "clerk")
    assert "没有需要人工转发的内容" in web.get(clerk, FORWARD).text
    web.post(clerk, f"{PAGE}/render", form_page=PAGE)
    web.post(clerk, f"{PAGE}/publish", form_page=PAGE)

    page = web.get(clerk, "/forward")  # default: yesterday
    assert page.status_code == 200
    assert "还有1个群未转发" in page.text and "石鼓居民微信群" in page.text
    assert "石鼓工作群" not in page.text.split("</header>", 1)[1]  # the robot group needs no hand
    assert "长按图片保存" in page.text and "复制文字" in page.text and "readonly" in page.text
    assert "刷单返利" in page.text and 'data-copy="f1-text"' in page.text
    image_url = page.text.split('src="/forward/image/', 1)[1].split('"', 1)[0]
    image = web.get(clerk, "/forward/image/" + image_url.replace("&amp;", "&"))
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG")

    done = web.post(clerk, f"{FORWARD}/done", {"group": "石鼓居民微信群", "subject": f"warning:{DAY}"}, FORWARD)
    assert done.status_code == 302
    page = web.get(clerk, FORWARD)
    assert "全部已转发" in page.text and "已转发 · zhou · 09:00" in page.text
    assert "还有1个群未转发" not in page.text
    assert "forward.done" in audit_actions(web)
    from sqlalchemy import select

    from antifraud.db.models import Forward

    with web.app.db.session() as session:
        [tick] = session.scalars(select(Forward)).all()
        assert (tick.group_name, tick.subject, tick.by) == ("石鼓居民微信群", f"warning:{DAY}", "zhou")
    unknown = web.post(clerk, f"{FORWARD}/done", {"group": "石鼓工作群", "subject": f"warning:{DAY}"}, FORWARD)
    assert unknown.status_code == 404  # not a folder group


def test_the_poster_route_reads_only_the_rendered_poster(web, run):
    add_incident(run)
    clerk = web.client("zhou", "clerk")
    web.post(clerk, f"{PAGE}/render", form_page=PAGE)
    for path in (
        "/warnings/..%2F..%2Fconfig.yaml/poster.png",
        "/warnings/../../config.yaml/poster.png",
        "/warnings/2026-11-21/poster.png",
        "/forward/image/9999",
        "/warnings/not-a-day",
    ):
        assert web.get(clerk, path).status_code == 404, path


def test_volunteers_and_strangers_are_kept_out(web, run):
    add_incident(run)
    volunteer = web.client("jiang", "volunteer", "蒋志愿者")
    for path in (PAGE, "/warnings", FORWARD, f"{PAGE}/poster.png"):
        assert web.get(volunteer, path).status_code == 403, path
    clerk = web.client("zhou", "clerk")
    token = csrf_token(web.get(volunteer, "/rota/mine").text)
    refused = volunteer.post(f"{PAGE}/render", data={"csrf_token": token}, base_url="https://localhost")
    assert refused.status_code == 403  # a valid token: the refusal is the role check, not CSRF
    stranger = web.client()
    for path in (PAGE, FORWARD, f"{PAGE}/poster.png"):
        response = web.get(stranger, path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path
    assert web.get(clerk, PAGE).status_code == 200


def test_pages_have_no_inline_script_or_style(web, run, staff_robot):
    add_incident(run)
    clerk = web.client("zhou", "clerk")
    web.post(clerk, f"{PAGE}/render", form_page=PAGE)
    web.post(clerk, f"{PAGE}/publish", form_page=PAGE)
    for path in (PAGE, FORWARD):
        text = web.get(clerk, path).text
        assert "style=" not in text and "<script>" not in text
        assert text.count('name="csrf_token"') >= 2


def test_the_forward_page_shows_each_groups_own_variant_side_by_side(config_file, frozen_clock, monkeypatch, run):
    """Two hand-forwarded groups of two audiences: each gets its audience's poster and text."""
    from webtools import Web

    monkeypatch.delenv("ANTIFRAUD_DATABASE_URL", raising=False)
    text = config_file.read_text(encoding="utf-8").replace(
        "      - {name: 石鼓居民微信群, channel: folder, audience: residents}\n",
        "      - {name: 石鼓居民微信群, channel: folder, audience: residents}\n"
        "      - {name: 石鼓长者微信群, channel: folder, audience: elderly}\n",
    )
    config_file.write_text(text, encoding="utf-8")
    web = Web(config_file)
    add_incident(run, loss="8000")
    assert run("incident", "add", "--date", DAY, "--category", "百万医疗", "--loss", "500").code == 0
    clerk = web.client("zhou", "clerk")
    web.post(clerk, f"{PAGE}/render", form_page=PAGE)
    web.post(clerk, f"{PAGE}/publish", form_page=PAGE)

    page = web.get(clerk, FORWARD).text
    assert 'class="variants"' in page and "居民版" in page and "老年人版" in page
    body = page.split("</header>", 1)[1]
    residents, elderly = body.split("<h2>石鼓居民微信群", 1)[1], body.split("<h2>石鼓长者微信群", 1)[1]
    images = [part.split('src="/forward/image/', 1)[1].split('"', 1)[0] for part in (residents, elderly)]
    posters = [web.get(clerk, "/forward/image/" + url.replace("&amp;", "&")).data for url in images]
    folder = config_file.parent / "posters" / DAY / "shigu"
    assert posters == [(folder / "warning.png").read_bytes(), (folder / "warning-elderly.png").read_bytes()]
    # The elderly text leads with their kind of case (百万医疗), the residents' with the day's largest loss.
    assert residents.index("【典型案例") < residents.index("刷单返利：")
    assert "【典型案例1】“百万医疗保险”关闭扣费" in elderly or "【典型案例】“百万医疗保险”关闭扣费" in elderly

    # The warning page shows each audience's own version too, for whoever approves and publishes.
    day_page = web.get(clerk, PAGE).text
    assert "各受众版本" in day_page and "老年人版" in day_page
    shown = web.get(clerk, f"/warnings/{DAY}/poster-elderly.png")
    assert shown.status_code == 200 and shown.data == (folder / "warning-elderly.png").read_bytes()
    assert web.get(clerk, f"/warnings/{DAY}/poster-parents.png").status_code == 404  # no such variant that day
