"""`antifraud outreach ...`: plan the week's factory talks and street stalls, publish, remind, record."""

from __future__ import annotations

import json
from datetime import timedelta

import click

from ..errors import InputError
from . import App, cli, config_option, entered_by_option, format_option, parse_date_option, pass_app, wait_option, who
from .warnings import send_and_wait, summarise


@cli.group("outreach")
def outreach():
    """Factory talks (下工厂宣讲) and weekend street stalls (摆摊宣传): rotas, reminders, records."""


def write_outputs(app: App, station, week: str, monday, events) -> dict:
    from ..outreach.outputs import write_week

    return write_week(app.settings, station, week, monday, events)


@outreach.command("plan")
@config_option
@click.option("--week", required=True, help="ISO week, e.g. 2026-W48.")
@click.option("--station", help="Station code (default: the first in config).")
@click.option("--replan", is_flag=True, help="Plan again even if this week was planned (keeping what it can).")
@format_option("text", "json")
@pass_app
def outreach_plan(app: App, week, station, replan, output_format):
    """Plan the week and write posters/rota/WEEK/S/rota.png, .txt, .xlsx and .ics."""
    from ..outreach.planner import plan_week
    from ..outreach.service import as_event, build_input, find_week, parse_week, store_plan

    station = app.settings.station(station)
    week, monday = parse_week(week)
    notes = []
    with app.db.session() as session:
        existing = find_week(session, station, week)
        if existing is not None and not replan:
            events = [as_event(r) for r in existing.events]
            notes.append(
                f"{week} was planned on {existing.planned_at:%Y-%m-%d %H:%M} UTC; kept as published "
                "(--replan to plan again)"
            )
            summary = (existing.objective, existing.optimal, existing.problems, None)
        else:
            plan_input, calendar_note = build_input(session, app.settings, station, monday, replan)
            if calendar_note:
                notes.append(calendar_note)
            result = plan_week(plan_input)
            store_plan(session, station, week, monday, result)
            events = result.events
            summary = (result.objective, result.optimal, result.problems, result.solve_seconds)
    paths = write_outputs(app, station, week, monday, events)
    if output_format == "json":
        click.echo(json.dumps([e.as_json() for e in events], ensure_ascii=False, indent=2))
        for note in notes:
            click.echo(f"note: {note}", err=True)
        return
    objective, optimal, problems, seconds = summary
    for note in notes:
        click.echo(f"note: {note}")
    talks = sum(e.kind == "factory_talk" for e in events)
    stalls = len(events) - talks
    timing = f" in {seconds:.2f} s" if seconds is not None else ""
    click.echo(
        f"{week} {station.code}: {talks} factory talk(s), {stalls} street stall(s); "
        f"objective {objective:g}, {'proven optimal' if optimal else 'not proven optimal'}{timing}"
    )
    for problem in problems:
        click.echo(f"  未满足: {problem}")
    for path in paths.values():
        click.echo(str(path))


@outreach.command("publish")
@config_option
@click.option("--week", required=True, help="ISO week, e.g. 2026-W48.")
@click.option("--station", help="Station code (default: the first in config).")
@wait_option
@pass_app
def outreach_publish(app: App, week, station, wait_seconds):
    """Send the planned week's rota (image and text) to the volunteers' and staff groups."""
    from ..outreach.publish import queue_week
    from ..outreach.service import as_event, find_week, parse_week

    station = app.settings.station(station)
    week, monday = parse_week(week)
    with app.db.session() as session:
        existing = find_week(session, station, week)
        if existing is None:
            raise InputError(f"--week: {week} is not planned yet (antifraud outreach plan --week {week})")
        created = queue_week(session, app.settings, station, week, monday, [as_event(r) for r in existing.events])
    click.echo(f"{week} {station.code}: queued {len(created)} new message(s)")
    wait = app.wait_seconds(wait_seconds)
    finished = send_and_wait(app, [f"rota:{week}"], wait)
    if not summarise(app, [f"rota:{week}"]) or not finished:
        raise click.exceptions.Exit(1)


@outreach.command("remind")
@config_option
@click.option("--date", "day", help="The day of the events, YYYY-MM-DD (default: tomorrow).")
@click.option("--station", help="Station code (default: the first in config).")
@wait_option
@pass_app
def outreach_remind(app: App, day, station, wait_seconds):
    """Remind the people on the given day's events, in the volunteers' group, @-mentioning them."""
    from ..outreach.publish import queue_reminders

    station = app.settings.station(station)
    day = parse_date_option(day, "--date") or app.today(station.code) + timedelta(days=1)
    with app.db.session() as session:
        created = queue_reminders(session, app.settings, station, day)
    subject = f"reminder:{day.isoformat()}"
    click.echo(f"{day.isoformat()} {station.code}: queued {len(created)} reminder(s)")
    wait = app.wait_seconds(wait_seconds)
    send_and_wait(app, [subject], wait)
    summarise(app, [subject])


@outreach.command("away")
@config_option
@click.option("--name", required=True, help="The person, as named in config.yaml.")
@click.option("--date", "day", required=True, help="The first day they cannot come, YYYY-MM-DD.")
@click.option("--to", "end", help="The last day (default: the same day).")
@click.option("--reason", help="Why, for the record (optional).")
@click.option("--station", help="Station code (default: the first in config).")
@entered_by_option
@pass_app
def outreach_away(app: App, name, day, end, reason, station, by):
    """Record that someone cannot come on some days; the next plan leaves them out."""
    from ..outreach.service import mark_away, week_of

    station = app.settings.station(station)
    start = parse_date_option(day, "--date")
    end = parse_date_option(end, "--to") or start
    if end < start or (end - start).days > 366:
        raise InputError(f"--to: {end.isoformat()!r} must be on or after --date and within a year of it")
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    if reason is not None and len(reason) > 100:
        raise InputError(f"--reason: {len(reason)} characters; at most 100")
    with app.db.session() as session:
        clashes = mark_away(session, station, name, days, reason, who(by))
        clashes = [(row.day, row.site, row.kind) for row in clashes]
    click.echo(f"{name} is away {start.isoformat()}" + (f" to {end.isoformat()}" if end != start else ""))
    for clash_day, site, kind in clashes:
        week = week_of(clash_day)
        click.echo(
            f"already on the rota: {clash_day.isoformat()} {site} ({kind}); "
            f"re-plan with: antifraud outreach plan --week {week} --replan"
        )


@outreach.command("record")
@config_option
@click.option("--date", "day", required=True, help="The day of the event, YYYY-MM-DD.")
@click.option("--site", required=True, help="The factory or stall site, as in the rota.")
@click.option("--kind", type=click.Choice(["factory_talk", "street_stall"]), help="When a site had both.")
@click.option("--attendance", type=click.IntRange(0, 100000), help="People reached.")
@click.option("--leaflets", type=click.IntRange(0, 100000), help="Leaflets handed out.")
@click.option("--registrations", type=click.IntRange(0, 100000), help="Anti-fraud app registrations (国家反诈中心App).")
@click.option("--notes", help="Anything worth keeping (at most 500 characters).")
@click.option("--station", help="Station code (default: the first in config).")
@entered_by_option
@pass_app
def outreach_record(app: App, day, site, kind, attendance, leaflets, registrations, notes, station, by):
    """Record what happened at a talk or stall, for the station's reports."""
    from ..outreach.service import record_outcome

    station = app.settings.station(station)
    day = parse_date_option(day, "--date")
    if day > app.today(station.code):
        raise InputError(f"--date: {day.isoformat()!r} is in the future; record an event after it happened")
    if notes is not None and len(notes) > 500:
        raise InputError(f"--notes: {len(notes)} characters; at most 500")
    values = {"attendance": attendance, "leaflets": leaflets, "registrations": registrations, "notes": notes}
    if all(v is None for v in values.values()):
        raise InputError("record: give at least one of --attendance, --leaflets, --registrations, --notes")
    with app.db.session() as session:
        row = record_outcome(session, station, day, site, kind, values, who(by))
        click.echo(
            f"recorded {row.day.isoformat()} {row.site} ({row.kind}): attendance {row.attendance}, "
            f"leaflets {row.leaflets}, registrations {row.registrations}"
        )


@outreach.command("report")
@config_option
@click.option("--from", "start", required=True, help="First day, YYYY-MM-DD.")
@click.option("--to", "end", required=True, help="Last day, YYYY-MM-DD.")
@click.option("--station", help="Station code (default: the first in config).")
@format_option("text", "json")
@pass_app
def outreach_report(app: App, start, end, station, output_format):
    """What the station did: events held, people reached, leaflets, app registrations."""
    from ..outreach.service import events_of

    station = app.settings.station(station)
    start, end = parse_date_option(start, "--from"), parse_date_option(end, "--to")
    if start > end:
        raise InputError(f"--from: {start.isoformat()!r} is after --to {end.isoformat()!r}")
    with app.db.session() as session:
        rows = events_of(session, station, start, end)
        report = {}
        for kind in ("factory_talk", "street_stall"):
            mine = [r for r in rows if r.kind == kind]
            report[kind] = {
                "planned": len(mine),
                "recorded": sum(r.recorded_at is not None for r in mine),
                "attendance": sum(r.attendance or 0 for r in mine),
                "leaflets": sum(r.leaflets or 0 for r in mine),
                "registrations": sum(r.registrations or 0 for r in mine),
            }
    if output_format == "json":
        click.echo(json.dumps({"from": start.isoformat(), "to": end.isoformat(), **report}, ensure_ascii=False))
        return
    names = {"factory_talk": "下工厂宣讲", "street_stall": "摆摊宣传"}
    for kind, r in report.items():
        click.echo(
            f"{names[kind]}: planned {r['planned']}, recorded {r['recorded']}, attendance {r['attendance']}, "
            f"leaflets {r['leaflets']}, app registrations {r['registrations']}"
        )
