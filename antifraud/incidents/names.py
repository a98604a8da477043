"""Likely full names in typed text (受害人王小明, 李娜（女，…）), masked to surname + 某 (王某某, 李某).

Chinese has no spaces, so a name is only recognised where police notes put one: straight after a
word for the person (受害人, 事主, 报警人, 户名, ...), or straight before （男 / （女. It must start
with a known surname (surnames.py), have one or two more characters, and end where a name ends:
at punctuation, or before a word like 被, 在 or 称 when its characters cannot be part of an ordinary
word (事主马上报警 is not 马某). What is not caught this way stays as typed: a rule that caught every
name would also mangle ordinary sentences.
"""

from __future__ import annotations

import re

from .surnames import surname_of

# Words for a person that police notes put a name after.
_ROLE = re.compile(
    r"(?:受害人|被害人|受骗人|被骗人|事主|报警人|报案人|当事人|求助人|举报人|来电人|嫌疑人|犯罪嫌疑人|"
    r"收款人|开户人|持卡人|联系人|户名|户主|姓名|丈夫|妻子|儿子|女儿|父亲|母亲|其子|其女|其夫|其妻|家属|男友|女友|同事)"
    r"(?:\s?[:：]\s?|\s|名叫|叫|为|是)?"
)
# Before a bracket giving sex, as in 王小明（男，35岁）.
_SEX_BRACKET = re.compile(r"(?=[（(]\s*[男女])")
# Surnames that are more often a function word right after 事主 (事主向民警..., 事主于当日..., 事主和丈夫...).
_NOT_A_NAME_START = set("于向和经从及与都通能时相那后被在将把所其本自该家区")
# Ordinary words that begin with a surname character.
_COMMON_WORDS = (
    "马上 高兴 方便 方式 方才 平时 平日 常常 常年 常住 明白 明知 明显 全部 全家 全程 同时 成功 安装 安全 万元 "
    "任何 连续 随后 随即 立即 申请 单位 曾经 应该 解释 包括 关于 东西 文件 计划 利用 余额 钱款 钱财 费用 "
    "程序 路上 车上 微信 支付 宁愿 谷歌 苹果 华为 小米 金额 金融 银行 贷款 信用 信息 易于 冷静 宫颈 "
    "周末 周围 周边 周一 周二 周三 周四 周五 周六 周日 高额 高价 高息 高利 高回报 高收益 白天 时间 时候 "
    "余款 余钱 金钱 孙子 孙女 陈述 房子 房租 房贷 房东 包裹 车辆 车票 关注 关闭 关系 游戏 管理 温度 夏天 秋天 春节"
).split()
# What follows a surname but is not a given name: 王女士, 张阿姨, 王某; and words for people (…居民（男）.
_TITLES = set(
    "女士 先生 小姐 阿姨 大爷 大妈 大姐 大哥 奶奶 爷爷 老人 师傅 同学 老师 老板 经理 警官 医生 女儿 儿子 "
    "夫妇 一家 某某 居民 村民 市民 群众 员工 职工 学生 男子 女子 工人 农民 商户 店主 青年 少年".split()
)
_TITLE_CHARS = set("某姐哥叔伯婆姨总工老嫂妹弟爷奶氏")
# Where a name certainly ends, and (for three characters) where it likely ends: the next word.
_STRONG_END = set("，,。.；;：:、！!？?（(）)“”\"' ")
_WEAK_END = set("被在于称接报向因到家的系是为与和及等通经从将把已未也又遂随说讲收用给让去来对先再均都就便并还仍")
# Never in a given name: words of a sentence going on (事主陈述称, 事主李被骗) and 人 (事主苏州人).
_NEVER_GIVEN = set("被在于称接报因到的系是与及等将把已未也又遂随说讲让对都就便并还仍人")
_NOT_GIVEN = set(
    "上下前后中内外里面边部分次个些样种款额财物件费用日时过来去了着的地得也都就还又再才便即已曾将要会能可所末围"
)
# Characters common as a one-character given name (李娜, 张伟): only these make a two-character name
# before a word (事主李娜被骗), so that 事主钱包被偷 stays as it is.
_SINGLE_GIVEN = set(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏飞鑫波斌宇浩凯健俊帆帅旭宁龙林欢阳建亮成佳婷"
    "雪琳晶丹玲燕颖慧倩莉蕾薇璐琪瑶怡婧妍茜悦萌蓉梅兰菊凤荣辉毅峰新力东海文武彬楠博晨昊然哲睿轩瑞泽豪翔"
    "航鸣鸿铭锋钢权威胜利福贵财富喜庆春秋冬松柏山川江河云雨霖露虹彤晓琴芬芝菲芸荷莎娅媛妮婉珊岚曦晴昕晗"
    "月星辰光耀炜烨煜灿锦钰珍珠琦瑾璇瑜蓓菁蔚馨香梦雅洁淑贤惠德仁义礼智信忠孝勤安康乐祥奇伦佩冰凌卉娇"
    "五六七三四九"
)
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _given_ok(given: str) -> bool:
    return (
        all(_HAN.fullmatch(c) for c in given)
        and not set(given) & _NEVER_GIVEN
        and given not in _TITLES
        and not (set(given) & _TITLE_CHARS)
    )


def _name_at(text: str, start: int) -> tuple[str, str] | None:
    """(surname, given name) of a likely full name starting at text[start], or None."""
    surname = surname_of(text[start : start + 4])
    if surname is None or surname in _NOT_A_NAME_START:
        return None
    rest = text[start + len(surname) :]
    if any(rest.startswith(word[len(surname) :]) for word in _COMMON_WORDS if word.startswith(surname)):
        return None
    for size in (2, 1):
        given, after = rest[:size], rest[size : size + 1]
        if len(given) < size or not _given_ok(given):
            continue
        if after == "" or after in _STRONG_END:
            return surname, given
        # Before a word rather than punctuation: only when the name cannot be part of an ordinary word.
        if after in _WEAK_END and not set(given) & _NOT_GIVEN:
            if size == 2 or len(surname) == 2 or given in _SINGLE_GIVEN:
                return surname, given
    return None


def _name_before(text: str, end: int) -> tuple[int, str, str] | None:
    """(start, surname, given name) of a likely full name ending at text[end] (before （男), or None."""
    if text[max(end - 2, 0) : end] in _TITLES:  # 社区居民（男）: a word for a person, not a name
        return None
    for size in (4, 3, 2):
        start = end - size
        if start < 0:
            continue
        candidate = text[start:end]
        surname = surname_of(candidate)
        if surname is None or surname in _NOT_A_NAME_START:
            continue
        given = candidate[len(surname) :]
        if 1 <= len(given) <= 2 and _given_ok(given):
            return start, surname, given
    return None


def mask_names(text: str) -> tuple[str, int]:
    """Likely full names replaced by surname + 某 for each given-name character; returns the text and how many."""
    spans: list[tuple[int, int, str]] = []  # (start, end, replacement)
    for role in _ROLE.finditer(text):
        found = _name_at(text, role.end())
        if found:
            surname, given = found
            spans.append((role.end(), role.end() + len(surname) + len(given), surname + "某" * len(given)))
    for bracket in _SEX_BRACKET.finditer(text):
        found = _name_before(text, bracket.start())
        if found:
            start, surname, given = found
            spans.append((start, bracket.start(), surname + "某" * len(given)))
    out, position, count = [], 0, 0
    for start, end, replacement in sorted(spans):
        if start < position:  # the same name, found both ways
            continue
        out.append(text[position:start] + replacement)
        position, count = end, count + 1
    out.append(text[position:])
    return "".join(out), count
