"""`antifraud outreach ...`: plan the week's factory talks and street stalls, publish, remind, record."""

from __future__ import annotations

import json
from datetime import timedelta

import click

from ..vocab import EventKind, kind_name
from . import App, cli, command, entered_by_option, parse_date_option, wait_option, who
from .warnings import all_stations_options, check_all_stations, send_subjects


@cli.group("outreach")
def outreach():
    """Factory talks (下工厂宣讲) and weekend street stalls (摆摊宣传): rotas, reminders, records."""


WEEK_HELP = "ISO week, e.g. 2026-W48; or this, next, 本周, 下周."


INCOMPLETE = 4  # exit code: the plan leaves rules unmet (talks short, stalls empty or short, absences clash)


def plan_station(code: str, week: str, replan: bool, now) -> tuple[str, bool, object]:
    """Plan one station's week in a worker (or here): (code, True, (line, complete, json)) or (code, False, why)."""
    from ..outreach.service import plan_and_store
    from .warnings import on_station, worker_app

    app = worker_app()

    def work():
        station = app.station(code)
        if not station.people:
            return f"{week}: no people in config; nothing to plan", True, None
        with app.db.session() as session:
            plan = plan_and_store(session, app.settings, station, week, replan, now=now)
        kept = " (kept the earlier plan; --replan plans again)" if plan.kept else ""
        revision = f" revision {plan.revision}" if plan.revision > 1 else ""
        unmet = f"; {len(plan.problems)} rule(s) unmet (未满足)" if plan.problems else ""
        line = f"planned {week}{revision}: {plan.talks} factory talk(s), {plan.stalls} street stall(s){unmet}{kept}"
        return line, plan.complete, plan.as_json()

    return on_station(code, work)


def plan_all_stations(app: App, week: str, replan: bool, workers, output_format) -> None:
    """Every station's week, each on its own; exits 1 if any failed, else 4 if any plan leaves rules unmet."""
    from ..outreach.store import parse_week
    from .warnings import for_all_stations

    jobs = []
    for s in app.settings.stations:
        station_week, _ = parse_week(week, app.today(s.code))
        jobs.append((s.code, station_week, replan, app.now(s.code)))

    def report(code, detail):
        if output_format == "text":
            click.echo(f"{code}: {detail[0]}")

    planned, failed = for_all_stations(app, plan_station, jobs, workers, "planned", report, output_format == "json")
    if output_format == "json":
        codes = [job[0] for job in jobs if job[0] not in failed]
        weeks = [{"station": code, **detail[2]} for code, detail in zip(codes, planned) if detail[2] is not None]
        click.echo(json.dumps(weeks, ensure_ascii=False, indent=2))
    if failed:
        raise click.exceptions.Exit(1)
    if not all(complete for _, complete, _ in planned):
        raise click.exceptions.Exit(INCOMPLETE)


@command(outreach, "plan", formats=("text", "json"))
@click.option("--week", required=True, help=WEEK_HELP)
@click.option("--station", help="Station code (default: the first in config).")
@click.option("--replan", is_flag=True, help="Plan again from now on; what was held or recorded stays as it is.")
@all_stations_options
def outreach_plan(app: App, week, station, replan, all_stations, workers, output_format):
    """Plan the week and write posters/rota/WEEK/S/rota.png, .txt, .xlsx and .ics.

    Exits 4 when the plan leaves rules unmet (listed as 未满足). With --all-stations, every station's
    week, each on its own: a station that fails is named with the reason, the others go on; exits 1
    if any failed.
    """
    from ..outreach.service import plan_and_store
    from ..outreach.store import parse_week

    check_all_stations(station, all_stations, workers)
    if all_stations:
        plan_all_stations(app, week, replan, workers, output_format)
        return
    station = app.station(station)
    week, _ = parse_week(week, app.today(station.code))
    with app.db.session() as session:
        plan = plan_and_store(session, app.settings, station, week, replan, now=app.now(station.code))
    if output_format == "json":
        click.echo(json.dumps(plan.as_json(), ensure_ascii=False, indent=2))
    else:
        print_week(plan, station)
    if not plan.complete:
        raise click.exceptions.Exit(INCOMPLETE)


def print_week(plan, station, indent: str = "") -> None:
    """A planned week in a few lines: notes, counts and solver outcome, unmet rules, the files written."""
    for note in plan.notes:
        click.echo(f"{indent}note: {note}")
    timing = f" in {plan.solve_seconds:.2f} s" if plan.solve_seconds is not None else ""
    revision = f" (revision {plan.revision})" if plan.revision > 1 else ""
    click.echo(
        f"{indent}{plan.week} {station.code}{revision}: {plan.talks} factory talk(s), {plan.stalls} street "
        f"stall(s); objective {plan.objective:g}, {'proven optimal' if plan.optimal else 'not proven optimal'}"
        f"{timing}"
    )
    for problem in plan.problems:
        click.echo(f"{indent}  未满足: {problem}")
    from ..outreach.outputs import PERSON_ICS  # loaded already: the plan wrote its files

    personal = [path for key, path in plan.paths.items() if key.startswith(PERSON_ICS)]
    for key, path in plan.paths.items():
        if not key.startswith(PERSON_ICS):
            click.echo(f"{indent}{path}")
    if personal:
        click.echo(f"{indent}{len(personal)} personal calendar(s) rota-<name>.ics in {personal[0].parent}")


@command(outreach, "publish")
@click.option("--week", required=True, help=WEEK_HELP)
@click.option("--station", help="Station code (default: the first in config).")
@wait_option
def outreach_publish(app: App, week, station, wait_seconds):
    """Send the planned week's rota to the groups of the people on it and the staff group; after a
    re-plan, first a change notice @-mentioning who is off and who is on."""
    from ..outreach.service import publish_week
    from ..outreach.store import parse_week

    station = app.station(station)
    week, _ = parse_week(week, app.today(station.code))
    with app.db.session() as session:
        queued = publish_week(session, app.settings, station, week)
    _send_queued(app, queued, f"{week} {station.code}: queued {len(queued.created)} new message(s)", wait_seconds)


@command(outreach, "remind")
@click.option("--date", "day", help="The day of the events, YYYY-MM-DD (default: tomorrow).")
@click.option("--station", help="Station code (default: the first in config).")
@wait_option
def outreach_remind(app: App, day, station, wait_seconds):
    """Remind the people on the given day's events in their own groups, @-mentioning them; a day changed
    since its reminder is reminded again."""
    from ..outreach.service import queue_reminders

    station = app.station(station)
    today = app.today(station.code)
    day = parse_date_option(day, "--date", today) or today + timedelta(days=1)
    with app.db.session() as session:
        queued = queue_reminders(session, app.settings, station, day)
    _send_queued(
        app, queued, f"{day.isoformat()} {station.code}: queued {len(queued.created)} reminder(s)", wait_seconds
    )


def _send_queued(app: App, queued, summary: str, wait_seconds) -> None:
    """Warn about what the rota leaves out, say what was queued, and send it (exit 1 if some stays unsent)."""
    for warning in queued.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(summary)
    if not send_subjects(app, queued.subjects, wait_seconds):
        raise click.exceptions.Exit(1)


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
@click.option("--kind", type=click.Choice([k.value for k in EventKind]), help="When a site had both.")
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
        report = report_for(session, station, start, end, today)
    if output_format == "json":
        click.echo(json.dumps({"from": start.isoformat(), "to": end.isoformat(), **report}, ensure_ascii=False))
        return
    coverage = report.pop("coverage")
    for kind, r in report.items():
        click.echo(
            f"{kind_name(kind)}: planned {r['planned']}, recorded {r['recorded']}, attendance {r['attendance']}, "
            f"leaflets {r['leaflets']}, app registrations {r['registrations']}"
        )
    print_coverage(coverage)


def print_coverage(c: dict) -> None:
    """The rotation's reach: factories and workers with a talk in the last 4/13/52 weeks, who waits longest."""
    click.echo(f"factory coverage as of {c['as_of']} ({c['factories']} factories, {c['workers']} workers):")
    for window, v in c["visited"].items():
        share = f"{100 * v['workers'] / c['workers']:.0f}%" if c["workers"] else "-"
        click.echo(
            f"  last {window[:-1]} weeks: {v['factories']} of {c['factories']} factories, "
            f"{v['workers']} workers ({share})"
        )
    click.echo(f"  never visited: {c['never_visited']}")
    if c["longest_unvisited"]:
        waiting = ", ".join(
            f"{f['factory']} ({f['headcount']}, {'never' if f['last_talk'] is None else 'last ' + f['last_talk']})"
            for f in c["longest_unvisited"]
        )
        click.echo(f"  waiting longest: {waiting}")


@command(cli, "grid-posters")
@click.option("--station", help="Station code (default: the first in config).")
@click.option("--team", help="Only this team's posters (and its combined PDF).")
@click.option("--name", help="Only this person's poster.")
def grid_posters(app: App, station, team, name):
    """Grid contact posters (网格联系海报): an A4 PDF (and a PNG preview) per person with a grid, and
    a combined PDF per team for the print shop, under output_dir/grid/STATION/."""
    from ..outreach.grid import write_grid_posters

    station = app.station(station)
    report = write_grid_posters(app.settings, station, team, name)
    if not report.people:
        click.echo(f"{station.code}: nobody has a grid: in config; add grid: to the people who answer for one")
        return
    for pdf, png in zip(report.people, report.previews, strict=True):
        click.echo(f"  {pdf}  (preview {png.name})")
    for team_name, path in report.teams.items():
        click.echo(f"  {path}  (team {team_name}, for the print shop)")
    click.echo(f"{station.code}: {len(report.people)} grid poster(s) in {report.folder}")
    for label, names in (("no photo (a silhouette is printed)", report.missing_photo),
                         ("no phone", report.missing_phone)):  # fmt: skip
        if names:
            click.echo(f"note: {label}: {', '.join(names)}", err=True)
