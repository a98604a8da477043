"""`antifraud demo`: a fresh SQLite database with sample data, so a newcomer sees the whole job."""

from __future__ import annotations

import click

from . import App, cli, command
from .incidents import print_incidents
from .outreach import print_week


@command(cli, "demo")
def demo(app: App):
    """Sample incidents in a fresh demo database (demo.db), a warning and a rota in posters-demo/."""
    from ..demo import run_demo
    from ..incidents.privacy import describe_masked
    from ..lib.collector import startup_done
    from ..vocab import AUDIENCE_NAMES

    startup_done()  # the demo opens its own database, not App.db
    report = run_demo(app.settings, app.categories)
    station = report.station
    click.echo(f"demo database: {report.database}")
    click.echo(f"demo output:   {report.output_dir} (the configured database and output_dir are not touched)")
    click.echo(
        f"recorded {report.recorded} sample incidents for {station.name} ({station.code}); "
        f"masked {describe_masked(report.masked)} on entry"
    )
    click.echo(f"\nyesterday ({report.yesterday.isoformat()}):")
    print_incidents(report.yesterdays, "table")
    click.echo(f"\nmorning warning for {report.yesterday.isoformat()} (open the image to see what residents get):")
    for path in report.warning.paths.values():
        click.echo(f"  {path}")
    for variant in report.warning.variants.values():  # groups of other audiences get their own
        click.echo(
            f"  {variant.paths['image']}  ({AUDIENCE_NAMES.get(variant.audience, variant.audience)}版, and .txt, .md)"
        )
    click.echo(f"\nready to forward by hand to WeChat groups that have no robot ({report.forward_dir}):")
    for path in report.forwarded:
        click.echo(f"  {path.relative_to(report.forward_dir)}")
    click.echo("\nnext week's outreach rota:")
    print_week(report.week, station, indent="  ")
