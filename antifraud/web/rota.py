"""The outreach rota: the whole week for the duty staff (with what needs re-planning and the outcome forms),
each person's own shifts with a 不能参加 button, and each person's calendar feed (no login, by token).

Everything goes through the same service functions as `antifraud outreach plan/away/record`; the cards say
what the rota image says (rota_view.card, the rota layout's words), the feed is built like rota-<name>.ics.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from ..errors import AntifraudError, InputError
from ..vocab import role_name
from .auth import requires
from .common import current_station, db_session, services, who, zh_error

bp = Blueprint("rota", __name__)

MINE_WEEKS = 5  # 我的排班: this week and the next four
FEED_WEEKS_BACK, FEED_WEEKS_AHEAD = 2, 6  # the calendar feed: two weeks back to six ahead
OUTCOME_FIELDS = ("attendance", "leaflets", "registrations")
OUTCOME_LABELS = {"attendance": "参加人数", "leaflets": "发放传单", "registrations": "注册反诈App人数", "notes": "备注"}
OUTCOME_MAX = 100000  # as `outreach record` (click.IntRange(0, 100000))
NOTES_MAX = 500
REASON_MAX = 100


# ----------------------------------------------------------------------------------------------- helpers


def _layout():
    from ..outreach.rota_layout import load_rota_layout

    settings = services().settings
    return load_rota_layout(settings.resolve(settings.templates_dir))


def _directory(station):
    from ..outreach.rota_view import Directory

    return Directory.of(services().settings, station)


def _week_or_404(text: str | None, today: date) -> tuple[str, date]:
    from ..outreach.store import parse_week

    try:
        return parse_week(text or "this", today)
    except InputError:
        abort(404)


def _here(station) -> dict:
    """?station= for a user of every station on an install with several: kept across links and redirects."""
    from flask_login import current_user

    if getattr(current_user, "station_code", None) or len(services().settings.stations) < 2:
        return {}
    return {"station": station.code}


def _md(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _card_view(row, directory, layout, today: date, away: dict) -> dict:
    """One event as the page shows it: the card the rota image draws, plus who cannot come and the outcome."""
    from ..outreach.rota_view import card, time_range
    from ..outreach.store import as_event

    c = card(as_event(row), directory)
    e = c.event

    def person(p):
        return {"name": p[0], "role": role_name(p[1]), "away": e.date in away.get(p[0], {})}

    return {
        "id": row.id,
        "date": e.date,
        "time": time_range(e),
        "kind": e.kind,
        "site": e.site,
        "topic": e.topic,
        "lead_label": layout.lead_label(e.kind),
        "members_label": layout.members_label(e.kind),
        "officers_label": layout.labels.officers,
        "topic_label": layout.labels.topic,
        "lead": person(c.lead) if c.lead else None,
        "lead_phone": c.lead_phone,
        "members": [person(p) for p in c.members],
        "officers": [person(p) for p in c.officers],
        "contact": c.contact,
        "tags": layout.tags(c),
        "past": e.date <= today,  # held (or today): the outcome may be entered
        "recorded": row.recorded_at is not None,
        "outcome": {k: getattr(row, k) for k in (*OUTCOME_FIELDS, "notes")},
        "recorded_by": row.recorded_by,
    }


# ---------------------------------------------------------------------------------------------- the week


@bp.route("/rota")
@bp.route("/rota/<week>")
@requires("rota")
def week(week=None):
    return _week_page(week)


def _week_page(week_text, errors=None, form=None, status=200):
    from ..outreach.store import absences, conflicts, find_week, settled, week_of

    app = services()
    station = current_station()
    today = app.today(station.code)
    now = app.now(station.code)
    week_id, monday = _week_or_404(week_text, today)
    sunday = monday + timedelta(days=6)
    directory, layout = _directory(station), _layout()
    with db_session() as s:
        row = find_week(s, station, week_id)
        away = absences(s, station, monday, sunday)
        plan = None
        if row is not None:
            days = []
            for n in range(7):
                day = monday + timedelta(days=n)
                cards = [_card_view(r, directory, layout, today, away) for r in row.events if r.day == day]
                cards.sort(key=lambda c: c["time"])
                days.append({"date": day, "label": layout.day_label(day), "cards": cards})
            replan = [
                {
                    "id": r.id,
                    "date": r.day,
                    "site": r.site,
                    "name": name,
                    "reason": away.get(name, {}).get(r.day),
                }
                for r, name in conflicts(s, station, row.events)
                if not settled(r, now)
            ]
            plan = {
                "revision": row.revision,
                "published": row.published_revision,
                "planned_at": row.planned_at.astimezone(app.settings.station_timezone(station)),
                "problems": list(row.problems or []),
                "days": days,
                "replan": replan,
                "events": len(row.events),
            }
        away_list = sorted(
            ((day, name, reason) for name, ds in away.items() for day, reason in ds.items()), key=lambda x: x
        )
    return (
        render_template(
            "rota.html",
            title=f"排班 {week_id}",
            week=week_id,
            monday=monday,
            sunday=sunday,
            this_week=week_of(today),
            prev_week=week_of(monday - timedelta(days=7)),
            next_week=week_of(monday + timedelta(days=7)),
            plan=plan,
            away=away_list,
            station=station,
            errors=errors or {},
            form=form or {},
            labels=OUTCOME_LABELS,
            md=_md,
            here=_here(station),
        ),
        status,
    )


@bp.route("/rota/<week>/plan", methods=["POST"])
@requires("rota")
def plan(week):
    """Plan the week (a week not planned yet) or re-plan it from now on: `antifraud outreach plan [--replan]`."""
    from ..accounts.service import audit
    from ..outreach.service import plan_and_store

    app = services()
    station = current_station()
    week_id, _ = _week_or_404(week, app.today(station.code))
    replan = request.form.get("replan") == "1"
    with db_session() as s:
        result = plan_and_store(s, app.settings, station, week_id, replan, now=app.now(station.code))
        audit(s, who(), "rota.replan" if replan else "rota.plan", station.code, week_id, revision=result.revision)
    done = "已重新排班" if replan else "已排班"
    flash(f"{week_id} {done}（第{result.revision}版）")
    if result.problems:
        flash(f"还有{len(result.problems)}项未满足，见“排班问题”", "warning")
    return redirect(url_for("rota.week", week=week_id, **_here(station)))


class _Refused(Exception):
    """The form has errors: end the transaction without writing and show them."""


def _count(text: str, label: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or int(text) > OUTCOME_MAX:
        raise InputError(f"{label}：请填 0 到 {OUTCOME_MAX} 之间的整数")
    return int(text)


@bp.route("/rota/event/<int:event_id>/record", methods=["POST"])
@requires("rota")
def record(event_id: int):
    """What happened at a talk or stall: the service `antifraud outreach record` uses."""
    from ..accounts.service import audit
    from ..db.models import RotaEvent
    from ..db.reference import station_row
    from ..outreach.service import record_outcome
    from ..outreach.store import week_of

    app = services()
    station = current_station()
    today = app.today(station.code)
    form = {k: request.form.get(k, "") for k in (*OUTCOME_FIELDS, "notes")}
    errors, values = {}, {}
    for key in OUTCOME_FIELDS:
        try:
            values[key] = _count(form[key], OUTCOME_LABELS[key])
        except InputError as exc:
            errors[key] = str(exc)
    notes = form["notes"].strip()
    if len(notes) > NOTES_MAX:
        errors["notes"] = f"备注：共{len(notes)}字，最多{NOTES_MAX}字"
    values["notes"] = notes or None
    if not errors and all(v is None for v in values.values()):
        errors["form"] = "请至少填写一项"

    try:
        with db_session() as s:  # one transaction: nothing is kept when the service refuses
            row = s.get(RotaEvent, event_id)
            if row is None or row.week_row.station_id != station_row(s, station.code).id:
                abort(404)
            day, site, kind, week_id = row.day, row.site, row.kind, week_of(row.day)
            if not errors and day > today:
                errors["form"] = "活动还没有举行，结束后再登记"
            if errors:
                raise _Refused
            record_outcome(s, station, day, site, kind, values, who(), today)
            audit(s, who(), "rota.record", station.code, f"{day.isoformat()} {site}", kind=kind, **values)
    except _Refused:
        pass
    except AntifraudError as exc:
        errors["form"] = zh_error(exc)
    if errors:
        return _week_page(week_id, {event_id: errors}, {event_id: form}, 400)
    flash(f"已登记 {_md(day)} {site} 的活动情况")
    return redirect(url_for("rota.week", week=week_id, **_here(station)) + f"#event-{event_id}")


# --------------------------------------------------------------------------------------------- my shifts


def _person_station(person: str):
    """The station whose people include this name: the logged-in user's, else the first that has them."""
    from flask_login import current_user

    settings = services().settings
    if getattr(current_user, "station_code", None) or request.args.get("station"):
        station = current_station()
        return station if person in {p.name for p in station.people} else None
    return next((st for st in settings.stations if person in {p.name for p in st.people}), None)


def _role_of(card_view: dict, person: str) -> str:
    lead = card_view["lead"]
    if lead and lead["name"] == person:
        return card_view["lead_label"]
    if any(p["name"] == person for p in card_view["officers"]):
        return card_view["officers_label"]
    return card_view["members_label"]


@bp.route("/rota/mine")
@requires("own_shifts")
def mine():
    from flask_login import current_user

    from ..outreach.store import absences, find_week, parse_week, settled

    person = current_user.person
    station = _person_station(person) if person else None
    if station is None:
        return render_template("rota_mine.html", title="我的排班", person=person, station=None, weeks=[])
    app = services()
    today, now = app.today(station.code), app.now(station.code)
    this_monday = today - timedelta(days=today.weekday())
    directory, layout = _directory(station), _layout()
    weeks = []
    with db_session() as s:
        away = absences(s, station, this_monday, this_monday + timedelta(weeks=MINE_WEEKS, days=-1))
        mine_away = away.get(person, {})
        for n in range(MINE_WEEKS):
            week_id, monday = parse_week("this", this_monday + timedelta(weeks=n))
            row = find_week(s, station, week_id)
            if row is None:
                weeks.append({"week": week_id, "monday": monday, "planned": False, "shifts": []})
                continue
            shifts = []
            for r in row.events:
                if not any(p["name"] == person for p in r.people):
                    continue
                view = _card_view(r, directory, layout, today, away)
                view["role_label"] = _role_of(view, person)
                view["future"] = not settled(r, now)
                view["away"] = r.day in mine_away
                view["away_reason"] = mine_away.get(r.day)
                shifts.append(view)
            shifts.sort(key=lambda v: (v["date"], v["time"]))
            weeks.append({"week": week_id, "monday": monday, "planned": True, "shifts": shifts})
    feed = url_for("rota.ical", token=current_user.calendar_token, _external=True)
    return render_template(
        "rota_mine.html",
        title="我的排班",
        person=person,
        station=station,
        weeks=weeks,
        feed=feed,
        webcal="webcal://" + feed.split("://", 1)[-1],
        md=_md,
    )


@bp.route("/rota/mine/<int:event_id>/away", methods=["POST"])
@requires("own_shifts")
def cannot_attend(event_id: int):
    """不能参加: an absence for that person and day, as `antifraud outreach away` records it."""
    from flask_login import current_user

    from ..accounts.service import audit
    from ..db.models import RotaEvent
    from ..db.reference import station_row
    from ..outreach.service import mark_away
    from ..outreach.store import settled

    person = current_user.person
    station = _person_station(person) if person else None
    if station is None:
        abort(403)
    reason = request.form.get("reason", "").strip()
    if len(reason) > REASON_MAX:
        flash(f"原因最多{REASON_MAX}字", "error")
        return redirect(url_for("rota.mine"))
    app = services()
    with db_session() as s:
        row = s.get(RotaEvent, event_id)
        if (
            row is None
            or row.week_row.station_id != station_row(s, station.code).id
            or not any(p["name"] == person for p in row.people)
        ):
            abort(404)
        if settled(row, app.now(station.code)):
            flash("这个班次已经开始或结束，不能再报不能参加", "error")
            return redirect(url_for("rota.mine"))
        day, site = row.day, row.site
        mark_away(s, station, person, day, day, reason or None, who())
        audit(s, who(), "rota.cannot_attend", station.code, f"{person} {day.isoformat()}", site=site, reason=reason)
    flash(f"已报不能参加：{_md(day)} {site}。值班民警会重新排班。")
    return redirect(url_for("rota.mine"))


# ------------------------------------------------------------------------------------------ calendar feed


@bp.route("/ical/<token>.ics")
def ical(token: str):
    """A person's shifts as a calendar to subscribe to: no login, the unguessable token is the key.

    Built like the rota-<name>.ics files (rota_ics.calendar_entries and rota_calendar): the same UIDs,
    each week's revision as SEQUENCE, shifts a re-plan took away as cancelled entries.
    """
    from sqlalchemy import select

    from ..db.models import User
    from ..outreach.rota_ics import calendar_entries, rota_calendar
    from ..outreach.store import as_event, cancelled_shifts, find_week, parse_week

    if not token or len(token) > 64:
        abort(404)
    with db_session() as s:
        user = s.scalar(select(User).where(User.calendar_token == token))
        if user is None or user.disabled_at is not None or not user.person:
            abort(404)
        person, station_code = user.person, user.station_code
    settings = services().settings
    if station_code:
        try:
            station = settings.station(station_code)
        except AntifraudError:
            abort(404)
        if person not in {p.name for p in station.people}:
            abort(404)
    else:
        station = next((st for st in settings.stations if person in {p.name for p in st.people}), None)
        if station is None:
            abort(404)
    app = services()
    today, now = app.today(station.code), app.now(station.code)
    directory, layout = _directory(station), _layout()
    zone = settings.station_timezone(station)
    entries = []
    with db_session() as s:
        for n in range(-FEED_WEEKS_BACK, FEED_WEEKS_AHEAD + 1):
            week_id, _ = parse_week("this", today + timedelta(weeks=n))
            row = find_week(s, station, week_id)
            if row is None:
                continue
            events = [as_event(r) for r in row.events]
            cancelled = cancelled_shifts(row)
            entries += [
                replace(e, revision=row.revision)  # SEQUENCE as in that week's own files
                for e in calendar_entries(week_id, events, cancelled, directory)
                if e.shift.name == person
            ]
    title = f"{station.name} 反诈宣传排班 {person}"
    payload = rota_calendar(title, entries, directory, layout, zone, now, 1)
    response = Response(payload, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="rota.ics"'
    return response
