"""`antifraud outreach ...`: plan the week's factory talks and street stalls, publish, remind, record."""

from __future__ import annotations

import json
from datetime import timedelta

import click

from ..vocab import EventKind, kind_name
from . import App, cli, command, entered_by_option, parse_date_option, wait_option, who
from .warnings import send_subjects


@cli.group("outreach")
def outreach():
    """Factory talks (下工厂宣讲) and weekend street stalls (摆摊宣传): rotas, reminders, records."""


WEEK_HELP = "ISO week, e.g. 2026-W48; or this, next, 本周, 下周."


@command(outreach, "plan", formats=("text", "json"))
@click.option("--week", required=True, help=WEEK_HELP)
@click.option("--station", help="Station code (default: the first in config).")
@click.option("--replan", is_flag=True, help="Plan again even if this week was planned (keeping what it can).")
def outreach_plan(app: App, week, station, replan, output_format):
    """Plan the week and write posters/rota/WEEK/S/rota.png, .txt, .xlsx and .ics."""
    from ..outreach.service import plan_and_store
    from ..outreach.store import parse_week

    station = app.station(station)
    week, _ = parse_week(week, app.today(station.code))
    with app.db.session() as session:
        plan = plan_and_store(session, app.settings, station, week, replan)
    if output_format == "json":
        click.echo(json.dumps([e.as_json() for e in plan.events], ensure_ascii=False, indent=2))
        for note in plan.notes:
            click.echo(f"note: {note}", err=True)
        return
    print_week(plan, station)


def print_week(plan, station, indent: str = "") -> None:
    """A planned week in a few lines: notes, counts and solver outcome, unmet rules, the files written."""
    for note in plan.notes:
        click.echo(f"{indent}note: {note}")
    timing = f" in {plan.solve_seconds:.2f} s" if plan.solve_seconds is not None else ""
    click.echo(
        f"{indent}{plan.week} {station.code}: {plan.talks} factory talk(s), {plan.stalls} street stall(s); "
        f"objective {plan.objective:g}, {'proven optimal' if plan.optimal else 'not proven optimal'}{timing}"
    )
    for problem in plan.problems:
        click.echo(f"{indent}  未满足: {problem}")
    for path in plan.paths.values():
        click.echo(f"{indent}{path}")


@command(outreach, "publish")
@click.option("--week", required=True, help=WEEK_HELP)
@click.option("--station", help="Station code (default: the first in config).")
@wait_option
def outreach_publish(app: App, week, station, wait_seconds):
    """Send the planned week's rota (image and text) to the volunteers' and staff groups."""
    from ..outreach.service import publish_week
    from ..outreach.store import parse_week

    station = app.station(station)
    week, _ = parse_week(week, app.today(station.code))
    with app.db.session() as session:
        created = publish_week(session, app.settings, station, week)
    click.echo(f"{week} {station.code}: queued {len(created)} new message(s)")
    if not send_subjects(app, [f"rota:{week}"], wait_seconds):
        raise click.exceptions.Exit(1)


@command(outreach, "remind")
@click.option("--date", "day", help="The day of the events, YYYY-MM-DD (default: tomorrow).")
@click.option("--station", help="Station code (default: the first in config).")
@wait_option
def outreach_remind(app: App, day, station, wait_seconds):
    """Remind the people on the given day's events, in the volunteers' group, @-mentioning them."""
    from ..outreach.service import queue_reminders

    station = app.station(station)
    today = app.today(station.code)
    day = parse_date_option(day, "--date", today) or today + timedelta(days=1)
    with app.db.session() as session:
        created = queue_reminders(session, app.settings, station, day)
    click.echo(f"{day.isoformat()} {station.code}: queued {len(created)} reminder(s)")
    send_subjects(app, [f"reminder:{day.isoformat()}"], wait_seconds)


@command(outreach, "away")
@click.option("--name", required=True, help="The person, as named in config.yaml.")
@click.option("--date", "day", required=True, help="The first day they cannot come, YYYY-MM-DD.")
@click.option("--to", "end", help="The last day (default: the same day).")
@click.option("--reason", help="Why, for the record (optional).")
@click.option("--station", help="Station code (default: the first in config).")
@entered_by_option
def outreach_away(app: App, name, day, end, reason, station, by):
    """Record that someone cannot come on some days; the next plan leaves them out."""
    from ..outreach.service import mark_away
    from ..outreach.store import week_of

    station = app.station(station)
    today = app.today(station.code)
    start = parse_date_option(day, "--date", today)
    end = parse_date_option(end, "--to", today) or start
    with app.db.session() as session:
        clashes = [
            (row.day, row.site, row.kind) for row in mark_away(session, station, name, start, end, reason, who(by))
        ]
    click.echo(f"{name} is away {start.isoformat()}" + (f" to {end.isoformat()}" if end != start else ""))
    for clash_day, site, kind in clashes:
        click.echo(
            f"already on the rota: {clash_day.isoformat()} {site} ({kind}); "
            f"re-plan with: antifraud outreach plan --week {week_of(clash_day)} --replan"
        )


@command(outreach, "record")
@click.option("--date", "day", required=True, help="The day of the event, YYYY-MM-DD.")
@click.option("--site", required=True, help="The factory or stall site, as in the rota.")
@click.option("--kind", type=click.Choice(list(EventKind)), help="When a site had both.")
@click.option("--attendance", type=click.IntRange(0, 100000), help="People reached.")
@click.option("--leaflets", type=click.IntRange(0, 100000), help="Leaflets handed out.")
@click.option("--registrations", type=click.IntRange(0, 100000), help="Anti-fraud app registrations (国家反诈中心App).")
@click.option("--notes", help="Anything worth keeping (at most 500 characters).")
@click.option("--station", help="Station code (default: the first in config).")
@entered_by_option
def outreach_record(app: App, day, site, kind, attendance, leaflets, registrations, notes, station, by):
    """Record what happened at a talk or stall, for the station's reports."""
    from ..outreach.service import record_outcome

    station = app.station(station)
    day = parse_date_option(day, "--date", app.today(station.code))
    values = {"attendance": attendance, "leaflets": leaflets, "registrations": registrations, "notes": notes}
    with app.db.session() as session:
        row = record_outcome(session, station, day, site, kind, values, who(by), app.today(station.code))
        click.echo(
            f"recorded {row.day.isoformat()} {row.site} ({row.kind}): attendance {row.attendance}, "
            f"leaflets {row.leaflets}, registrations {row.registrations}"
        )


@command(outreach, "report", formats=("text", "json"))
@click.option("--from", "start", required=True, help="First day, YYYY-MM-DD.")
@click.option("--to", "end", required=True, help="Last day, YYYY-MM-DD.")
@click.option("--station", help="Station code (default: the first in config).")
def outreach_report(app: App, start, end, station, output_format):
    """What the station did: events held, people reached, leaflets, app registrations."""
    from ..outreach.service import outreach_report as report_for

    station = app.station(station)
    today = app.today(station.code)
    start, end = parse_date_option(start, "--from", today), parse_date_option(end, "--to", today)
    with app.db.session() as session:
        report = report_for(session, station, start, end)
    if output_format == "json":
        click.echo(json.dumps({"from": start.isoformat(), "to": end.isoformat(), **report}, ensure_ascii=False))
        return
    for kind, r in report.items():
        click.echo(
            f"{kind_name(kind)}: planned {r['planned']}, recorded {r['recorded']}, attendance {r['attendance']}, "
            f"leaflets {r['leaflets']}, app registrations {r['registrations']}"
        )
