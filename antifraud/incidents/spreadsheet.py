"""CSV/XLSX import (all-or-nothing) and export of incidents.

Columns may be named in English (date, category, loss, ...) or Chinese (日期, 类别, 损失金额, ...).
CSV may be UTF-8 with or without BOM, or GBK as Excel on Chinese Windows writes it.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..errors import InputError
from .categories import Categories
from .validate import CHANNEL_NAMES, IncidentFields, validate_incident

COLUMNS = {
    "date": ("日期", "案发日期", "发案日期", "报案日期"),
    "category": ("类别", "类型", "诈骗类型", "案件类型", "警情类别"),
    "loss": ("损失金额", "损失", "金额", "涉案金额", "loss_yuan"),
    "stopped": ("是否劝阻", "劝阻", "已劝阻", "劝阻成功", "是否劝阻成功"),
    "channel": ("渠道", "诈骗渠道", "接触方式", "联系方式"),
    "victim": ("受害人", "称呼", "受害人称呼"),
    "victim_age": ("年龄", "受害人年龄", "年龄段"),
    "occupation": ("职业", "受害人职业"),
    "place": ("地点", "发案地点", "网格", "地点网格", "地点/网格"),
    "summary": ("简要案情", "案情", "摘要", "案情简述", "简述"),
    "station": ("警务室", "站点", "所属警务室"),
}
IGNORED_COLUMNS = {"id", "no", "#", "序号", "编号"}
EXPORT_HEADERS = (
    "编号",
    "日期",
    "类别",
    "损失金额",
    "是否劝阻",
    "渠道",
    "受害人",
    "年龄",
    "职业",
    "地点",
    "简要案情",
    "警务室",
)
MAX_ERRORS_SHOWN = 20


@dataclass
class ParsedRow:
    line: int  # the row number a person sees in Excel or an editor
    station_code: str
    fields: IncidentFields


@dataclass
class ImportPlan:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def masked(self) -> Counter:
        total = Counter()
        for row in self.rows:
            total.update(row.fields.masked)
        return total


def _header_key(text) -> str:
    text = re.sub(r"[（(][^）)]*[）)]", "", str(text or ""))  # 损失金额（元） -> 损失金额
    return re.sub(r"\s+", "", text).lower()


def _column_for(header) -> str | None:
    key = _header_key(header)
    for name, aliases in COLUMNS.items():
        if key == name or key in {_header_key(a) for a in aliases}:
            return name
    return None


def read_table(path: Path) -> list[tuple[int, list]]:
    """(row number, cells) for every non-empty row, header first."""
    if not path.is_file():
        raise InputError(f"file: {str(path)!r} does not exist")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix in (".csv", ".txt"):
        return _read_csv(path)
    raise InputError(f"file: {path.name!r} is not a .csv or .xlsx file")


def _read_csv(path: Path) -> list[tuple[int, list]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError(f"file: {path.name!r} is neither UTF-8 nor GBK text")
    # Only the delimiter is guessed (from the header); quoting stays Excel's, which the
    # sniffer gets wrong on a header without quotes.
    header = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=header.count)
    rows = []
    for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter), start=1):
        if any(cell.strip() for cell in cells):
            rows.append((number, cells))
    return rows


def _read_xlsx(path: Path) -> list[tuple[int, list]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError(f"file: {path.name!r} is not a readable .xlsx workbook ({exc.__class__.__name__})") from None
    try:
        sheet = workbook.worksheets[0]
        return [
            (number, list(cells))
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1)
            if any(cell not in (None, "") for cell in cells)
        ]
    finally:
        workbook.close()


def plan_import(
    path: Path, categories: Categories, today: date, stations: dict[str, str], default_station: str
) -> ImportPlan:
    """Read and check every row; nothing is written here.

    stations maps each station's code and name to its code.
    """
    table = read_table(path)
    if not table:
        raise InputError(f"file: {path.name!r} has no rows")
    header_line, header = table[0]
    columns: list[str | None] = []
    for index, title in enumerate(header):
        name = _column_for(title)
        if name is None and _header_key(title) not in IGNORED_COLUMNS and str(title or "").strip():
            known = ", ".join(COLUMNS)
            raise InputError(f"row {header_line}, column {index + 1}: {str(title)!r} is not a known column ({known})")
        if name is not None and name in columns:
            raise InputError(f"row {header_line}, column {index + 1}: {str(title)!r} repeats column {name!r}")
        columns.append(name)
    for required in ("date", "category"):
        if required not in columns:
            raise InputError(f"row {header_line}: the {required!r} column ({COLUMNS[required][0]}) is missing")

    plan = ImportPlan()
    for line, cells in table[1:]:
        raw = {name: cells[i] if i < len(cells) else None for i, name in enumerate(columns) if name}
        raw = {k: (v.strip() if isinstance(v, str) else v) for k, v in raw.items()}
        try:
            station_code = _station(raw.pop("station", None), stations, default_station)
            fields = validate_incident(raw, categories, today)
        except InputError as exc:
            plan.errors.append(f"row {line}, {_with_column_title(str(exc), header, columns)}")
            continue
        plan.rows.append(ParsedRow(line, station_code, fields))
    return plan


def _station(value, stations: dict[str, str], default: str) -> str:
    if value in (None, ""):
        return default
    text = str(value).strip()
    if text not in stations:
        raise InputError(f"station: {text!r} is not a station in the config")
    return stations[text]


def _with_column_title(message: str, header: list, columns: list) -> str:
    """'loss: ...' -> 'column 损失金额 (loss): ...' so the person finds the cell."""
    name, _, rest = message.partition(": ")
    if name in columns:
        title = str(header[columns.index(name)]).strip()
        label = title if title == name else f"{title} ({name})"
        return f"column {label}: {rest}"
    return message


def export_rows(incidents) -> list[list]:
    """Rows with Chinese headers that import reads back unchanged."""
    rows = [list(EXPORT_HEADERS)]
    for item in incidents:
        rows.append(
            [
                item.id,
                item.day.isoformat(),
                item.category.name,
                str(item.loss),
                "是" if item.stopped else "否",
                CHANNEL_NAMES.get(item.channel, "") if item.channel else "",
                item.victim or "",
                item.victim_age or "",
                item.occupation or "",
                item.place or "",
                item.summary or "",
                item.station.code,
            ]
        )
    return rows


def write_export(path: Path, incidents) -> int:
    rows = export_rows(incidents)
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        # A BOM makes Excel on Chinese Windows open UTF-8 correctly.
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows(rows)
    elif suffix == ".xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "电诈警情"
        for row in rows:
            sheet.append(row)
        for column, width in zip("ABCDEFGHIJKL", (6, 12, 22, 12, 9, 8, 9, 8, 14, 20, 60, 10)):
            sheet.column_dimensions[column].width = width
        workbook.save(path)
    else:
        raise InputError(f"file: {path.name!r} must end in .csv or .xlsx")
    return len(rows) - 1
