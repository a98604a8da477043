"""`antifraud stats` and `antifraud report`: counts, losses and alarms; the monthly report for superiors."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import click

from ..errors import InputError
from . import App, cli, command, parse_date_option


def _stations(app: App, code: str | None):
    return [app.station(code)] if code else list(app.settings.stations)


@command(cli, "stats", formats=("table", "json"))
@click.option("--from", "start", help="First day, YYYY-MM-DD (default: the Monday 8 full weeks back).")
@click.option("--to", "end", help="Last day, YYYY-MM-DD (default: the last Sunday up to yesterday).")
@click.option("--station", help="Only this station (default: all).")
@click.option("--chart", type=click.Path(dir_okay=False, path_type=Path), help="Also draw a weekly chart, FILE.png.")
def stats_command(app: App, start, end, station, chart, output_format):
    """Incidents, losses and stopped cases by category, ISO week and station; the alarms raised."""
    from ..reports.stats import DEFAULT_WEEKS, check_range, default_range, gather_stats

    stations = _stations(app, station)
    today = app.today(station)
    if chart is not None and chart.suffix.lower() != ".png":
        raise InputError(f"--chart: {str(chart)!r} must be a .png file")
    start = parse_date_option(start, "--from", today)
    end = parse_date_option(end, "--to", today)
    if start is None and end is None:
        start, end = default_range(app.yesterday(station))
    elif end is None:
        end = max(start, app.yesterday(station))
    elif start is None:  # only --to: the 8 weeks up to it
        start = end - timedelta(days=7 * DEFAULT_WEEKS - 1)
    check_range(start, end)
    with app.db.session() as session:
        data = gather_stats(session, app.settings, app.categories, stations, start, end)
    if chart is not None:
        from ..reports.charts import weekly_chart

        place = stations[0].name if len(stations) == 1 else "各警务室"
        title = f"{place}电诈警情周统计（{start.month}月{start.day}日—{end.month}月{end.day}日）"
        weekly_chart(app.settings, data, chart, title)
    if output_format == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print_stats(data)
    if chart is not None:
        click.echo(f"wrote {chart}", err=output_format == "json")


def print_stats(data: dict) -> None:
    t = data["total"]
    click.echo(f"{data['from']} to {data['to']}, stations {', '.join(data['stations'])}")
    click.echo(f"total: {t['count']} incident(s), loss {t['loss']} yuan, {t['stopped']} stopped")
    click.echo("")
    click.echo("by category:")
    for r in data["by_category"]:
        click.echo(f"  {r['name']:<12}\t{r['count']:>4}\t{r['loss']:>14} yuan\t{r['stopped']:>3} stopped")
    click.echo("by week:")
    for r in data["by_week"]:
        click.echo(f"  {r['week']}\t{r['count']:>4}\t{r['loss']:>14} yuan")
    click.echo("by station:")
    for r in data["by_station"]:
        click.echo(f"  {r['station']:<12}\t{r['count']:>4}\t{r['loss']:>14} yuan\t{r['stopped']:>3} stopped")
    click.echo(f"alarms: {len(data['alarms']) or 'none'}")
    for a in data["alarms"]:
        click.echo(
            f"  {a['day']} {a['station']} {a['category_name']} ({a['method']}): "
            f"observed {a['observed']}, expected {a['expected']:g}, threshold {a['threshold']:g}"
        )


@command(cli, "report")
@click.option("--month", required=True, help="The month, YYYY-MM.")
@click.option("--station", help="Only this station (default: all, with a sheet per station).")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write to (default: <output_dir>/reports/YYYY-MM/).",
)
def report_command(app: App, month, station, out_dir):
    """The monthly report for superiors (Chinese): an xlsx workbook and a one-page summary, PNG and PDF."""
    from ..reports.monthly import Month, write_report

    month = Month.parse(month)
    stations = _stations(app, station)
    out_dir = out_dir or app.settings.resolve(app.settings.output_dir) / "reports" / str(month)
    with app.db.session() as session:
        paths = write_report(
            session,
            app.settings,
            app.categories,
            stations,
            month,
            out_dir,
            app.today(station),
            suffix=f"-{station}" if station else "",
        )
    for path in paths:
        click.echo(str(path))
