"""The rota pages (issue 12): the week for the duty staff, 我的排班 with 不能参加, outcomes, the calendar feed."""

import json
from datetime import date

from webtools import csrf_token

from conftest import plan_events

WEEK = "2026-W48"
MONDAY = "2026-11-23"


def stall_volunteer(events) -> tuple[str, dict]:
    """A volunteer on a weekend stall of the week, and that stall."""
    for e in events:
        if e["kind"] == "street_stall":
            for p in e["people"]:
                if p["role"] == "volunteer":
                    return p["name"], e
    raise AssertionError("no volunteer on a stall")


def test_the_clerk_sees_the_week_by_day(shigu, web, run, frozen_clock):
    events = plan_events(run, WEEK)
    clerk = web.client("zhou", "clerk")
    page = web.get(clerk, f"/rota/{WEEK}")
    assert page.status_code == 200
    assert "11月23日" in page.text and "11月29日" in page.text
    for e in events:
        assert e["site"] in page.text
        for p in e["people"]:
            assert p["name"] in page.text
    assert "摆摊宣传" in page.text and "下工厂宣讲" in page.text
    assert "第1版" in page.text and "未发布" in page.text
    assert "2026-W47" in page.text and "2026-W49" in page.text  # week navigation
    assert web.get(clerk, "/rota").text == page.text  # /rota is this week
    empty = web.get(clerk, "/rota/2026-W50")
    assert empty.status_code == 200 and "还没有排班" in empty.text
    assert web.get(clerk, "/rota/nonsense").status_code == 404


def test_a_volunteer_sees_only_their_own_shifts(shigu, web, run, frozen_clock):
    events = plan_events(run, WEEK)
    name, stall = stall_volunteer(events)
    vol = web.client("jiang", "volunteer", person=name)
    assert web.get(vol, f"/rota/{WEEK}").status_code == 403
    assert web.get(vol, "/rota").status_code == 403
    page = web.get(vol, "/rota/mine")
    assert page.status_code == 200 and stall["site"] in page.text and "不能参加" in page.text
    mine = {(e["date"], e["site"]) for e in events if name in {p["name"] for p in e["people"]}}
    others = {p["name"] for e in events for p in e["people"] if (e["date"], e["site"]) not in mine}
    theirs = {p["name"] for e in events for p in e["people"] if (e["date"], e["site"]) in mine}
    assert others - theirs
    for other in others - theirs:
        assert other not in page.text
    nobody = web.client("zhou", "clerk")  # a clerk with no person in config
    assert "没有关联排班人员" in web.get(nobody, "/rota/mine").text


def test_cannot_attend_creates_an_absence_the_clerk_sees(shigu, web, run, frozen_clock):
    events = plan_events(run, WEEK)
    name, stall = stall_volunteer(events)
    vol = web.client("jiang", "volunteer", person=name)
    page = web.get(vol, "/rota/mine")
    with web.app.db.session() as session:
        from antifraud.db.models import RotaEvent

        event_id = next(
            r.id
            for r in session.query(RotaEvent).all()
            if r.day.isoformat() == stall["date"] and r.site == stall["site"] and r.kind == "street_stall"
        )
    refused = vol.post(f"/rota/mine/{event_id}/away", data={"reason": "家里有事"}, base_url="https://localhost")
    assert refused.status_code == 400  # no CSRF token
    done = vol.post(
        f"/rota/mine/{event_id}/away",
        data={"csrf_token": csrf_token(page.text), "reason": "家里有事"},
        base_url="https://localhost",
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/rota/mine")
    after = web.get(vol, "/rota/mine")
    assert "已报不能参加" in after.text and "家里有事" in after.text

    with web.app.db.session() as session:
        from antifraud.outreach.store import absences

        station = web.app.settings.stations[0]
        day = date.fromisoformat(stall["date"])
        away = absences(session, station, day, day)
        assert list(away[name].values()) == ["家里有事"]
    kept = run("outreach", "plan", "--week", WEEK)
    assert kept.code == 4 and name in kept.out  # the kept plan clashes with the absence

    clerk = web.client("zhou", "clerk")
    week = web.get(clerk, f"/rota/{WEEK}")
    assert "需要重新排班" in week.text
    day = stall["date"]
    assert f"{int(day[5:7])}月{int(day[8:10])}日 {stall['site']}</a>：{name} 不能参加（家里有事）" in week.text
    assert f"antifraud outreach plan --week {WEEK} --replan" in week.text
    with web.app.db.session() as session:
        from antifraud.accounts.service import audit_entries

        assert "rota.cannot_attend" in [e.action for e in audit_entries(session)]

    # The duty staff re-plan from the page: the volunteer is off that stall, nothing left to re-plan.
    replanned = web.post(clerk, f"/rota/{WEEK}/plan", {"replan": "1"}, form_page=f"/rota/{WEEK}")
    assert replanned.status_code == 302
    week = web.get(clerk, f"/rota/{WEEK}")
    assert "需要重新排班" not in week.text and "第2版" in week.text
    # The volunteer's calendar feed now cancels that shift, under its old UID, at the new revision.
    import icalendar

    with web.app.db.session() as session:
        from antifraud.db.models import User

        token = session.query(User).filter_by(username="jiang").one().calendar_token
    feed = icalendar.Calendar.from_ical(web.get(web.client(), f"/ical/{token}.ics").data)
    cancelled = [v for v in feed.walk("VEVENT") if str(v["status"]) == "CANCELLED"]
    assert [str(v["location"]) for v in cancelled] == [stall["site"]]
    assert {int(v["sequence"]) for v in feed.walk("VEVENT")} == {2}
    after = json.loads(run("outreach", "plan", "--week", WEEK, "--format", "json").out)
    assert all(name not in {p["name"] for p in e["people"]} for e in after["events"] if e["date"] == stall["date"])


def test_the_calendar_feed(shigu, web, run, frozen_clock):
    events = plan_events(run, WEEK)
    name, stall = stall_volunteer(events)
    web.client("jiang", "volunteer", person=name)
    with web.app.db.session() as session:
        from antifraud.db.models import User

        token = session.query(User).filter_by(username="jiang").one().calendar_token
    anonymous = web.client()
    feed = web.get(anonymous, f"/ical/{token}.ics")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    body = feed.data.decode("utf-8")
    assert body.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in body
    import icalendar

    calendar = icalendar.Calendar.from_ical(feed.data)
    summaries = [str(v["summary"]) for v in calendar.walk("VEVENT")]
    mine = [e for e in events if name in {p["name"] for p in e["people"]}]
    assert len(summaries) == len(mine) and all(name in s for s in summaries)
    assert any(stall["site"] in s for s in summaries)
    # The same UIDs as the rota-<name>.ics file the plan wrote.
    written = next((web.app.settings.resolve(web.app.settings.output_dir) / "rota" / WEEK).glob(f"*/rota-{name}.ics"))
    file_uids = {str(v["uid"]) for v in icalendar.Calendar.from_ical(written.read_bytes()).walk("VEVENT")}
    assert {str(v["uid"]) for v in calendar.walk("VEVENT")} == file_uids
    assert web.get(anonymous, "/ical/not-a-token.ics").status_code == 404
    admin = web.client("boss", "admin")
    assert web.post(admin, "/users/jiang/disable", form_page="/users").status_code == 302
    assert web.get(anonymous, f"/ical/{token}.ics").status_code == 404


def test_the_outcome_form_records_what_happened(shigu, web, run, frozen_clock):
    events = plan_events(run, WEEK)
    talk = next(e for e in events if e["date"] == MONDAY)
    clerk = web.client("zhou", "clerk")
    with web.app.db.session() as session:
        from antifraud.db.models import RotaEvent

        event_id = next(
            r.id for r in session.query(RotaEvent).all() if r.day.isoformat() == MONDAY and r.site == talk["site"]
        )
        future_id = next(r.id for r in session.query(RotaEvent).all() if r.day.isoformat() > MONDAY)
    page = web.get(clerk, f"/rota/{WEEK}")
    assert f"/rota/event/{event_id}/record" in page.text  # today's event has the form
    assert f"/rota/event/{future_id}/record" not in page.text  # a later one not yet
    path = f"/rota/event/{event_id}/record"
    refused = clerk.post(path, data={"attendance": "80"}, base_url="https://localhost")
    assert refused.status_code == 400 and "安全令牌" in refused.text
    bad = web.post(clerk, path, {"attendance": "很多"}, form_page=f"/rota/{WEEK}")
    assert bad.status_code == 400 and "参加人数：请填" in bad.text
    empty = web.post(clerk, path, {}, form_page=f"/rota/{WEEK}")
    assert empty.status_code == 400 and "请至少填写一项" in empty.text
    ahead = web.post(clerk, f"/rota/event/{future_id}/record", {"attendance": "5"}, form_page=f"/rota/{WEEK}")
    assert ahead.status_code == 400 and "还没有举行" in ahead.text
    done = web.post(
        clerk,
        path,
        {"attendance": "80", "leaflets": "150", "registrations": "22", "notes": "车间主任配合"},
        form_page=f"/rota/{WEEK}",
    )
    assert done.status_code == 302
    page = web.get(clerk, f"/rota/{WEEK}")
    assert "已登记" in page.text and "车间主任配合" in page.text
    report = json.loads(run("outreach", "report", "--from", MONDAY, "--to", "2026-11-29", "--format", "json").out)
    kind = talk["kind"]
    assert report[kind]["recorded"] == 1
    assert (report[kind]["attendance"], report[kind]["leaflets"], report[kind]["registrations"]) == (80, 150, 22)
    with web.app.db.session() as session:
        from antifraud.accounts.service import audit_entries

        assert "rota.record" in [e.action for e in audit_entries(session)]
    vol = web.client("jiang", "volunteer", person="蒋志愿者")
    token = csrf_token(web.get(vol, "/rota/mine").text)
    assert (
        vol.post(path, data={"csrf_token": token, "attendance": "1"}, base_url="https://localhost").status_code == 403
    )


def test_the_rota_pages_fit_a_phone(shigu, web, run, frozen_clock):
    """No inline style or script on the pages (the CSP forbids them); every form carries its token."""
    plan_events(run, WEEK)
    clerk = web.client("zhou", "clerk")
    for path in (f"/rota/{WEEK}", "/rota/mine"):
        text = web.get(clerk, path).text
        assert "style=" not in text and "<script>" not in text
        assert text.count("<form") == text.count('name="csrf_token"')


def test_the_rota_pages_fit_a_phone_without_scrolling_sideways(shigu, web, run, frozen_clock, phone):
    from webtools import Server, log_in

    events = plan_events(run, WEEK)
    name, _ = stall_volunteer(events)
    web.add_user("zhou", "clerk")
    web.add_user("jiang", "volunteer", person=name)
    # plain http on 127.0.0.1: the session cookie may not be Secure-only here
    shigu.write_text(shigu.read_text(encoding="utf-8") + "web: {secure_cookies: false}\n", encoding="utf-8")
    with Server(shigu) as server:
        for username, paths in (("zhou", (f"/rota/{WEEK}", "/rota/2026-W50")), ("jiang", ("/rota/mine",))):
            phone.context.clear_cookies()
            log_in(phone, server.url, username)
            for path in paths:
                response = phone.goto(f"{server.url}{path}")
                assert response.ok, path
                width = phone.evaluate("document.documentElement.scrollWidth")
                assert width <= 390, (path, width)
                small = phone.evaluate(
                    "[...document.querySelectorAll('main button, main a.button')]"
                    ".filter(e => e.getBoundingClientRect().height < 34).length"
                )
                assert small == 0, path
