"""Phone-sized screenshots (390x844) of the web UI's main pages, for docs/screenshots/.

    python scripts/screenshots.py          # needs Debian's chromium (scripts/test.sh installs it)

Sets up a throwaway copy of the example config with the demo's sample incidents, yesterday's
warning and this week's rota, starts `antifraud serve`, and saves one PNG per page.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from webtools import Server, Web, launch_chromium, log_in  # noqa: E402

OUT = REPO / "docs" / "screenshots"


def main() -> None:
    from playwright.sync_api import sync_playwright

    from antifraud.incidents.samples import sample_incidents
    from antifraud.incidents.service import record_incident
    from antifraud.outreach.service import plan_and_store
    from antifraud.outreach.store import week_of
    from antifraud.warnings.service import publish, render_and_record

    zone = ZoneInfo("Asia/Shanghai")
    now = datetime.now(zone)
    today, yesterday = now.date(), now.date() - timedelta(days=1)
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "config.yaml"
        text = (REPO / "config.yaml").read_text(encoding="utf-8").replace("templates_dir: templates", "")
        config.write_text(text + "\nweb: {secure_cookies: false}\n", encoding="utf-8")
        web = Web(config)
        app, station = web.app, web.app.settings.stations[0]
        with app.db.session() as session:
            for raw in sample_incidents(today):
                if raw.get("date") in (yesterday, yesterday.isoformat()):
                    record_incident(session, raw, app.categories, today, station.code, "内勤小周", "web")
            _, warning = render_and_record(session, app.settings, app.categories, station, yesterday)
            publish(session, app.settings, station, warning, "screenshots")
            monday = today - timedelta(days=today.weekday())
            plan = plan_and_store(session, app.settings, station, week_of(monday), now=now)
        volunteer = next(p for e in plan.events for p in e.people if p[1] == "volunteer")[0]
        web.add_user("zhou", "clerk")
        web.add_user("vol", "volunteer", person=volunteer)
        OUT.mkdir(parents=True, exist_ok=True)
        with Server(config) as server, sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
            log_in(page, server.url, "zhou")
            for name, path in (
                ("incidents", f"/incidents?date={yesterday}"),
                ("incident-new", "/incidents/new"),
                ("warning", f"/warnings/{yesterday}"),
                ("forward", f"/forward/{yesterday}"),
                ("rota", f"/rota/{week_of(monday)}"),
            ):
                page.goto(server.url + path)
                page.screenshot(path=str(OUT / f"{name}.png"))
                print(OUT / f"{name}.png")
            page.click("button:has-text('退出')")
            log_in(page, server.url, "vol")
            page.goto(server.url + "/rota/mine")
            page.screenshot(path=str(OUT / "rota-mine.png"))
            print(OUT / "rota-mine.png")
            browser.close()


if __name__ == "__main__":
    main()
