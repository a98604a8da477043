"""`antifraud stats` and `antifraud report --month`: the numbers, the chart, the workbook, the summary."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pypdfium2
import pytest
from openpyxl import load_workbook
from PIL import Image

from conftest import plan_events


def add(run, day, category, loss=None, *, stopped=False, station=None):
    args = ["incident", "add", "--date", day, "--category", category]
    if loss is not None:
        args += ["--loss", str(loss)]
    if stopped:
        args.append("--stopped")
    if station:
        args += ["--station", station]
    result = run(*args)
    assert result.code == 0, result.err


@pytest.fixture
def incidents(run):
    """Known incidents in the default window (2026-09-28 to 2026-11-22, the 8 weeks to yesterday)."""
    add(run, "2026-11-20", "刷单返利", 800)  # W47
    add(run, "2026-11-16", "刷单返利", "200.50")  # W47 (its Monday)
    add(run, "2026-11-12", "虚假投资理财", 50000)  # W46
    add(run, "2026-11-19", "刷单返利", stopped=True, station="qingfu")  # W47
    add(run, "2026-09-27", "刷单返利", 999)  # the day before the window: not counted
    add(run, "2026-11-23", "刷单返利", 999)  # today: after the window


def stats(run, *args):
    result = run("stats", "--format", "json", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_stats_json_counts_by_category_week_and_station(run, incidents):
    data = stats(run)
    assert (data["from"], data["to"]) == ("2026-09-28", "2026-11-22")
    assert data["stations"] == ["shigu", "qingfu"]
    by_category = {r["category"]: r for r in data["by_category"]}
    assert by_category["order_brushing"] == {
        "category": "order_brushing",
        "name": "刷单返利",
        "short": by_category["order_brushing"]["short"],
        "count": 3,
        "loss": "1000.50",  # losses are strings of yuan with two decimals
        "stopped": 1,
    }
    assert by_category["fake_investment"]["count"] == 1 and by_category["fake_investment"]["loss"] == "50000.00"
    assert [w["week"] for w in data["by_week"]] == [f"2026-W{n}" for n in range(40, 48)]
    weeks = {w["week"]: w for w in data["by_week"]}
    assert (weeks["2026-W47"]["count"], weeks["2026-W47"]["loss"]) == (3, "1000.50")
    assert weeks["2026-W47"]["categories"] == {"order_brushing": 3}
    assert (weeks["2026-W46"]["count"], weeks["2026-W46"]["loss"]) == (1, "50000.00")
    assert weeks["2026-W40"]["count"] == 0
    stations = {r["station"]: r for r in data["by_station"]}
    assert (stations["shigu"]["count"], stations["shigu"]["loss"], stations["shigu"]["stopped"]) == (3, "51000.50", 0)
    assert (stations["qingfu"]["count"], stations["qingfu"]["stopped"]) == (1, 1)
    assert data["total"] == {"count": 4, "loss": "51000.50", "stopped": 1}
    assert data["alarms"] == []

    shigu_only = stats(run, "--station", "shigu", "--from", "2026-11-16", "--to", "2026-11-23")
    assert shigu_only["stations"] == ["shigu"] and shigu_only["total"]["count"] == 3
    assert [w["week"] for w in shigu_only["by_week"]] == ["2026-W47", "2026-W48"]


def test_stats_lists_the_alarms_raised(run, incidents):
    """The real detector on a real database: three 刷单返利 cases on one day after weeks of one or none."""
    for _ in range(3):
        add(run, "2026-11-21", "刷单返利", 100)
    data = stats(run)
    [alarm] = data["alarms"]
    assert alarm["category"] == "order_brushing" and alarm["day"] == "2026-11-21" and alarm["station"] == "shigu"
    assert alarm["observed"] == 3 and alarm["expected"] < 1 and alarm["method"] in ("C1", "C2", "C3", "weekly")
    table = run("stats")
    assert table.code == 0, table.err
    assert f"2026-11-21 shigu 刷单返利 ({alarm['method']}): observed 3" in table.out
    assert "刷单返利" in table.out and "2026-W47" in table.out


def test_stats_chart_is_1080_wide_with_chinese_labels(run, incidents, tmp_path):
    chart = tmp_path / "charts" / "weekly.png"
    result = run("stats", "--chart", str(chart))
    assert result.code == 0, result.err
    assert f"wrote {chart}" in result.out
    with Image.open(chart) as image:
        assert image.format == "PNG" and image.width == 1080
        assert image.height > 500


def test_a_label_no_font_has_is_refused_not_drawn_as_a_box(config_file):
    from antifraud.config import load_settings
    from antifraud.render.fonts import GlyphMissing
    from antifraud.reports.charts import Fonts

    fonts = Fonts(load_settings(config_file))
    fonts.check("石鼓社区警务室 刷单返利 金钟罩 第47周 11/16 （）—")
    with pytest.raises(GlyphMissing, match="U\\+1F600"):
        fonts.check("警情😀")


def test_stats_refuses_from_after_to(run):
    result = run("stats", "--from", "2026-11-20", "--to", "2026-11-01")
    assert result.code == 2
    assert result.err.strip().splitlines() == ["error: --from: '2026-11-20' is after --to '2026-11-01'"]


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "11/2026", "2026"])
def test_report_bad_month_exits_2_in_one_line(run, month):
    result = run("report", "--month", month)
    assert result.code == 2
    [line] = result.err.strip().splitlines()
    assert line.startswith("error: --month: ") and repr(month) in line
    assert "Traceback" not in result.err


def _publish_warnings(config_file, days, forwarded_days):
    """Mark warnings published for these days; tick 已转发 for the folder group on some of them."""
    from antifraud.app import App
    from antifraud.db.models import DailyWarning, Forward
    from antifraud.db.reference import station_row

    app = App(config_file)
    folder = next(g.name for g in app.station("shigu").groups if g.channel == "folder")
    with app.db.session() as session:
        station_id = station_row(session, "shigu").id
        for day in days:
            at = datetime(day.year, day.month, day.day, 0, 5, tzinfo=timezone.utc)
            session.add(DailyWarning(station_id=station_id, day=day, status="published", incidents=1, published_at=at))
        session.add(DailyWarning(station_id=station_id, day=date(2026, 11, 22), status="draft"))  # not published
        for day in forwarded_days:
            session.add(Forward(station_id=station_id, group_name=folder, subject=f"warning:{day}", day=day, by="x"))
        # A forward to a group that is not a folder group is not a hand forward.
        session.add(
            Forward(station_id=station_id, group_name="石鼓工作群", subject=f"warning:{days[0]}", day=days[0], by="x")
        )
    app.db.close()


def test_report_month_workbook_and_summary(run, shigu, frozen_clock):
    # This month (November): 3 incidents; last month: 1; November last year: 2.
    add(run, "2026-11-20", "刷单返利", 800)
    add(run, "2026-11-05", "刷单返利", 200)
    add(run, "2026-11-12", "虚假投资理财", 50000, stopped=False)
    add(run, "2026-10-08", "刷单返利", 500)
    add(run, "2025-11-03", "刷单返利", 100)
    add(run, "2025-11-04", "刷单返利", stopped=True)
    events = plan_events(run, "2026-W48")
    talk = next(e for e in events if e["kind"] == "factory_talk" and e["date"] <= "2026-11-27")
    stall = next(e for e in events if e["kind"] == "street_stall" and e["date"] == "2026-11-28")
    frozen_clock.move_to("2026-11-29T10:00:00+08:00")
    for event, numbers in ((talk, ("80", "100", "30")), (stall, ("120", "300", "45"))):
        recorded = run(
            "outreach", "record", "--date", event["date"], "--site", event["site"], "--kind", event["kind"],
            "--attendance", numbers[0], "--leaflets", numbers[1], "--registrations", numbers[2],
        )  # fmt: skip
        assert recorded.code == 0, recorded.err
    _publish_warnings(shigu, [date(2026, 11, d) for d in (20, 21)], [date(2026, 11, 20)])
    result = run("report", "--month", "2026-11")
    assert result.code == 0, result.err
    out_dir = shigu.parent / "posters" / "reports" / "2026-11"
    xlsx, png, pdf = (
        out_dir / f"{stem}-2026-11.{ext}" for stem, ext in (("report", "xlsx"), ("summary", "png"), ("summary", "pdf"))
    )
    assert result.out.split() == [str(xlsx), str(png), str(pdf)]

    book = load_workbook(xlsx)
    assert book.sheetnames == ["警情", "宣传", "预警发布", "预警信号"]  # one station: no 各警务室
    sheet = book["警情"]
    header = [c.value for c in sheet[1]]
    rows = {
        r[0]: dict(zip(header, r, strict=False)) for r in sheet.iter_rows(min_row=2, values_only=True) if r and r[0]
    }
    brushing = rows["刷单返利"]
    assert (brushing["本月起数"], brushing["上月起数"], brushing["去年同月起数"]) == (2, 1, 2)
    assert (brushing["环比增减"], brushing["环比"], brushing["同比增减"], brushing["同比"]) == (1, 1.0, 0, 0.0)
    assert (brushing["本月损失(元)"], brushing["上月损失(元)"], brushing["去年同月损失(元)"]) == (1000, 500, 100)
    assert brushing["去年同月劝阻"] == 1
    investment = next(v for k, v in rows.items() if "投资" in k)
    assert (investment["本月起数"], investment["上月起数"], investment["环比"]) == (1, 0, None)
    total = rows["合计"]
    assert (total["本月起数"], total["上月起数"], total["去年同月起数"], total["本月损失(元)"]) == (3, 1, 2, 51000)

    outreach = {r[0]: r[1:3] for r in book["宣传"].iter_rows(min_row=2, max_row=7, values_only=True)}
    assert outreach["工厂宣讲(场)"] == (1, 0)
    assert outreach["摆摊宣传(场)"] == (1, 0)
    assert outreach["覆盖人数(人)"] == (200, 0)
    assert outreach["发放宣传资料(份)"] == (400, 0)
    assert outreach["国家反诈中心App（金钟罩）注册(人)"] == (75, 0)
    assert outreach["宣讲覆盖工厂(家)"] == (1, 0)

    warnings = list(book["预警发布"].iter_rows(min_row=2, values_only=True))
    assert [w[0] for w in warnings] == ["2026-11-20", "2026-11-21", "合计"]
    assert warnings[0][5] == "石鼓居民微信群（人工转发）" and warnings[1][5] in ("", None)
    assert warnings[-1][4:] == ("发布2期", "转发1次", 4)  # two hand-forwarded groups, two days
    [none] = list(book["预警信号"].iter_rows(min_row=2, values_only=True))  # one case a day: no surge
    assert none[0] == "本月无预警信号"

    with Image.open(png) as image:
        assert image.format == "PNG" and image.width < image.height  # A4 portrait
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert b"/FontFile2" in data  # the CJK font is embedded (pdf.fonttype 42), not referenced
    assert truetype_streams(data)  # as TrueType outlines, which FontFile2 must hold (not the OTF's CFF)


def test_report_for_several_stations_has_a_sheet_per_station(run, tmp_path):
    add(run, "2026-11-20", "刷单返利", 800)
    add(run, "2026-11-19", "刷单返利", stopped=True, station="qingfu")
    add(run, "2026-11-18", "冒充客服", 300, station="qingfu")
    out = tmp_path / "out"
    result = run("report", "--month", "2026-11", "--out", str(out))
    assert result.code == 0, result.err
    book = load_workbook(out / "report-2026-11.xlsx")
    assert book.sheetnames == ["警情", "宣传", "预警发布", "预警信号", "各警务室"]
    city = list(book["各警务室"].iter_rows(values_only=True))
    assert city[0][:4] == ("警务室", "警情(起)", "损失(元)", "劝阻(起)")
    assert [row[:4] for row in city[1:]] == [("石鼓社区警务室", 1, 800, 0), ("青福社区警务室", 2, 300, 1)]
    one = run("report", "--month", "2026-11", "--station", "qingfu", "--out", str(out))
    assert one.code == 0, one.err
    assert load_workbook(out / "report-2026-11-qingfu.xlsx").sheetnames == ["警情", "宣传", "预警发布", "预警信号"]
    assert (out / "summary-2026-11-qingfu.pdf").read_bytes().startswith(b"%PDF")


def test_alarms_from_the_configured_detector(run, config_file, tmp_path):
    """No stand-in: the detection service's configured method (`detection.method`) on a quiet baseline."""
    from antifraud.config import load_settings

    method = load_settings(config_file).detection.method
    for _ in range(3):
        add(run, "2026-11-20", "刷单返利", 100)
    data = stats(run, "--from", "2026-11-01", "--to", "2026-11-22", "--station", "shigu")
    alarms = [a for a in data["alarms"] if a["day"] == "2026-11-20"]
    assert alarms and alarms[0]["category"] == "order_brushing" and alarms[0]["observed"] == 3
    assert alarms[0]["method"] == method and alarms[0]["expected"] < alarms[0]["observed"]
    result = run("report", "--month", "2026-11", "--station", "shigu", "--out", str(tmp_path))
    assert result.code == 0, result.err
    rows = list(
        load_workbook(tmp_path / "report-2026-11-shigu.xlsx")["预警信号"].iter_rows(min_row=2, values_only=True)
    )
    assert ("2026-11-20", "shigu", "刷单返利", method, 3) in [r[:5] for r in rows]


def truetype_streams(pdf: bytes) -> list[bytes]:
    """The PDF's compressed streams that are TrueType font files."""
    import re
    import zlib

    found = []
    for match in re.finditer(rb"stream\r?\n", pdf):
        end = pdf.find(b"endstream", match.end())
        try:
            data = zlib.decompress(pdf[match.end() : end])
        except zlib.error:
            continue
        if data[:4] == b"\x00\x01\x00\x00":
            found.append(data)
    return found


def test_the_months_alarms_are_in_the_report(run, tmp_path):
    """Four 刷单返利 cases on one day after a quiet fortnight: the detector's alarm is in 预警信号."""
    for _ in range(4):
        add(run, "2026-11-21", "刷单返利", 100)
    result = run("report", "--month", "2026-11", "--out", str(tmp_path))
    assert result.code == 0, result.err
    rows = list(load_workbook(tmp_path / "report-2026-11.xlsx")["预警信号"].iter_rows(min_row=2, values_only=True))
    assert [row[:3] for row in rows] == [("2026-11-21", "shigu", "刷单返利")]
    assert rows[0][4] == 4


def add_case(run, day, category, loss=None, stopped=False):
    args = ["incident", "add", "--date", day, "--category", category]
    args += ["--loss", str(loss)] if loss is not None else []
    args += ["--stopped"] if stopped else []
    assert run(*args).code == 0


def test_summary_is_one_page_and_stopped_cases_are_compared(run, tmp_path):
    add_case(run, "2026-11-05", "刷单返利", stopped=True)
    add_case(run, "2026-11-06", "刷单返利", stopped=True)
    add_case(run, "2026-10-06", "刷单返利", stopped=True)
    assert run("report", "--month", "2026-11", "--station", "shigu", "--out", str(tmp_path)).code == 0
    assert len(pypdfium2.PdfDocument(str(tmp_path / "summary-2026-11-shigu.pdf"))) == 1
    sheet = load_workbook(tmp_path / "report-2026-11-shigu.xlsx")["警情"]
    header = [c.value for c in sheet[1]]
    row = next(dict(zip(header, r)) for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "刷单返利")
    assert (row["本月劝阻"], row["上月劝阻"]) == (2, 1)


def test_min_cases_from_config_is_obeyed(run, config_file):
    for _ in range(3):
        add_case(run, "2026-11-21", "刷单返利", 100)
    args = ("stats", "--format", "json", "--from", "2026-11-01", "--to", "2026-11-22", "--station", "shigu")
    assert len(json.loads(run(*args).out)["alarms"]) == 1
    config_file.write_text(config_file.read_text(encoding="utf-8") + "detection: {min_cases: 4}\n", encoding="utf-8")
    assert json.loads(run(*args).out)["alarms"] == []
