"""Every incident rule, as a table of bad inputs and the message each must produce."""

import json
from decimal import Decimal

import pytest

from antifraud.errors import InputError
from antifraud.incidents.validate import MAX_LOSS, parse_loss

BAD_INPUTS = [
    # (extra CLI arguments replacing the good ones, expected one-line error)
    ({"--date": "2026-13-01"}, "--date: '2026-13-01' is not a date: there is no month 13"),
    ({"--date": "2026/11/31"}, "--date: '2026/11/31' is not a date: 2026年11月 has 30 days"),
    ({"--date": "22/11/2026"}, "--date: '22/11/2026' is not a date as YYYY-MM-DD (also 2026/11/22"),
    ({"--date": "tomorrow"}, "--date: 'tomorrow' is not a date as YYYY-MM-DD"),
    ({"--date": "2026-11-24"}, "date: '2026-11-24' is in the future (today is 2026-11-23)"),
    ({"--date": "1999-12-31"}, "date: '1999-12-31' is before 2000-01-01"),
    ({"--category": "lottery"}, "category: 'lottery' is not a known category"),
    ({"--category": ""}, "category: is required"),
    ({"--loss": "-1"}, "loss: '-1' must be between 0 and 100,000,000 yuan"),
    ({"--loss": "100000000.01"}, "loss: '100000000.01' must be between 0 and 100,000,000 yuan"),
    ({"--loss": "12.345"}, "loss: '12.345' has more than two decimal places"),
    ({"--loss": "abc"}, "loss: 'abc' is not an amount in yuan"),
    ({"--loss": "NaN"}, "loss: 'NaN' must be between 0 and 100,000,000 yuan"),
    ({"--loss": "Infinity"}, "loss: 'Infinity' must be between 0 and 100,000,000 yuan"),
    ({"--channel": "telegram"}, "channel: 'telegram' is not one of phone, qq, wechat, app, sms, other"),
    ({"--victim": "王小明"}, "victim: '王小明' must be a surname with 先生 or 女士"),
    # Issue 5: a given name, or a full name that fits the old two-character rule, is not a surname.
    ({"--victim": "小明女士"}, "victim: '小明女士' must be a surname with 先生 or 女士 (e.g. 王女士), never a full"),
    ({"--victim": "小明女士"}, "'小明' is not a surname we know"),
    ({"--victim": "王明先生"}, "victim: '王明先生' must be a surname with 先生 or 女士"),
    ({"--victim": "欧阳小明女士"}, "victim: '欧阳小明女士' must be a surname with 先生 or 女士"),
    # Issue 7: Decimal reads exponents; a loss is written in digits.
    ({"--loss": "1e1000000"}, "loss: '1e1000000' is not an amount in yuan (write the digits, e.g. 1000)"),
    ({"--loss": "1e-999999999"}, "loss: '1e-999999999' is not an amount in yuan (write the digits, e.g. 1000)"),
    ({"--loss": "1E3"}, "loss: '1E3' is not an amount in yuan (write the digits, e.g. 1000)"),
    ({"--loss": "2.5e4元"}, "loss: '2.5e4元' is not an amount in yuan (write the digits, e.g. 1000)"),
    ({"--loss": "1e3万"}, "loss: '1e3万' is not an amount in yuan (write the digits, e.g. 1000)"),
    ({"--loss": "-0"}, "loss: '-0' must be between 0 and 100,000,000 yuan"),
    ({"--victim-age": "old"}, "victim_age: 'old' is not an age or age band"),
    ({"--victim-age": "150"}, "victim_age: '150' is not an age or age band"),
    (
        {"--occupation": "工" * 41},
        "occupation: '工工工工工工工工工工工工工工工工工工工工'... is 41 characters; at most 40",
    ),
    ({"--place": "路" * 101}, "is 101 characters; at most 100"),
    (
        {"--summary": "骗" * 501},
        "summary: '骗骗骗骗骗骗骗骗骗骗骗骗骗骗骗骗骗骗骗骗'... is 501 characters; at most 500",
    ),
    ({"--station": "nowhere"}, "--station: 'nowhere' is not a station in the config"),
    # 劝阻成功 means nobody lost money: a stopped case with a loss is refused (issue 10).
    ({"--stopped": None, "--loss": "5000"}, "loss: 5,000.00 yuan on a case marked stopped (劝阻成功 means no"),
]

GOOD = {"--date": "2026-11-22", "--category": "order_brushing"}


def args_for(overrides):
    merged = {**GOOD, **overrides}
    return [part for key, value in merged.items() for part in ((key, value) if value is not None else (key,))]


@pytest.mark.parametrize("overrides,message", BAD_INPUTS, ids=[m for _, m in BAD_INPUTS])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(run, overrides, message):
    result = run("incident", "add", *args_for(overrides))
    assert result.code == 2, result
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.err
    assert "Traceback" not in result.err
    assert json.loads(run("incident", "list", "--format", "json").out) == []


GOOD_INPUTS = [
    ({"--loss": "1,234.50"}, "loss", "1234.50"),
    ({"--loss": "¥800"}, "loss", "800.00"),
    ({"--loss": "1.2万"}, "loss", "12000.00"),
    ({"--loss": "100000000"}, "loss", "100000000.00"),
    ({"--date": "2000-01-01"}, "date", "2000-01-01"),
    ({"--date": "2026-11-23"}, "date", "2026-11-23"),  # today is allowed
    ({"--date": "yesterday"}, "date", "2026-11-22"),
    ({"--date": "昨天"}, "date", "2026-11-22"),
    ({"--date": "今天"}, "date", "2026-11-23"),
    ({"--date": "2026/11/21"}, "date", "2026-11-21"),
    ({"--stopped": None, "--loss": "0"}, "stopped", True),
    ({"--category": "刷单返利"}, "category", "order_brushing"),
    ({"--category": "百万医疗保险"}, "category", "medical_insurance"),
    ({"--category": "“百万医疗保险”关闭扣费"}, "category", "medical_insurance"),
    ({"--category": "冒充公检法"}, "category", "impersonate_official"),
    ({"--channel": "微信"}, "channel", "wechat"),
    ({"--channel": "QQ"}, "channel", "qq"),
    ({"--victim-age": "32"}, "victim_age", "30-39"),
    ({"--victim-age": "17"}, "victim_age", "<18"),
    ({"--victim-age": "75"}, "victim_age", "70+"),
    ({"--victim-age": "60-69"}, "victim_age", "60-69"),
    ({"--victim": "欧阳女士"}, "victim", "欧阳女士"),
    ({"--victim": "王女士"}, "victim", "王女士"),
    ({"--victim": "司马先生"}, "victim", "司马先生"),
    ({"--victim": "诸葛女士"}, "victim", "诸葛女士"),
    ({"--victim": "上官先生"}, "victim", "上官先生"),
    ({"--victim": "覃女士"}, "victim", "覃女士"),
    ({"--victim": "肖先生"}, "victim", "肖先生"),
    # Issue 6: control, escape and bidi characters are stripped on entry, in every text field.
    ({"--victim": "王\u200b女士\u202e"}, "victim", "王女士"),
    ({"--summary": "被骗\x07了\x1b[31m三千\x1b[0m元\u202e\u200b"}, "summary", "被骗了三千元"),
    (
        {"--summary": "对方\u2066发来\u2069链接\ufeff\u200f，\x1b]0;title\x07点开\x9b31m后被骗"},
        "summary",
        "对方发来链接，点开后被骗",
    ),
    ({"--summary": "第一行\n第二行\t第三行\r\n"}, "summary", "第一行 第二行 第三行"),
    ({"--place": "石鼓\x1b[2J社区\x08\u202d第三网格"}, "place", "石鼓社区第三网格"),
    ({"--occupation": "工厂\x00员工\x7f\u200e"}, "occupation", "工厂员工"),
]


@pytest.mark.parametrize("overrides,field,stored", GOOD_INPUTS, ids=[f"{f}={s}" for _, f, s in GOOD_INPUTS])
def test_accepted_input_is_stored_normalised(run, overrides, field, stored):
    result = run("incident", "add", *args_for(overrides))
    assert result.code == 0, result.err
    [record] = json.loads(run("incident", "list", "--format", "json").out)
    assert record[field] == stored


def test_date_in_station_timezone(run, frozen_clock):
    # 2026-11-23 01:00 in Shanghai is still 2026-11-22 in UTC; "today" follows the station.
    frozen_clock.move_to("2026-11-22T17:00:00+00:00")
    assert run("incident", "add", "--date", "2026-11-23", "--category", "other").code == 0


def test_incident_add_defaults_to_yesterday_in_the_station_time_zone(run, frozen_clock):
    frozen_clock.move_to("2026-11-22T17:00:00+00:00")  # 01:00 on the 23rd in Shanghai
    assert run("incident", "add", "--category", "other").code == 0
    [record] = json.loads(run("incident", "list", "--format", "json").out)
    assert record["date"] == "2026-11-22"


LOSS_STRINGS = [
    "1e1000000",
    "1e-999999999",
    "9" * 5000,
    "0." + "0" * 5000 + "1",
    "1" + "0" * 5000 + "万",
    "sNaN",
    "-Infinity",
    "inf",
    "1e",
    "e5",
    "0x10",
    "1_000",
    "１２３",
    "١٢٣",
    "1.2万万",
    "万",
    "..",
    "+",
    "¥",
    "1,,0",
    "1.2.3",
]


@pytest.mark.parametrize("value", LOSS_STRINGS)
def test_no_loss_string_is_a_traceback(value):
    """Issue 7: whatever is typed as a loss, the answer is an amount or one InputError naming the field."""
    try:
        amount = parse_loss(value)
    except InputError as exc:
        assert str(exc).startswith("loss: ") and "\n" not in str(exc)
    else:
        assert Decimal(0) <= amount <= MAX_LOSS and amount == amount.quantize(Decimal("0.01"))
        assert not amount.is_signed()
