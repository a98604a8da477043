"""Spreadsheet files as rows of cells, and what goes into a cell on export.

Reading is streamed, a row at a time, and loses nothing quietly: a CSV quote left open is an
error naming its row, and an XLSX formula without a saved result comes back as an UnsavedFormula
for the importer to report, not as an empty cell.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from ..errors import InputError

# What a spreadsheet runs as a formula when a cell starts with it (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text as a spreadsheet shows it, never runs it: a ' before a formula-like start.

    Text already starting with quotes before such a character gets one more, so that taking
    one ' off on import always gives back what was stored.
    """
    return "'" + value if isinstance(value, str) and _formula_like(value) else value


def restore(value):
    """The text `neutralise` was given."""
    return value[1:] if isinstance(value, str) and value.startswith("'") and _formula_like(value) else value


def _formula_like(text: str) -> bool:
    return text.lstrip("'")[:1] in FORMULA_STARTS


@dataclass(frozen=True)
class UnsavedFormula:
    """An XLSX formula cell with no result saved (written by a program that does not calculate)."""

    formula: str


def read_table(path: Path) -> Iterator[tuple[int, list]]:
    """(row number, cells) for every non-empty row, header first, read as they are asked for."""
    if not path.is_file():
        raise InputError(f"file: {str(path)!r} does not exist")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix in (".csv", ".txt"):
        return _read_csv(path)
    raise InputError(f"file: {path.name!r} is not a .csv or .xlsx file")


def _read_csv(path: Path) -> Iterator[tuple[int, list]]:
    encoding = _text_encoding(path)
    with path.open(encoding=encoding, newline="") as handle:
        # Only the delimiter is guessed (from the header); quoting stays Excel's, which the
        # sniffer gets wrong on a header without quotes.
        header = handle.readline()
        delimiter = max(",\t;", key=header.count)
        # Strict: a quote not closed where a cell ends is an error, not the rest of the file in one cell.
        reader = csv.reader(chain([header], handle), csv.excel, delimiter=delimiter, strict=True)
        width = None
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):
                if any(cell.strip() for cell in cells):
                    width = width or len(cells)
                    _check_no_row_swallowed(number, cells, width, delimiter)
                    yield number, cells
        except csv.Error as exc:
            raise InputError(
                f"row {number + 1}: a quoted cell does not end where it should ({exc}); check for an unclosed quote"
            ) from None


def _text_encoding(path: Path) -> str:
    """UTF-8 (BOM or not) or else GBK, whichever decodes the whole file; read in blocks, not kept."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as handle:
                while block := handle.read(1 << 20):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise InputError(f"file: {path.name!r} is neither UTF-8 nor GBK text")


def _check_no_row_swallowed(number: int, cells: list[str], width: int, delimiter: str) -> None:
    """A cell whose later lines look like whole rows most likely took them in after a quote left open.

    `width` is the header's; a line with that many cells' worth of delimiters is a row, not prose.
    """
    enough = max(2, width - 1)
    for index, cell in enumerate(cells):
        if "\n" not in cell:
            continue
        for line in cell.splitlines()[1:]:
            if line.count(delimiter) >= enough:
                raise InputError(
                    f"row {number}, column {index + 1}: the cell goes on over several lines, one like a whole row "
                    f"({line[:30]!r}); check for an unclosed quote"
                )


def _read_xlsx(path: Path) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook

    # Read twice: the results a spreadsheet program saved, and the formulas, to tell a formula
    # whose result was never saved (openpyxl and some exporters save none) from an empty cell.
    try:
        results = load_workbook(path, read_only=True, data_only=True)
        formulas = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError(f"file: {path.name!r} is not a readable .xlsx workbook ({exc.__class__.__name__})") from None
    try:
        pairs = zip(results.worksheets[0].iter_rows(), formulas.worksheets[0].iter_rows())
        for number, (saved, written) in enumerate(pairs, start=1):
            cells = [_xlsx_value(result, source) for result, source in zip(saved, written)]
            if any(cell not in (None, "") for cell in cells):
                yield number, cells
    finally:
        results.close()
        formulas.close()


def _xlsx_value(result, source):
    # A saved empty text result has type "str"; no saved result at all has none.
    if source.data_type == "f" and result.value is None and result.data_type != "str":
        return UnsavedFormula(str(source.value))
    return result.value
