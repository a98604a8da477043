"""Masking of personal numbers on entry: summaries become public posts."""

import json

import pytest

from antifraud.incidents.privacy import mask_pii

CASES = [
    ("受害人手机13912345678被骗", "受害人手机139****5678被骗", {"mobile": 1}),
    ("电话+86 139-1234-5678", "电话139****5678", {"mobile": 1}),
    ("电话139 1234 5678。", "电话139****5678。", {"mobile": 1}),
    ("全角１３９１２３４５６７８", "全角139****5678", {"mobile": 1}),
    ("身份证110105199001011234", "身份证110***********1234", {"id_card": 1}),
    ("身份证44190019900101123X号", "身份证441***********123X号", {"id_card": 1}),
    ("卡号6222021234567890123", "卡号6222***********0123", {"bank_card": 1}),
    ("卡号6222 0212 3456 7890", "卡号6222********7890", {"bank_card": 1}),
    ("拨打96110或110，损失38000元，2026年11月22日", "拨打96110或110，损失38000元，2026年11月22日", {}),
    ("两个号码13912345678和13812345678", "两个号码139****5678和138****5678", {"mobile": 2}),
]


@pytest.mark.parametrize("text,masked,counts", CASES, ids=[c[0] for c in CASES])
def test_mask_pii(text, masked, counts):
    result, found = mask_pii(text)
    assert result == masked
    assert dict(found) == counts


def test_cli_masks_on_entry_and_says_so(run):
    summary = "事主手机13912345678，身份证110105199001011234，银行卡6222021234567890123被转走"
    result = run(
        "incident",
        "add",
        "--date",
        "2026-11-22",
        "--category",
        "冒充公检法",
        "--summary",
        summary,
        "--place",
        "联系人13812345678",
    )
    assert result.code == 0
    assert "masked 1 ID card number, 1 bank card number, 2 phone numbers" in result.out
    stored = run("incident", "list", "--format", "json").out
    for secret in ("13912345678", "110105199001011234", "6222021234567890123", "13812345678"):
        assert secret not in stored
    [record] = json.loads(stored)
    assert "139****5678" in record["summary"]
    assert record["place"] == "联系人138****5678"
    # The audit trail holds what was stored, not what was typed.
    assert "13912345678" not in run("incident", "show", str(record["id"]), "--format", "json").out


def test_edit_masks_too(run):
    run("incident", "add", "--date", "2026-11-22", "--category", "other")
    result = run("incident", "edit", "1", "--summary", "回拨13912345678")
    assert result.code == 0 and "masked 1 phone number" in result.out
    assert "13912345678" not in run("incident", "show", "1", "--format", "json").out
