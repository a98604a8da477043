"""`antifraud incident ...` and `antifraud categories`."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

import click

from ..errors import InputError
from ..vocab import CONTACT_CHANNELS
from . import App, cli, command, entered_by_option, parse_date_option, who

LIST_FIELDS = (
    "id",
    "date",
    "station",
    "category",
    "loss",
    "stopped",
    "channel",
    "victim",
    "victim_age",
    "occupation",
    "place",
    "summary",
    "deleted",
)


def _text_options(command):
    """The optional fields shared by `incident add` and `incident edit`."""
    options = [
        click.option("--loss", help="Money lost, in yuan (0 to 100,000,000; at most two decimals)."),
        click.option("--channel", help=f"How the scammer reached the victim: {', '.join(CONTACT_CHANNELS)}."),
        click.option("--victim", help="Surname with 先生/女士 only, e.g. 王女士. Never a full name."),
        click.option("--victim-age", "victim_age", help="Age or age band, e.g. 32 or 30-39 (stored as a band)."),
        click.option("--occupation", help="e.g. 工厂员工."),
        click.option("--place", help="Place or grid, e.g. 石鼓社区第三网格."),
        click.option(
            "--summary",
            help="What happened; phone, landline, ID and bank card numbers, full names (受害人王小明) "
            "and exact ages are masked.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _masked_note(masked) -> None:
    from ..incidents.privacy import describe_masked

    if masked:
        click.echo(f"masked {describe_masked(masked)} in the text before storing it")


def _poster_note(app: App, checked=None, texts=()) -> None:
    """Say which typed characters the poster cannot draw; they are stored as typed all the same."""
    from ..warnings.glyphs import poster_cannot_show

    if checked is not None:
        texts = [checked.summary, checked.place, checked.occupation]
    missing = poster_cannot_show(app.settings, texts)
    if missing:
        shown = ", ".join(f"'{char}' (U+{ord(char):04X})" for char in missing)
        click.echo(f"note: the poster cannot show {shown}: it is left out of the poster; the post text keeps it")


@command(cli, "categories", formats=("table", "json"))
def categories_command(app: App, output_format):
    """List fraud categories (codes and Chinese names both work with --category)."""
    items = list(app.categories)
    if output_format == "json":
        click.echo(json.dumps([item.model_dump() for item in items], ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("code", "名称", "简称", "tips", box=None)
    for item in items:
        table.add_row(item.code, item.name, item.short or "", str(len(item.tips)))
    Console().print(table)


@cli.group("incident")
def incident():
    """Record and manage fraud incidents (电诈警情)."""


@command(incident, "add")
@click.option("--date", "day", help="The day it happened: YYYY-MM-DD, yesterday/昨天, today/今天 (default: yesterday).")
@click.option("--category", required=True, help="Category code or Chinese name, e.g. order_brushing or 刷单返利.")
@click.option("--stopped", is_flag=True, help="The fraud was stopped in time (劝阻成功, no loss).")
@_text_options
@click.option("--station", help="Station code (default: the first in config).")
@entered_by_option
def incident_add(app: App, day, category, stopped, station, by, **fields):
    """Record one incident."""
    from ..incidents.service import record_incident

    station = app.station(station).code
    day = parse_date_option(day, "--date", app.today(station)) or app.yesterday(station)
    raw = {"date": day, "category": category, "stopped": stopped, **fields}
    with app.db.session() as session:
        row, checked = record_incident(session, raw, app.categories, app.today(station), station, who(by))
        incident_id = row.id
    name = app.categories[checked.category_code].name
    click.echo(f"recorded incident #{incident_id}: {checked.day} {name}, loss {checked.loss:,} yuan, station {station}")
    _masked_note(checked.masked)
    _poster_note(app, checked)


@command(incident, "edit")
@click.argument("incident_id", type=int)
@click.option("--date", "day", help="The day it happened: YYYY-MM-DD, yesterday/昨天 or today/今天.")
@click.option("--category", help="Category code or Chinese name.")
@click.option("--stopped/--not-stopped", default=None, help="Whether the fraud was stopped in time.")
@_text_options
@entered_by_option
def incident_edit(app: App, incident_id, day, category, stopped, by, **fields):
    """Change fields of a recorded incident (an empty value clears a text field)."""
    from ..incidents.service import change_incident

    day = parse_date_option(day, "--date", app.today())
    given = {"date": day, "category": category, "stopped": stopped, **fields}
    with app.db.session() as session:
        diff, checked = change_incident(session, incident_id, given, app.categories, app.today, who(by))
    if not diff:
        click.echo(f"incident #{incident_id}: nothing changed")
        return
    for name, (before, after) in diff.items():
        click.echo(f"incident #{incident_id}: {name}: {before} -> {after}")
    _masked_note(checked.masked)
    _poster_note(app, checked)


@command(incident, "delete")
@click.argument("incident_id", type=int)
@click.option("--reason", help="Why (kept in the audit trail, masked like the summary).")
@entered_by_option
def incident_delete(app: App, incident_id, reason, by):
    """Delete an incident (soft: it stays in the audit trail and can be restored)."""
    from ..incidents.service import delete_incident

    with app.db.session() as session:
        delete_incident(session, incident_id, who(by), reason)
    click.echo(f"deleted incident #{incident_id} (undo with: antifraud incident restore {incident_id})")


@command(incident, "restore")
@click.argument("incident_id", type=int)
@entered_by_option
def incident_restore(app: App, incident_id, by):
    """Undo a delete."""
    from ..incidents.service import restore_incident

    with app.db.session() as session:
        restore_incident(session, incident_id, who(by))
    click.echo(f"restored incident #{incident_id}")


@command(incident, "show", formats=("text", "json"))
@click.argument("incident_id", type=int)
def incident_show(app: App, incident_id, output_format):
    """Show one incident with its audit trail."""
    from ..incidents.service import incident_with_audit

    with app.db.session() as session:
        record = incident_with_audit(session, incident_id, app.settings.display_zone)
    if output_format == "json":
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    for key, value in record.items():
        if key != "audit":
            click.echo(f"{key:>13}: {'' if value is None else value}")
    click.echo("        audit:")
    for entry in record["audit"]:
        click.echo(
            f"  {entry['at']} {entry['action']} by {entry['by']} {json.dumps(entry['changes'], ensure_ascii=False)}"
        )


def _date_range(app: App, day, start, end, station):
    if day and (start or end):
        raise InputError("--date: use either --date or --from/--to, not both")
    today = app.today(station)
    if day:
        start = end = parse_date_option(day, "--date", today)
    else:
        start, end = parse_date_option(start, "--from", today), parse_date_option(end, "--to", today)
    if start and end and start > end:
        raise InputError(f"--from: {start.isoformat()!r} is after --to {end.isoformat()!r}")
    return start, end


def _range_options(command):
    command = click.option("--station", help="Only this station.")(command)
    command = click.option("--to", "end", help="Last day, YYYY-MM-DD.")(command)
    command = click.option("--from", "start", help="First day, YYYY-MM-DD.")(command)
    return click.option("--date", "day", help="One day: YYYY-MM-DD, yesterday/昨天 or today/今天.")(command)


@command(incident, "list", formats=("table", "csv", "json"))
@_range_options
@click.option("--deleted", is_flag=True, help="Include deleted incidents.")
def incident_list(app: App, day, start, end, station, deleted, output_format):
    """List incidents."""
    from ..incidents.service import incident_records

    if station:
        app.station(station)
    start, end = _date_range(app, day, start, end, station)
    with app.db.session() as session:
        records = incident_records(session, station, start, end, include_deleted=deleted)
    print_incidents(records, output_format)


def print_incidents(records: list[dict], output_format: str) -> None:
    if output_format == "json":
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
    elif output_format == "csv":
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=LIST_FIELDS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    else:
        print_incident_table(records)


def print_incident_table(records: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    from ..incidents.validate import CHANNEL_NAMES

    table = Table(box=None, pad_edge=False)
    marked = any(r["deleted"] for r in records)  # --deleted: a column that says which rows are
    for title, options in (
        ("#", {"justify": "right"}),
        *([("状态", {})] if marked else []),
        ("日期", {}),
        ("类别", {}),
        ("损失(元)", {"justify": "right"}),
        ("劝阻", {}),
        ("渠道", {}),
        ("受害人", {}),
        ("地点", {}),
        ("简要案情", {"no_wrap": False}),
    ):
        table.add_column(title, no_wrap=options.pop("no_wrap", True), **options)
    for r in records:
        victim = " ".join(v for v in (r["victim"], r["victim_age"] and f"{r['victim_age']}岁", r["occupation"]) if v)
        summary = r["summary"] or ""
        table.add_row(
            str(r["id"]),
            *(["已删除" if r["deleted"] else ""] if marked else []),
            r["date"],
            r["category_short"],
            f"{Decimal(r['loss']):,.2f}",
            "是" if r["stopped"] else "",
            CHANNEL_NAMES.get(r["channel"], "") if r["channel"] else "",
            victim,
            r["place"] or "",
            summary if len(summary) <= 40 else summary[:39] + "…",
        )
    # Piped output gets a wide console, so a table in a log or file is not folded to 80 columns.
    console = Console(width=None if sys.stdout.isatty() else 200)
    console.print(table)
    kept = [r for r in records if not r["deleted"]]
    total = sum(Decimal(r["loss"]) for r in kept)
    deleted = len(records) - len(kept)
    note = f" ({deleted} deleted, not counted)" if deleted else ""
    console.print(f"{len(kept)} incident(s), total loss {total:,.2f} yuan{note}")


@command(incident, "import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and report; write nothing.")
@click.option("--station", help="Station for rows without a 警务室/station column (default: the first).")
@entered_by_option
def incident_import(app: App, file: Path, dry_run, station, by):
    """Import incidents from CSV or XLSX: every row or none."""
    from ..incidents.privacy import describe_masked
    from ..incidents.service import ImportRejected, check_import, import_rows, new_rows
    from ..incidents.spreadsheet import MAX_ERRORS_SHOWN

    station = app.station(station).code
    try:
        plan = check_import(file, app.settings, app.categories, app.today(station), station)
    except ImportRejected as rejected:
        for line in rejected.problems[:MAX_ERRORS_SHOWN]:
            click.echo(f"error: {line}", err=True)
        more = len(rejected.problems) - MAX_ERRORS_SHOWN
        if more > 0:
            click.echo(f"error: ... and {more} more", err=True)
        raise
    if dry_run:
        with app.db.session() as session:
            would, _ = new_rows(session, plan.rows)
        message = f"{file.name}: {len(plan.rows)} row(s) are valid, {would.added} would be imported"
        if would.skipped:
            message += f", {would.skipped} already recorded"
        click.echo(f"{message}; nothing written (--dry-run)")
        if would.masked:
            click.echo(f"importing would mask {describe_masked(would.masked)} in the text")
        return
    with app.db.session() as session:
        result = import_rows(session, plan.rows, who(by))
    message = f"{file.name}: imported {result.added} incident(s)"
    if result.skipped:
        message += f", skipped {result.skipped} already recorded"
    click.echo(message)
    if result.masked:
        click.echo(f"masked {describe_masked(result.masked)} in the text")
    texts = ("summary", "place", "occupation")
    _poster_note(app, texts=[value for row in plan.rows for key, value in row.as_dict().items() if key in texts])


@command(incident, "export")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@_range_options
def incident_export(app: App, file: Path, day, start, end, station):
    """Write incidents to CSV or XLSX (Chinese headers; `incident import` reads it back)."""
    from ..incidents.service import export_incidents

    if station:
        app.station(station)
    start, end = _date_range(app, day, start, end, station)
    with app.db.session() as session:
        count = export_incidents(session, file, station, start, end)
    click.echo(f"wrote {count} incident(s) to {file}")
