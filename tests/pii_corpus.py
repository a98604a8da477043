"""Spellings of personal data as people type them into incidents (issue 5): none may survive into
stored or published text. Each entry is (text as typed, secrets that must not be found again).

A number secret is its digits: published text is searched after turning full-width digits and
Chinese numerals into ASCII and dropping separators between digits, so a number cannot come back
respelled. A name secret is the full name (and the given name when it has two characters); an age
secret is the exact age as written.
"""

from __future__ import annotations

import re

# Ways a separator is typed between digit groups: ASCII, full-width, Chinese input, invisible.
SEPARATORS = (" ", "-", ".", "·", "－", "—", "　", "．", "\u200b", "\u00a0", " - ")

# Where a number sits in a sentence.
NUMBER_CONTEXTS = (
    "{}",
    "对方电话{}，",
    "回拨{}后被骗。",
    "{}是骗子的号码",
    "（来电{}）",
    "号码：{}。",
    "加微信{}后被拉群",
    "事主用{}转账",
)

MOBILES = ("13912345678", "13823456789", "15012349876", "18688886666", "17012345670", "19912340000")


def _groups(digits: str, sizes: tuple[int, ...]) -> list[str]:
    out, start = [], 0
    for size in sizes:
        out.append(digits[start : start + size])
        start += size
    return out


def _fullwidth(text: str) -> str:
    return text.translate(str.maketrans("0123456789-()+Xx", "０１２３４５６７８９－（）＋Ｘｘ"))


_CN = dict(zip("0123456789", "〇一二三四五六七八九", strict=True))


def _chinese(digits: str, one: str = "一", zero: str = "〇") -> str:
    return "".join(one if d == "1" else zero if d == "0" else _CN[d] for d in digits)


def _mobiles() -> list[tuple[str, list[str]]]:
    out = []
    for number in MOBILES:
        out.append((number, [number]))
        for sep in SEPARATORS:
            out.append((sep.join(_groups(number, (3, 4, 4))), [number]))
        out.append(("-".join(_groups(number, (4, 3, 4))), [number]))
    n = MOBILES[0]
    for spelling in (
        f"+86{n}",
        f"+86 {n}",
        f"+86-{n[:3]}-{n[3:7]}-{n[7:]}",
        f"0086 {n}",
        f"(+86){n}",
        f"（+86）{n}",
        f"86-{n}",
        _fullwidth(n),
        _fullwidth(f"{n[:3]}-{n[3:7]}-{n[7:]}"),
        "＋８６ " + _fullwidth(n),
        _chinese(n),
        _chinese(n, one="幺"),
        _chinese(n, zero="零"),
        " ".join(_groups(_chinese(n), (3, 4, 4))),
        "-".join(_groups(_chinese(n, one="幺"), (3, 4, 4))),
        n[:3] + _chinese(n[3:7]) + n[7:],  # half typed, half spoken
        _chinese(n[:3]) + _fullwidth(n[3:]),
        f"{n[:3]}\u202e{n[3:]}",  # a bidi override splitting the number
        f"{n[:5]}\u200d{n[5:]}",
        f"{n[:3]}\ufeff{n[3:7]}\u2066{n[7:]}\u2069",
        f"{n[:3]}\x07{n[3:]}",
    ):
        out.append((spelling, [n]))
    for one in ("一", "幺"):
        for number in MOBILES[1:]:
            out.append((_chinese(number, one=one), [number]))
    return out


LANDLINES = (
    ("0769-12345678", "076912345678"),
    ("(0769)12345678", "076912345678"),
    ("（0769）12345678", "076912345678"),
    ("(0769) 1234 5678", "076912345678"),
    ("0769 12345678", "076912345678"),
    ("0769—12345678", "076912345678"),
    ("0769-1234-5678", "076912345678"),
    ("076912345678", "076912345678"),
    ("020-87654321", "02087654321"),
    ("(020)87654321", "02087654321"),
    ("020 8765 4321", "02087654321"),
    ("02087654321", "02087654321"),
    ("010-66668888", "01066668888"),
    ("010 6666 8888", "01066668888"),
    ("0898-6123456", "08986123456"),
    ("0571.8765.4321", "057187654321"),
    ("+86-769-12345678", "76912345678"),
    ("+86 20 87654321", "2087654321"),
    ("0086-10-66668888", "1066668888"),
    ("０７６９－１２３４５６７８", "076912345678"),
    ("（０２０）８７６５４３２１", "02087654321"),
    ("〇七六九一二三四五六七八", "076912345678"),
    ("零二零八七六五四三二一", "02087654321"),
    ("0769\u200b12345678", "076912345678"),
)

ID_CARDS = (
    ("110105199001011234", "110105199001011234"),
    ("44190019900101123X", "44190019900101123"),
    ("44190019900101123x", "44190019900101123"),
    ("44190019900101123Ｘ", "44190019900101123"),
    ("110105 19900101 1234", "110105199001011234"),
    ("110105-19900101-1234", "110105199001011234"),
    ("１１０１０５１９９００１０１１２３４", "110105199001011234"),
    ("一一〇一〇五一九九〇〇一〇一一二三四", "110105199001011234"),
    ("320311770706001", "320311770706001"),  # old 15-digit: region, YYMMDD, sequence
    ("110105900101123", "110105900101123"),
    ("441900851231234", "441900851231234"),
    ("110105 900101 123", "110105900101123"),
    ("３２０３１１７７０７０６００１", "320311770706001"),
    ("110105\u202e900101123", "110105900101123"),
)

BANK_CARDS = (
    ("6222021234567890123", "6222021234567890123"),
    ("6222 0212 3456 7890 123", "6222021234567890123"),
    ("6228-4800-1234-5678", "6228480012345678"),
    ("6217.0000.1234.5678", "6217000012345678"),
    ("6217000012345678", "6217000012345678"),
    ("６２２２０２１２３４５６７８９０１２３", "6222021234567890123"),
    ("6228 4800 1234 5678 9", "62284800123456789"),
)

ROLES = ("受害人", "事主", "被害人", "报警人", "当事人", "受骗人", "报案人", "求助人")
NAMES = ("王小明", "李娜", "欧阳娜娜", "张伟", "陈静怡", "司马光明", "诸葛亮", "黄晓东")
NAME_CONTEXTS = (
    "{role}{name}（男，35岁）称接到电话",
    "{role}{name}被骗",
    "{role}：{name}，在家中接到电话",
    "{role}为{name}。",
    "{role}{name}在网上兼职",
    "{role}姓名{name}，",
    "{role} {name} 称",
)


def _names() -> list[tuple[str, list[str]]]:
    out = []
    for i, name in enumerate(NAMES):
        for j, context in enumerate(NAME_CONTEXTS):
            role = ROLES[(i + j) % len(ROLES)]
            text = context.format(role=role, name=name)
            given = name[2:] if name[:2] in ("欧阳", "司马", "诸葛") else name[1:]
            secrets = [name] + ([given] if len(given) == 2 else [])
            secrets += ["35岁"] if "35岁" in text else []
            out.append((text, secrets))
    out += [
        ("王小明（男，35岁）报警称被骗", ["王小明", "小明", "35岁"]),
        ("户名：刘晓燕，卡号被冻结", ["刘晓燕", "晓燕"]),
        ("收款人叫周建国。", ["周建国", "建国"]),
        ("嫌疑人赵大力（女，28岁）", ["赵大力", "大力", "28岁"]),
    ]
    return out


AGES = (
    ("事主（男，35岁）", ["35岁"]),
    ("事主（女，62周岁）", ["62岁", "62周岁"]),
    ("一名三十五岁的工人", ["三十五岁", "35岁"]),
    ("七十三岁的老人", ["七十三岁", "73岁"]),
    ("8岁男孩用家长手机充值", ["8岁"]),
    ("19岁学生", ["19岁"]),
    ("年龄：47，退休", ["年龄：47"]),
    ("年龄47", ["年龄47"]),
    ("今年56岁", ["56岁"]),
    ("（女，二十九岁）", ["二十九岁"]),  # 29 is banded to 18至29岁, which keeps "29岁" as a range
    ("81岁左右的老人", ["81岁"]),
    ("１７岁", ["17岁", "１７岁"]),
)


def _contexted(entries, contexts=NUMBER_CONTEXTS) -> list[tuple[str, list[str]]]:
    return [(contexts[i % len(contexts)].format(text), [secret]) for i, (text, secret) in enumerate(entries)]


def corpus() -> list[tuple[str, list[str]]]:
    mobiles = _mobiles()
    entries = [(NUMBER_CONTEXTS[i % len(NUMBER_CONTEXTS)].format(text), s) for i, (text, s) in enumerate(mobiles)]
    entries += _contexted(LANDLINES, ("座机{}", "对方固话{}，", "（来电{}）", "回拨{}被骗。"))
    entries += _contexted(ID_CARDS, ("身份证{}", "身份证号码为{}，", "（身份证号{}）", "证件号{}被冒用"))
    entries += _contexted(BANK_CARDS, ("卡号{}", "转入银行卡{}。", "（尾号前是{}）", "账号：{}"))
    entries += _names()
    entries += AGES
    return entries


CORPUS = corpus()

# Text that looks a little like personal data but is not; masking must leave it exactly as typed.
NOT_PERSONAL = (
    "拨打96110或110，损失38000元",
    "2026年11月22日",
    "2026-11-22 14:30接到电话",
    "2026.11.22晚上8点",
    "转账12345元",
    "分3次转账共1,234,567.89元",
    "订单号12345678901234",  # 14 digits
    "订单号202611221234567890123",  # 21 digits
    "验证码123456",
    "快递单号SF1234567890",
    "客服热线95588",
    "400-123-4567是假客服号码",
    "12345政务热线",
    "QQ号123456789",
    "第3网格",
    "事主接到自称客服的电话",
    "事主在网上看到广告",
    "事主从借呗借款后转账",
    "事主向民警求助",
    "受害人经民警劝阻未转账",
    "事主王某被骗",
    "事主王某某称",
    "受害人李女士",
    "事主张先生在家",
    "报警人张阿姨称",
    "30多岁的男子",
    "18至29岁的学生",
    "70岁以上老人",
    "60岁以下",
    "十几岁的孩子",
    "一名未成年人",
    "3.8万元",
    "1.2万",
)


_CN_DIGITS = str.maketrans("〇零○一幺二三四五六七八九０１２３４５６７８９", "0001123456789" + "0123456789")


def digits_view(text: str) -> str:
    """The text with every way of writing a digit made ASCII and separators between digits dropped."""
    text = re.sub(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\x00-\x1f\x7f-\x9f]", "", text)
    text = text.translate(_CN_DIGITS)
    return re.sub(r"(?<=\d)[\s\-－—.．·()（）+＋]+(?=\d)", "", text)


def survivors(text: str, secrets: list[str]) -> list[str]:
    """The secrets still found in text."""
    found = []
    flat = digits_view(text)
    for secret in secrets:
        if secret.isdigit():
            if secret in flat:
                found.append(secret)
        elif secret in text:
            found.append(secret)
    return found
