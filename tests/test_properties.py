"""Property-based tests (issue 14, done-when): whatever a person types into an incident, through the CLI
or a spreadsheet, there is never a traceback, never a partial write, and no phone, ID or bank card
number is stored whole.
"""

from __future__ import annotations

import csv
import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pii_corpus import survivors

# Text as people paste it: Chinese, digits and separators that make numbers, symbols, emoji,
# control and bidi characters, markup.
PIECES = st.sampled_from(
    [
        "被骗", "刷单", "客服", "石鼓社区", "“安全账户”", "，", "。", "（", "）", "\n", "\t", " ",
        "13912345678", "139 1234 5678", "139-1234-5678", "１３９１２３４５６７８", "+8613912345678",
        "110105199001011234", "44190019900101123X", "6222021234567890123", "6222 0212 3456 7890",
        "0769-12345678", "96110", "110", "38000", "1e3", "=HYPERLINK(\"x\")", "@all", "[点我](http://x.cn)",
        "<font color=red>", "😭", "𠮷", "\x07", "\x1b[31m", "\u202e", "\u200b", "'", '"', ",",
    ]
)  # fmt: skip
TEXT = st.lists(st.one_of(PIECES, st.text(max_size=4)), max_size=12).map("".join)
LOSS = st.one_of(
    st.sampled_from(["", "0", "800", "1,234.50", "1.2万", "-1", "abc", "1e9", "1e1000000", "1e-999999999", "NaN"]),
    TEXT,
)
AGE = st.one_of(st.sampled_from(["", "32", "30-39", "150", "老人", "70+"]), st.text(max_size=5))
DAY = st.sampled_from(["2026-11-22", "2026/11/21", "2026年11月20日", "昨天", "2026-02-30", "2027-01-01", "x"])

WHOLE_NUMBER = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|\d{17}[\dXx]|\d{16,19})(?!\d)")
EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def count(run) -> int:
    return len(json.loads(run("incident", "list", "--format", "json").out))


def stored_text(run) -> str:
    return run("incident", "list", "--format", "json").out + run("incident", "list", "--format", "csv").out


@EXAMPLES
@given(summary=TEXT, place=TEXT, occupation=TEXT, loss=LOSS, age=AGE, day=DAY, stopped=st.booleans())
def test_incident_add_never_tracebacks_and_writes_all_or_nothing(
    run, summary, place, occupation, loss, age, day, stopped
):
    before = count(run)
    args = ["--date", day, "--category", "刷单返利", "--summary", summary, "--place", place]
    args += ["--occupation", occupation, "--loss", loss, "--victim-age", age] + (["--stopped"] if stopped else [])
    result = run("incident", "add", *args)
    assert "Traceback" not in result.err
    assert result.code in (0, 2), result
    if result.code == 2:
        assert len(result.err.strip().splitlines()) == 1 and result.err.startswith("error: ")
    assert count(run) == before + (result.code == 0)
    assert not WHOLE_NUMBER.search(stored_text(run).replace("13800000001", ""))


ROW = st.fixed_dictionaries(
    {
        "日期": DAY,
        "类别": st.sampled_from(["刷单返利", "其他", "冒充客服", "lottery"]),
        "损失金额": LOSS,
        "简要案情": TEXT,
    }
)


@EXAMPLES
@given(rows=st.lists(ROW, min_size=1, max_size=6))
def test_import_never_tracebacks_and_imports_every_row_or_none(run, tmp_path, rows):
    before = count(run)
    path = tmp_path / "cases.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = run("incident", "import", str(path))
    assert "Traceback" not in result.err
    assert result.code in (0, 2), result
    after = count(run)
    if result.code == 2:
        assert after == before  # one bad row: nothing imported
    else:
        assert before <= after <= before + len(rows)  # rows already recorded are skipped
    assert not WHOLE_NUMBER.search(stored_text(run).replace("13800000001", ""))


# Each number delimited, and looked for in every spelling as tests/pii_corpus.py does: WHOLE_NUMBER above
# finds only unbroken ASCII runs, so a separated, full-width or Chinese-numeral survivor would pass it.
NUMBERS = {
    "13912345678": "13912345678", "139 1234 5678": "13912345678", "139-1234-5678": "13912345678",
    "138.1234.5678": "13812345678", "１３９１２３４５６７８": "13912345678", "+8613912345678": "13912345678",
    "一三八一二三四五六七八": "13812345678", "0769-12345678": "076912345678", "(020)87654321": "02087654321",
    "110105199001011234": "110105199001011234", "320311770706001": "320311770706001",
    "6222 0212 3456 7890": "6222021234567890", "139\u202e12345678": "13912345678",
}  # fmt: skip
CONTEXT = st.sampled_from(
    ["被骗", "客服", "“安全账户”", "96110", "38000元", "😭", "\x07", "[点我](http://x.cn)", "@all"]
)
NUMBER = st.sampled_from(sorted(NUMBERS))
PIECE = st.one_of(CONTEXT, NUMBER.map(lambda n: f"电话{n}，"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(PIECE, max_size=8))
def test_no_number_survives_in_any_spelling(run, pieces):
    """Whatever surrounds them, the numbers typed are never stored whole, in any spelling."""
    summary = "".join(pieces)
    result = run("incident", "add", "--date", "2026-11-22", "--category", "其他", "--summary", summary)
    assert result.code == 0, result
    secrets = sorted({NUMBERS[n] for n in NUMBERS if f"电话{n}，" in summary})
    stored = run("incident", "list", "--format", "json").out
    last = json.loads(stored)[-1]
    assert not survivors(json.dumps(last, ensure_ascii=False), secrets), (summary, last["summary"])
