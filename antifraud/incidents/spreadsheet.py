"""CSV/XLSX import (all-or-nothing) and export of incidents.

Columns may be named in English (date, category, loss, ...) or Chinese (日期, 类别, 损失金额, ...).
CSV may be UTF-8 with or without BOM, or GBK as Excel on Chinese Windows writes it.

Nothing is lost quietly: a quote left open, a cell outside the titled columns and a formula with
no saved result are each an error naming the row. Exported text a spreadsheet would run as a
formula gets a ' in front (OWASP's advice on CSV injection), and import takes exactly that ' off.
"""

from __future__ import annotations

import csv
import multiprocessing
import re
from collections import Counter
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import date
from itertools import islice
from operator import attrgetter
from pathlib import Path

from ..errors import InputError
from ..lib.collector import paused
from .categories import Categories
from .tables import UnsavedFormula, neutralise, read_table, restore
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

# IncidentFields.as_dict()'s keys, in its order.
FIELD_NAMES = tuple(f.name for f in dataclass_fields(IncidentFields) if f.name != "masked")
_DAY = FIELD_NAMES.index("day")


@dataclass(slots=True)
class ParsedRow:
    """One checked row, kept small: an import holds every row of a file (100,000 or more) at once."""

    line: int  # the row number a person sees in Excel or an editor
    station_code: str
    values: tuple  # the checked fields' values, in FIELD_NAMES order
    masked: Counter | None = None  # None when nothing was masked

    def as_dict(self) -> dict:
        return dict(zip(FIELD_NAMES, self.values))

    @property
    def day(self) -> date:
        return self.values[_DAY]


@dataclass
class ImportPlan:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def masked(self) -> Counter:
        total = Counter()
        for row in self.rows:
            if row.masked:
                total.update(row.masked)
        return total


class _Shared:
    """One object per distinct value of a field, instead of one per row: a large file names a few
    hundred days, places and amounts many times over. Summaries are left alone (nearly all differ)."""

    values_of = attrgetter(*FIELD_NAMES)

    def __init__(self):
        self.seen = [None if name == "summary" else {} for name in FIELD_NAMES]

    def row(self, station_code: str, line: int, checked: IncidentFields) -> ParsedRow:
        values = tuple(
            value if seen is None else seen.setdefault(value, value)
            for seen, value in zip(self.seen, self.values_of(checked))
        )
        return ParsedRow(line, station_code, values, checked.masked or None)


def _header_key(text) -> str:
    text = re.sub(r"[（(][^）)]*[）)]", "", str(text or ""))  # 损失金额（元） -> 损失金额
    return re.sub(r"\s+", "", text).lower()


def _column_for(header) -> str | None:
    key = _header_key(header)
    for name, aliases in COLUMNS.items():
        if key == name or key in {_header_key(a) for a in aliases}:
            return name
    return None


def plan_import(
    path: Path,
    categories: Categories,
    today: date,
    stations: dict[str, str],
    default_station: str,
    workers: int = 1,
) -> ImportPlan:
    """Read and check every row; nothing is written here.

    stations maps each station's code and name to its code. With `workers` > 1 (a large file, on
    a system that can fork), the rows are checked by that many processes, each reading the file
    and taking every n-th row; the plan is the same as one process would make.
    """
    table = read_table(path)  # streamed: a large file is never in memory whole
    header_line, header = next(table, (None, None))
    if header is None:
        raise InputError(f"file: {path.name!r} has no rows")
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
    job = _Check(path, header, columns, categories, today, stations, default_station)
    # Every row checked is kept: without the collector, 100,000 of them are not scanned over and over
    # (here, in the forked workers, which start with it off, and while their results are read back).
    with paused():
        if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
            rows, errors = job.run(table, 0, 1)
        else:
            global _JOB
            _JOB = job  # the forked workers find it here: nothing large is pickled on the way out
            try:
                with multiprocessing.get_context("fork").Pool(workers) as pool:
                    parts = pool.starmap(_check_share, [(k, workers) for k in range(workers)])
            finally:
                _JOB = None
            rows = sorted((ParsedRow(*row) for part, _ in parts for row in part), key=attrgetter("line"))
            errors = sorted(error for _, part in parts for error in part)
    return ImportPlan(rows, [message for _, message in errors])


_JOB = None


def _check_share(k: int, n: int):
    """A forked worker's share, its rows as plain tuples: they pickle several times faster than the
    dataclass (whose slots are read back one object at a time), and most of a share is its rows."""
    rows, errors = _JOB.run(islice(read_table(_JOB.path), 1, None), k, n)
    return [(r.line, r.station_code, r.values, r.masked) for r in rows], errors


@dataclass
class _Check:
    """Checking the rows of one file: the same for one process or several."""

    path: Path
    header: list
    columns: list
    categories: Categories
    today: date
    stations: dict[str, str]
    default_station: str

    def run(self, table, k: int, n: int) -> tuple[list[ParsedRow], list[tuple[int, str]]]:
        """Check every n-th data row, starting at the k-th; returns the rows and (line, error) pairs."""
        header, columns = self.header, self.columns
        untitled = tuple(index for index, title in enumerate(header) if not str(title or "").strip())
        rows, errors, shared = [], [], _Shared()
        for position, (line, cells) in enumerate(table):
            if position % n != k:
                continue
            try:
                raw = _row_values(cells, len(header), columns, untitled)
                station_code = _station(raw.pop("station", None), self.stations, self.default_station)
                checked = validate_incident(raw, self.categories, self.today)
            except InputError as exc:
                errors.append((line, f"row {line}, {_with_column_title(str(exc), header, columns)}"))
                continue
            rows.append(shared.row(station_code, line, checked))
        return rows, errors


def _row_values(cells: list, width: int, columns: list[str | None], untitled: tuple[int, ...]) -> dict:
    """The row's cells by field name, as typed (export's added ' taken off).

    InputError for a filled cell no column title covers, and for a formula with no saved result:
    either would otherwise be imported as nothing.
    """
    for index in (*untitled, *range(width, len(cells))):  # the leftmost such cell
        if index < len(cells) and _filled(cells[index]):
            problem = (
                f"is beyond the header's {width} columns; give the column a title, "
                "or check for a comma that belongs inside a quoted cell"
                if index >= width
                else "is in a column without a title; give the column a title or clear the cell"
            )
            raise InputError(f"column {index + 1}: {_shown(cells[index])} {problem}")
    raw = {}
    for index, name in enumerate(columns[: len(cells)]):
        if name is None:
            continue
        cell = cells[index]
        if isinstance(cell, str):
            raw[name] = (restore(cell) if cell[:1] == "'" else cell).strip()  # most cells start otherwise
        elif isinstance(cell, UnsavedFormula):
            raise InputError(
                f"{name}: the formula {cell.formula!r} has no saved result; open the file in Excel or WPS and "
                "save it, or paste the values only"
            )
        else:
            raw[name] = cell
    return raw


def _filled(cell) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def _shown(cell) -> str:
    text = cell.formula if isinstance(cell, UnsavedFormula) else str(cell)
    return repr(text if len(text) <= 20 else text[:20] + "...")


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
    """Rows with Chinese headers that import reads back unchanged; no cell a spreadsheet would run."""
    rows = [list(EXPORT_HEADERS)]
    for item in incidents:
        row = [
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
        rows.append([neutralise(cell) for cell in row])
    return rows


def write_export(path: Path, incidents) -> int:
    rows = export_rows(incidents)
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        # A BOM makes Excel on Chinese Windows open UTF-8 correctly.
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle, quoting=csv.QUOTE_ALL).writerows(rows)  # every cell quoted, as OWASP advises
    elif suffix == ".xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "电诈警情"
        for row in rows:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, whatever it starts with; openpyxl takes "=..." for a formula
        for column, width in zip("ABCDEFGHIJKL", (6, 12, 22, 12, 9, 8, 9, 8, 14, 20, 60, 10)):
            sheet.column_dimensions[column].width = width
        workbook.save(path)
    else:
        raise InputError(f"file: {path.name!r} must end in .csv or .xlsx")
    return len(rows) - 1
