"""Warnings tailored to each group's audience (templates/audiences.yaml): one render per audience in
use, each group sent its own variant by the outbox, against the local robot server."""

from __future__ import annotations

import hashlib
import re
import textwrap

import pytest
from PIL import Image

from antifraud.config import load_settings
from antifraud.incidents.categories import load_categories
from antifraud.warnings.audiences import load_profiles
from antifraud.warnings.facts import build_facts
from antifraud.warnings.files import draw_poster

from conftest import BASE_CONFIG

KEYS = {"staff": "staff-key", "residents": "res-key", "elderly": "old-key", "factory_workers": "fac-key"}
DAY = "2026-11-22"

GROUPS = """\
      - {name: 石鼓工作群, channel: wecom, webhook_env: AF_A_STAFF, audience: staff}
      - {name: 石鼓居民群, channel: wecom, webhook_env: AF_A_RES, audience: residents}
      - {name: 石鼓长者群, channel: wecom, webhook_env: AF_A_OLD, audience: elderly}
      - {name: 工业园员工群, channel: wecom, webhook_env: AF_A_FAC, audience: factory_workers}
      - {name: 义警群, channel: folder, audience: volunteers}
"""
BASE_GROUPS = """\
      - {name: 石鼓工作群, channel: wecom, webhook_env: AF_TEST_STAFF, audience: staff}
      - {name: 石鼓居民微信群, channel: folder, audience: residents}
"""
assert BASE_GROUPS in BASE_CONFIG
CONFIG = BASE_CONFIG.replace(BASE_GROUPS, GROUPS)

MEDICAL = (
    "事主接到自称支付宝客服的电话，称其开通的百万医疗保险免费期已到，不关闭将每月扣费两千元。"
    "事主按对方要求下载会议软件并开启屏幕共享，随后按提示向所谓安全账户转账五万二千元。"
)
ORDER_BRUSHING = (
    "事主在兼职群里看到刷单广告，按对方要求垫付购物款后被要求继续做任务才能提现，先后转账五次。发现无法提现后报警。"
)


@pytest.fixture
def morning(run, config_file, robots, monkeypatch):
    """A day with three cases of three kinds, published to four robot groups of four audiences."""
    config_file.write_text(textwrap.dedent(CONFIG), encoding="utf-8")
    for audience, env in (("staff", "STAFF"), ("residents", "RES"), ("elderly", "OLD"), ("factory_workers", "FAC")):
        monkeypatch.setenv(f"AF_A_{env}", robots.wecom_url(KEYS[audience]))
    cases = [
        ("百万医疗", "52000", MEDICAL),
        ("刷单返利", "8000", ORDER_BRUSHING),
        ("冒充公检法", "0", "事主接到自称公安的电话称其涉嫌洗钱，社区民警及时上门劝阻。"),
    ]
    for category, loss, summary in cases:
        args = ["incident", "add", "--date", DAY, "--category", category, "--loss", loss, "--summary", summary]
        if loss == "0":
            args.append("--stopped")
        assert run(*args).code == 0
    result = run("warning", "publish", "--wait", "10")
    assert result.code == 0, result.out + result.err
    return config_file.parent / "posters" / DAY / "shigu"


def sent(robots, audience: str) -> tuple[bytes | None, str]:
    """(image md5, text) the audience's robot received."""
    messages = robots.messages(KEYS[audience])
    assert [m["msgtype"] for m in messages] == ["image", "text"], audience
    return messages[0]["body"]["image"]["md5"], messages[1]["body"]["text"]["content"]


def first_tip(text: str) -> str:
    return re.search(r"【防范提示】\n1\. (.+)", text).group(1)


def first_case(text: str) -> str:
    return re.search(r"【典型案例1?】([^：]+)：", text).group(1)


def test_each_group_gets_its_audiences_variant(morning, robots):
    md5 = {a: sent(robots, a)[0] for a in KEYS}
    text = {a: sent(robots, a)[1] for a in KEYS}
    for audience, stem in (("residents", "warning"), ("elderly", "warning-elderly"), ("staff", "warning-staff"),
                           ("factory_workers", "warning-factory_workers")):  # fmt: skip
        if audience == "staff" and not (morning / f"{stem}.png").exists():
            continue
        assert md5[audience] == hashlib.md5((morning / f"{stem}.png").read_bytes()).hexdigest(), audience
        assert text[audience] == (morning / f"{stem}.txt").read_text(encoding="utf-8"), audience
    assert len({md5["residents"], md5["elderly"], md5["factory_workers"]}) == 3  # three posters
    assert not list(morning.glob("warning-volunteers.*"))  # volunteers read the residents' version

    # The highlighted case: the day's largest loss for residents, the audience's own kind for the others.
    assert first_case(text["residents"]) == "“百万医疗保险”关闭扣费"
    assert first_case(text["elderly"]) == "“百万医疗保险”关闭扣费"
    assert first_case(text["factory_workers"]) == "刷单返利"
    categories = load_categories(load_settings(morning.parents[2] / "config.yaml"))
    assert first_tip(text["factory_workers"]) in categories["order_brushing"].tips
    assert first_tip(text["elderly"]) in categories["medical_insurance"].tips
    # Plainer for older residents: a case in at most 60 characters, at most 3 tips.
    assert MEDICAL in text["residents"] and MEDICAL not in text["elderly"]
    assert len(re.findall(r"^\d\. ", text["elderly"], re.M)) <= 3 < len(re.findall(r"^\d\. ", text["residents"], re.M))

    # The staff's own groups: every case of the day, each with what it cost.
    assert len(re.findall(r"【典型案例\d】", text["staff"])) == 3
    assert "被骗5.2万元" in text["staff"] and "被骗8,000元" in text["staff"] and "劝阻" in text["staff"]
    assert len(re.findall(r"【典型案例\d?】", text["residents"])) <= 2


def test_every_variant_fits_the_robots_limits(morning):
    for path in morning.glob("warning*.txt"):
        assert len(path.read_bytes()) <= 2048, path.name
    for path in morning.glob("warning*.md"):
        assert len(path.read_bytes()) <= 4096, path.name
    for path in morning.glob("warning*.png"):
        assert path.stat().st_size <= 2 * 1024 * 1024, path.name


def test_the_elderly_variant_has_larger_type(config_file):
    """The same content drawn with the elderly profile's type (25% larger) is a taller poster."""
    config_file.write_text(textwrap.dedent(CONFIG), encoding="utf-8")
    settings = load_settings(config_file)
    categories = load_categories(settings)
    station = settings.stations[0]
    incident = type("Row", (), {"id": 1, "day": None, "category_code": "medical_insurance", "loss": 800,
                                "stopped": False, "victim": None, "victim_age": None, "occupation": None,
                                "channel": None, "summary": "事主被骗。"})  # fmt: skip
    from datetime import date
    from decimal import Decimal

    incident.day, incident.loss = date(2026, 11, 22), Decimal(800)
    facts = build_facts(station, date(2026, 11, 22), [incident], categories)
    elderly = load_profiles(None).of("elderly")
    assert elderly.poster_scale > 1
    same_words = elderly.model_copy(update={"poster_scale": 1.0})
    larger = draw_poster(facts, categories, station, None, elderly)
    normal = draw_poster(facts, categories, station, None, same_words)
    assert isinstance(larger, Image.Image) and larger.width == normal.width == 1080
    assert larger.height > normal.height * 1.1


def test_an_unknown_category_in_a_stations_audiences_file_is_one_line(run, config_file):
    own = config_file.parent / "templates"
    own.mkdir(exist_ok=True)
    (own / "audiences.yaml").write_text("elderly: {categories: [pension_scam]}\n", encoding="utf-8")
    assert run("incident", "add", "--date", DAY, "--category", "刷单返利").code == 0
    result = run("warning", "render")
    assert (
        result.code == 2
        and "audiences.yaml: elderly.categories[0]: 'pension_scam' is not a category code" in result.err
    )
