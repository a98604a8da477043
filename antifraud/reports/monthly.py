"""The monthly report for superiors, in Chinese: incidents against last month and the same month last
year, outreach recorded, warnings published and forwarded, alarms; as an xlsx workbook and a one-page
summary (PNG and PDF)."""

from __future__ import annotations

import io
import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..config import Settings, Station
from ..errors import InputError
from ..lib.files import write_atomic
from ..lib.words import yuan
from ..vocab import EventKind
from .stats import alarms_for, category_name, category_short, tally_incidents

SHEETS = ("警情", "宣传", "预警发布", "预警信号")
CITY_SHEET = "各警务室"
APP_NAME = "国家反诈中心App（金钟罩）"


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text or "")
        if not match or not 1 <= int(match[2]) <= 12:
            raise InputError(f"--month: {text!r} is not a month; write YYYY-MM, e.g. 2026-11")
        return cls(int(match[1]), int(match[2]))

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return date(self.year, self.month, monthrange(self.year, self.month)[1])

    @property
    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    @property
    def year_before(self) -> Month:
        return Month(self.year - 1, self.month)

    @property
    def cn(self) -> str:
        return f"{self.year}年{self.month}月"


def change(now, before) -> dict:
    """The change from `before` to `now`: the difference, and the ratio (None when before is 0)."""
    diff = now - before
    return {"diff": diff, "ratio": None if not before else float(Decimal(diff) / Decimal(before))}


def change_text(c: dict, unit: str = "") -> str:
    """+2起（+50.0%）, -1起（-25.0%）, 持平, or +3起（上期为0）."""
    diff = c["diff"]
    if not diff:
        return "持平"
    shown = yuan(abs(diff)) if unit == "元" else f"{abs(diff)}{unit}"
    sign = "+" if diff > 0 else "-"
    ratio = "上期为0" if c["ratio"] is None else f"{c['ratio']:+.1%}"
    return f"{sign}{shown}（{ratio}）"


# --- gathering ---------------------------------------------------------------------------------------------


def _incidents(session: Session, stations: list[Station], month: Month) -> list:
    from ..incidents.service import list_incidents

    codes = {s.code for s in stations}
    single = stations[0].code if len(stations) == 1 else None
    return [i for i in list_incidents(session, single, month.first, month.last) if i.station.code in codes]


def incident_section(session: Session, categories, stations: list[Station], month: Month) -> dict:
    periods = {"this": month, "last": month.previous, "year_ago": month.year_before}
    tallies = {key: tally_incidents(_incidents(session, stations, m), categories) for key, m in periods.items()}
    order = [c.code for c in categories]
    seen = set().union(*tallies.values())
    codes = [c for c in order if c in seen] + sorted(seen - set(order))
    empty = {"count": 0, "loss": Decimal("0.00"), "stopped": 0}
    rows = []
    for code in codes:
        row = {"category": code, "name": category_name(categories, code), "short": category_short(categories, code)}
        for key in periods:
            row[key] = tallies[key].get(code, empty)
        rows.append(row)
    total = {"category": "", "name": "合计", "short": "合计"}
    for key in periods:
        total[key] = {
            field: sum((r[key][field] for r in rows), Decimal("0.00") if field == "loss" else 0) for field in empty
        }
    for row in [*rows, total]:
        row["changes"] = {
            field: {
                "month": change(row["this"][field], row["last"][field]),
                "year": change(row["this"][field], row["year_ago"][field]),
            }
            for field in empty
        }
    return {"rows": rows, "total": total}


def outreach_section(session: Session, station: Station, month: Month) -> dict:
    """From the recorded talks and stalls of the month (an event planned but not recorded is not counted)."""
    from ..outreach.store import events_of

    recorded = [r for r in events_of(session, station, month.first, month.last) if r.recorded_at is not None]
    talks = [r for r in recorded if r.kind == EventKind.FACTORY_TALK]
    return {
        "talks": len(talks),
        "stalls": sum(r.kind == EventKind.STREET_STALL for r in recorded),
        "attendance": sum(r.attendance or 0 for r in recorded),
        "leaflets": sum(r.leaflets or 0 for r in recorded),
        "registrations": sum(r.registrations or 0 for r in recorded),
        "factories": sorted({r.site for r in talks}),
        "events": [
            {
                "day": r.day,
                "kind": r.kind,
                "site": r.site,
                "attendance": r.attendance or 0,
                "leaflets": r.leaflets or 0,
                "registrations": r.registrations or 0,
            }
            for r in recorded
        ],
    }


def warning_section(session: Session, station: Station, month: Month) -> dict:
    """Warnings published for days of the month, and how many of them were forwarded by hand to each
    ordinary (folder) group (the 已转发 ticks)."""
    from ..db.models import DailyWarning, Forward
    from ..db.reference import station_row
    from ..warnings.publish import subject

    station_id = station_row(session, station.code).id
    published = list(
        session.scalars(
            select(DailyWarning)
            .where(
                DailyWarning.station_id == station_id,
                DailyWarning.status == "published",
                DailyWarning.day.between(month.first, month.last),
            )
            .order_by(DailyWarning.day)
        )
    )
    folder_groups = [g.name for g in station.groups if g.channel == "folder"]
    subjects = {subject("warning", w.day): w for w in published}
    forwards = [
        f
        for f in session.scalars(select(Forward).where(Forward.station_id == station_id))
        if f.subject in subjects and f.group_name in folder_groups
    ]
    forwarded = {}
    for f in forwards:
        forwarded.setdefault(f.subject, []).append(f.group_name)
    days = [
        {
            "day": w.day,
            "incidents": w.incidents,
            "quiet": w.quiet,
            "published_at": w.published_at,
            "forwarded": sorted(forwarded.get(subject("warning", w.day), [])),
        }
        for w in published
    ]
    return {
        "published": len(published),
        "folder_groups": folder_groups,
        "forwards": len(forwards),
        "forwards_expected": len(published) * len(folder_groups),
        "days": days,
    }


def gather_month(
    session: Session, settings: Settings, categories, stations: list[Station], month: Month, today: date
) -> dict:
    per_station = {}
    for station in stations:
        per_station[station.code] = {
            "station": station,
            "incidents": incident_section(session, categories, [station], month),
            "outreach": outreach_section(session, station, month),
            "warnings": warning_section(session, station, month),
        }
    alarm_end = min(month.last, today)
    alarms = alarms_for(session, settings, stations, month.first, alarm_end) if month.first <= alarm_end else []
    for code, data in per_station.items():
        data["alarms"] = [a for a in alarms if a.station_code == code]
    previous_outreach = {s.code: outreach_section(session, s, month.previous) for s in stations}
    return {
        "month": month,
        "stations": stations,
        "incidents": incident_section(session, categories, stations, month),
        "outreach": _sum_outreach([d["outreach"] for d in per_station.values()]),
        "outreach_last": _sum_outreach(list(previous_outreach.values())),
        "warnings": _sum_warnings([d["warnings"] for d in per_station.values()]),
        "alarms": alarms,
        "per_station": per_station,
    }


def _sum_outreach(sections: list[dict]) -> dict:
    keys = ("talks", "stalls", "attendance", "leaflets", "registrations")
    total = {key: sum(s[key] for s in sections) for key in keys}
    total["factories"] = sum(len(s["factories"]) for s in sections)  # factories belong to one station each
    return total


def _sum_warnings(sections: list[dict]) -> dict:
    return {key: sum(s[key] for s in sections) for key in ("published", "forwards", "forwards_expected")}


# --- the workbook ------------------------------------------------------------------------------------------

MONEY = "#,##0.00"
PERCENT = "+0.0%;-0.0%;0.0%"
KIND_NAMES = {EventKind.FACTORY_TALK: "工厂宣讲", EventKind.STREET_STALL: "摆摊宣传"}


def _sheet(workbook, title: str, header: list[str], widths: dict[int, int] | None = None):
    from openpyxl.styles import Alignment, Font, PatternFill

    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEF2F7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.freeze_panes = "A2"
    for index, title_text in enumerate(header, start=1):
        width = (widths or {}).get(index, max(10, 2 * len(title_text) + 2))
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = width
    return sheet


def _formats(sheet, columns: dict[int, str]) -> None:
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.column in columns and cell.value is not None:
                cell.number_format = columns[cell.column]


INCIDENT_HEADER = [
    "类别", "本月起数", "上月起数", "环比增减", "环比", "去年同月起数", "同比增减", "同比",
    "本月损失(元)", "上月损失(元)", "损失环比", "去年同月损失(元)", "损失同比",
    "本月劝阻", "上月劝阻", "去年同月劝阻",
]  # fmt: skip


def _incident_row(row: dict) -> list:
    c = row["changes"]
    return [
        row["name"],
        row["this"]["count"],
        row["last"]["count"],
        c["count"]["month"]["diff"],
        c["count"]["month"]["ratio"],
        row["year_ago"]["count"],
        c["count"]["year"]["diff"],
        c["count"]["year"]["ratio"],
        float(row["this"]["loss"]),
        float(row["last"]["loss"]),
        c["loss"]["month"]["ratio"],
        float(row["year_ago"]["loss"]),
        c["loss"]["year"]["ratio"],
        row["this"]["stopped"],
        row["last"]["stopped"],
        row["year_ago"]["stopped"],
    ]


def write_workbook(data: dict, path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    month: Month = data["month"]
    several = len(data["stations"]) > 1
    workbook = Workbook()
    workbook.remove(workbook.active)

    sheet = _sheet(workbook, "警情", INCIDENT_HEADER, {1: 22})
    section = data["incidents"]
    for row in section["rows"]:
        sheet.append(_incident_row(row))
    sheet.append(_incident_row(section["total"]))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    _formats(sheet, {5: PERCENT, 8: PERCENT, 9: MONEY, 10: MONEY, 11: PERCENT, 12: MONEY, 13: PERCENT})
    sheet.append([])
    sheet.append(
        [f"本月 {month.cn}；上月 {month.previous.cn}；去年同月 {month.year_before.cn}。环比、同比在上期为0时留空。"]
    )

    sheet = _sheet(workbook, "宣传", ["项目", "本月", "上月"], {1: 30})
    this, last = data["outreach"], data["outreach_last"]
    for label, key in (
        ("工厂宣讲(场)", "talks"),
        ("摆摊宣传(场)", "stalls"),
        ("覆盖人数(人)", "attendance"),
        ("发放宣传资料(份)", "leaflets"),
        (f"{APP_NAME}注册(人)", "registrations"),
        ("宣讲覆盖工厂(家)", "factories"),
    ):
        sheet.append([label, this[key], last[key]])
    sheet.append([])
    sheet.append(["日期", "警务室", "类型", "地点", "覆盖人数", "资料", "App注册"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for code, d in data["per_station"].items():
        for e in d["outreach"]["events"]:
            sheet.append(
                [e["day"].isoformat(), code, KIND_NAMES.get(e["kind"], e["kind"]), e["site"],
                 e["attendance"], e["leaflets"], e["registrations"]]
            )  # fmt: skip
    for col, width in ((4, 24),):
        sheet.column_dimensions[sheet.cell(1, col).column_letter].width = width

    sheet = _sheet(
        workbook, "预警发布", ["日期", "警务室", "当日警情", "安静日", "发布时间", "已转发群", "应转发群数"], {6: 30}
    )
    for code, d in data["per_station"].items():
        section = d["warnings"]
        zone = _zone(d["station"], data)
        for day in section["days"]:
            at = day["published_at"].astimezone(zone).strftime("%Y-%m-%d %H:%M") if day["published_at"] else ""
            sheet.append(
                [day["day"].isoformat(), code, day["incidents"], "是" if day["quiet"] else "", at,
                 "、".join(day["forwarded"]), len(section["folder_groups"])]
            )  # fmt: skip
    totals = data["warnings"]
    sheet.append(
        ["合计", "", "", "", f"发布{totals['published']}期", f"转发{totals['forwards']}次", totals["forwards_expected"]]
    )
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)

    sheet = _sheet(workbook, "预警信号", ["日期", "警务室", "类别", "方法", "观测", "期望", "阈值"], {3: 22})
    for a in data["alarms"]:
        sheet.append([a.day.isoformat(), a.station_code, a.category_name, a.method, a.observed,
                      round(a.expected, 2), round(a.threshold, 2)])  # fmt: skip
    if not data["alarms"]:
        sheet.append(["本月无预警信号"])

    if several:
        sheet = _sheet(
            workbook,
            CITY_SHEET,
            ["警务室", "警情(起)", "损失(元)", "劝阻(起)", "上月警情", "工厂宣讲", "摆摊宣传", "覆盖人数",
             "宣传资料", "App注册", "覆盖工厂", "预警发布", "转发", "预警信号"],
            {1: 20},
        )  # fmt: skip
        for code, d in data["per_station"].items():
            t = d["incidents"]["total"]
            o, w = d["outreach"], d["warnings"]
            sheet.append(
                [d["station"].name, t["this"]["count"], float(t["this"]["loss"]), t["this"]["stopped"],
                 t["last"]["count"], o["talks"], o["stalls"], o["attendance"], o["leaflets"], o["registrations"],
                 len(o["factories"]), w["published"], w["forwards"], len(d["alarms"])]
            )  # fmt: skip
        _formats(sheet, {3: MONEY})

    buffer = io.BytesIO()
    workbook.save(buffer)
    return write_atomic(path, buffer.getvalue())


def _zone(station: Station, data: dict):
    return data["settings"].station_timezone(station)


# --- the one-page summary ----------------------------------------------------------------------------------


def summary_content(data: dict, title_place: str, generated: date) -> dict:
    month: Month = data["month"]
    total = data["incidents"]["total"]
    c = total["changes"]
    o, w = data["outreach"], data["warnings"]
    figures = [
        ("电诈警情", f"{total['this']['count']}起", f"环比{change_text(c['count']['month'], '起')}"),
        ("群众损失", yuan(total["this"]["loss"]), f"环比{change_text(c['loss']['month'], '元')}"),
        ("劝阻成功", f"{total['this']['stopped']}起", f"环比{change_text(c['stopped']['month'], '起')}"),
        ("工厂宣讲 / 摆摊", f"{o['talks']}场 / {o['stalls']}场", f"覆盖工厂{o['factories']}家"),
        ("覆盖人数", f"{o['attendance']}人", f"发放资料{o['leaflets']}份"),
        ("反诈App注册", f"{o['registrations']}人", "国家反诈中心App / 金钟罩"),
        ("预警发布", f"{w['published']}期", f"转发{w['forwards']}次"),
        ("预警信号", f"{len(data['alarms'])}次", "按配置的监测方法"),
        ("去年同月警情", f"{total['year_ago']['count']}起", f"本月同比{change_text(c['count']['year'], '起')}"),
    ]
    rows = data["incidents"]["rows"]
    table = [
        [r["short"], str(r["this"]["count"]), str(r["last"]["count"]),
         change_text(r["changes"]["count"]["month"], "起"), str(r["year_ago"]["count"]),
         change_text(r["changes"]["count"]["year"], "起"), yuan(r["this"]["loss"])]
        for r in rows
    ]  # fmt: skip
    table.append(
        ["合计", str(total["this"]["count"]), str(total["last"]["count"]), change_text(c["count"]["month"], "起"),
         str(total["year_ago"]["count"]), change_text(c["count"]["year"], "起"), yuan(total["this"]["loss"])]
    )  # fmt: skip
    return {
        "title": f"{title_place}{month.cn}反诈工作月报",
        "subtitle": f"统计期间 {month.first.isoformat()} 至 {month.last.isoformat()}；"
        f"对比 {month.previous.cn}（环比）与 {month.year_before.cn}（同比）",
        "figures": figures,
        "chart": {
            "title": "各类警情：本月与上月",
            "labels": [r["short"] for r in rows] or ["无警情"],
            "this": f"本月（{month.month}月）",
            "last": f"上月（{month.previous.month}月）",
            "this_values": [r["this"]["count"] for r in rows] or [0],
            "last_values": [r["last"]["count"] for r in rows] or [0],
        },
        "table_header": ["类别", "本月", "上月", "环比", "去年同月", "同比", "本月损失"],
        "table": table,
        "footer": f"antifraud 生成于 {generated.isoformat()}；数据来自警情登记、宣传记录和预警发布记录",
    }


def write_report(
    session: Session,
    settings: Settings,
    categories,
    stations: list[Station],
    month: Month,
    out_dir: Path,
    today: date,
    suffix: str = "",
) -> list[Path]:
    """Gather the month and write report-YYYY-MM[-station].xlsx, summary-YYYY-MM[-station].png and .pdf."""
    from .charts import summary_page

    data = gather_month(session, settings, categories, stations, month, today)
    data["settings"] = settings
    stem = f"{month}{suffix}"
    xlsx = write_workbook(data, out_dir / f"report-{stem}.xlsx")
    place = stations[0].name if len(stations) == 1 else f"全市{len(stations)}个警务室"
    png, pdf = summary_page(
        settings, summary_content(data, place, today), out_dir / f"summary-{stem}.png", out_dir / f"summary-{stem}.pdf"
    )
    return [xlsx, png, pdf]
