#!/usr/bin/env python3
"""How fast is the warning poster renderer, and how does it compare with headless Chromium?

Run from the repository root:

    python benchmarks/bench_render.py [--renders N] [--chromium-renders M] [--no-chromium]

Nothing here touches the network or the repository's databases: incidents go into a
fresh SQLite database in a temporary folder. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import PIL
from PIL import Image

from antifraud.config import Settings, Station, load_settings
from antifraud.db import connect
from antifraud.incidents.categories import Categories, load_categories
from antifraud.incidents.samples import sample_incidents
from antifraud.incidents.service import add_incident
from antifraud.incidents.validate import validate_incident
from antifraud.lib.words import cn_date, yuan
from antifraud.render.png import isal_zlib
from antifraud.warnings.content import LADDER, Detail, WarningContent, compose
from antifraud.warnings.facts import gather_facts
from antifraud.warnings.poster import PosterLayout, draw_warning_poster, encode_poster, load_layout

REPO = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
# The machine has no network: without these flags Chromium tries to phone home.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHROMIUM_WARMUPS = 3
ANTIFRAUD_PNG = Path("/tmp/antifraud_poster.png")
CHROMIUM_PNG = Path("/tmp/chromium_poster.png")

# Synthetic incidents on top of the demo ones, so that the last ten days each have 2-4
# incidents and the posters differ from day to day. (category, summary of 60-200 characters)
EXTRA_CASES = [
    (
        "impersonate_official",
        "事主接到自称市公安局刑警的电话，称其名下银行卡涉嫌一起跨省洗钱案件，要求事主下载“安全防护”软件并开启屏幕共享"
        "配合调查，同时不得告诉家人。对方还通过视频出示“警官证”和“冻结令”，称案件属于机密。事主按对方要求将定期存款"
        "提前取出并转入所谓的“安全账户”，之后对方失联，事主到派出所咨询才发现被骗。",
    ),
    (
        "fake_customer_service",
        "事主接到自称某电商平台客服的电话，称其购买的儿童玩具质量不合格，可获得双倍赔偿。对方诱导事主添加QQ好友并下载"
        "会议软件，以“开通理赔通道”为由让事主从备用金借款后转账，事主共转账四次。",
    ),
    (
        "order_brushing",
        "事主在短视频平台看到“在家做任务、日赚三百”的广告，按指引加入任务群。前三单均收到小额返利，随后被要求做"
        "“联单任务”，连续垫付多笔后对方称操作超时需要再充值才能提现，事主察觉被骗后报警。",
    ),
    (
        "medical_insurance",
        "事主接到自称微信客服的电话，称其开通的“百万保障”即将扣费，需在手机上关闭。对方发来会议号让事主共享屏幕，"
        "指导其打开网银“核对额度”，事主按要求转账后对方挂断电话。",
    ),
    (
        "fake_investment",
        "事主在网上结识一名自称投资顾问的网友，被拉进“股票交流群”，群内“老师”每天推荐股票并晒盈利截图。事主在对方推荐"
        "的平台开户，前期小额投入获利并成功提现，随后追加大额资金。平台以账户异常为由冻结资金，要求缴纳百分之二十的"
        "解冻金，事主凑钱缴纳后仍无法提现，群内“老师”和客服随即将其拉黑，事主这才意识到被骗。",
    ),
    (
        "fake_shopping",
        "事主在朋友圈看到低价出售名牌运动鞋的广告，添加对方微信后私下转账购买，对方又以“海关扣货”“需交关税”为由多次"
        "要求付款，随后将事主拉黑。",
    ),
    (
        "fake_loan",
        "事主急需用钱，通过短信链接下载一款贷款App，申请贷款后页面显示“银行卡号填写错误，资金已冻结”。客服要求事主先"
        "缴纳解冻费和保证金，事主转账后仍无法提现，对方又以“流水不足”为由要求继续转账。",
    ),
    (
        "fake_credit_repair",
        "事主接到自称银行工作人员的电话，称其征信记录有逾期，可以帮忙“修复征信”，需先缴纳手续费。事主按对方要求下载"
        "App并填写个人信息，转账后对方以“操作未完成”为由继续索要费用。",
    ),
    (
        "impersonate_acquaintance",
        "事主收到自称其侄子的QQ消息，称在外地出了车祸急需手术费，因手机摔坏不方便打电话，请事主先转账，事主未核实即向"
        "对方提供的账户转账。",
    ),
    (
        "game_trade",
        "事主在游戏聊天频道看到有人低价出售游戏装备，添加对方好友后在对方发来的交易网站付款，网站提示“账户冻结、需交"
        "保证金解冻”，事主多次转账后仍未收到装备。",
    ),
    (
        "online_romance",
        "事主在婚恋网站结识一名自称在外企工作的女子，两人每天视频聊天，一个多月后确立恋爱关系。对方称发现某购物平台有"
        "漏洞可以赚钱，自己已经赚了几十万，带事主在平台上充值“刷单”。事主先后充值多次，平台显示盈利可观，但提现时被告知"
        "“任务未完成、账户存在风险”，需要继续充值，对方也不再回复消息，事主发现被骗后报警。",
    ),
    (
        "order_brushing",
        "事主在微信群看到招聘兼职打字员的信息，联系后被要求先交入职押金和资料费，交钱后对方又以“会员等级不够”为由要求"
        "升级，事主拒绝后被移出群聊。",
    ),
    (
        "medical_insurance",
        "事主接到自称京东金融客服的电话，称其开通的“百万医疗”免费期已到，不关闭将每月扣费，需要把名下各平台的额度全部"
        "清空。对方让事主下载会议软件开启屏幕共享，事主正准备操作时被社区民警及时上门劝阻，未造成损失。",
    ),
    (
        "fake_customer_service",
        "事主接到自称快递客服的电话，称其快递在运输途中丢失，可以理赔三百元。对方发来二维码让事主扫码进入“理赔页面”"
        "填写银行卡信息，事主收到验证码后产生怀疑，拨打96110核实，未造成损失。",
    ),
]
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高"
OCCUPATIONS = ["工厂员工", "退休人员", "个体经营者", "学生", "文员", "保洁员", "快递员", "财务人员"]
CHANNELS = ["phone", "qq", "wechat", "app", "sms"]
DAYS = 10  # the last ten days: their posters are drawn in rotation
FRESH_DAYS = 10  # the ten days before: each drawn once after the rotation, as a real day's poster is


# --- setup -----------------------------------------------------------------------------------


@dataclass
class Workload:
    settings: Settings
    categories: Categories
    station: Station
    layout: PosterLayout
    templates: Path
    contents: list[WarningContent]  # the rotation: one per day, newest first
    fresh: list[WarningContent]  # other days, never drawn before they are measured
    incidents: int


def synthetic_incidents(today: date, days: int, seed: int = 20261122) -> list[dict]:
    """2-3 extra incidents on each of the last `days` days, as raw fields a person would type."""
    rng = random.Random(seed)
    cases = iter(EXTRA_CASES * (1 + 3 * days // len(EXTRA_CASES)))
    raw = []
    for offset in range(1, days + 1):
        day = today - timedelta(days=offset)
        for _ in range(rng.randint(2, 3)):
            category, summary = next(cases)
            # A time of day in front makes every summary, and so every line of it on the poster, unique.
            period, hours = rng.choice([("上午", (8, 11)), ("下午", (2, 5)), ("晚上", (7, 10))])
            when = f"{cn_date(day)}{period}{rng.randint(*hours)}时许，"
            stopped = "未造成损失" in summary or rng.random() < 0.15
            raw.append(
                {
                    "date": day.isoformat(),
                    "category": category,
                    "loss": "0" if stopped else str(rng.choice([800, 2300, 5600, 12800, 36000, 98000, 264000])),
                    "stopped": stopped,
                    "channel": rng.choice(CHANNELS),
                    "victim": rng.choice(SURNAMES) + rng.choice(["先生", "女士"]) if rng.random() < 0.6 else None,
                    "victim_age": str(rng.randint(16, 78)),
                    "occupation": rng.choice(OCCUPATIONS),
                    "place": f"石鼓社区第{'一二三四五六'[rng.randint(0, 5)]}网格",
                    "summary": when + summary,
                }
            )
    return raw


def poster_detail(layout: PosterLayout) -> Detail:
    """The detail the poster is drawn with, as antifraud.warnings.service.render_warning builds it."""
    d = layout.detail
    return Detail(d.highlights, d.summary_chars, d.scripts, d.tips, context=LADDER[0].context)


def build_workload(config: Path, folder: Path) -> Workload:
    settings = load_settings(config)
    categories = load_categories(settings)
    station = settings.stations[0]
    today = datetime.now(settings.station_timezone(station)).date()
    db = connect(settings, categories, url=f"sqlite:///{folder}/bench.db")
    raw_incidents = sample_incidents(today) + synthetic_incidents(today, DAYS + FRESH_DAYS)
    with db.session() as session:
        for raw in raw_incidents:
            fields = validate_incident(raw, categories, today)
            add_incident(session, fields, station.code, by="bench", source="demo")
    templates = settings.resolve(settings.templates_dir)
    layout = load_layout(templates)
    detail = poster_detail(layout)
    days = [today - timedelta(days=offset) for offset in range(1, DAYS + FRESH_DAYS + 1)]
    with db.session() as session:
        contents = [compose(gather_facts(session, station, day, categories), categories, detail) for day in days]
    db.close()
    return Workload(
        settings, categories, station, layout, templates, contents[:DAYS], contents[DAYS:], len(raw_incidents)
    )


# --- statistics and output -------------------------------------------------------------------


def ms(seconds: float) -> float:
    return seconds * 1000


def median(values: list[float]) -> float:
    return statistics.median(values)


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[-1] if len(values) > 1 else values[0]


def row(label: str, *cells: str) -> str:
    return f"  {label:<34}" + "".join(f"{cell:>12}" for cell in cells)


# --- antifraud -------------------------------------------------------------------------------


@dataclass
class AntifraudResult:
    cold_draw: float
    cold_encode: float
    draw: list[float]
    encode: list[float]
    total: list[float]
    sizes: set[tuple[int, int]]
    encoded_bytes: list[int]
    suffixes: set[str]
    fresh_total: list[float]  # warm process, but a day whose poster was never drawn before


def render_once(work: Workload, content: WarningContent) -> tuple[Image.Image, bytes, str, float, float]:
    """One poster: (image, encoded bytes, suffix, draw ms, encode ms)."""
    t0 = time.perf_counter()
    image = draw_warning_poster(content, work.layout, work.templates, work.station.link)
    t1 = time.perf_counter()
    data, suffix = encode_poster(image)
    t2 = time.perf_counter()
    return image, data, suffix, ms(t1 - t0), ms(t2 - t1)


def bench_antifraud(work: Workload, renders: int) -> AntifraudResult:
    # Cold: the first render in this process opens the fonts, fills the glyph caches, makes the QR.
    image, data, suffix, cold_draw, cold_encode = render_once(work, work.contents[0])
    ANTIFRAUD_PNG.write_bytes(data)
    result = AntifraudResult(cold_draw, cold_encode, [], [], [], set(), [], set(), [])
    for index in range(renders):
        image, data, suffix, draw, encode = render_once(work, work.contents[index % len(work.contents)])
        result.draw.append(draw)
        result.encode.append(encode)
        result.total.append(draw + encode)
        result.sizes.add(image.size)
        result.encoded_bytes.append(len(data))
        result.suffixes.add(suffix)
    # The rotation redraws the same ten days, and the renderer caches the mask of every text line it
    # draws, so after the first round a poster is mostly cache hits. A real day's poster is drawn once:
    # these renders, after the rotation warmed the process, find only what really repeats (labels, tips,
    # scripts) cached.
    for content in work.fresh:
        *_, draw, encode = render_once(work, content)
        result.fresh_total.append(draw + encode)
    return result


def pillow_encoders() -> dict[str, Callable[[Image.Image], bytes]]:
    def pillow(format_: str, **options) -> Callable[[Image.Image], bytes]:
        def encode(image: Image.Image) -> bytes:
            buffer = io.BytesIO()
            image.save(buffer, format_, **options)
            return buffer.getvalue()

        return encode

    return {
        "antifraud encode_poster": lambda image: encode_poster(image)[0],
        "Pillow PNG compress_level=1": pillow("PNG", compress_level=1),
        "Pillow PNG default level": pillow("PNG"),
        "Pillow JPEG quality=85": pillow("JPEG", quality=85),
    }


def bench_encoders(work: Workload, repeats: int = 2) -> dict[str, tuple[float, int]]:
    """Median ms and median bytes of each encoder over every day's poster."""
    images = [draw_warning_poster(c, work.layout, work.templates, work.station.link) for c in work.contents]
    results = {}
    for name, encode in pillow_encoders().items():
        times, sizes = [], []
        for _ in range(repeats):
            for image in images:
                t0 = time.perf_counter()
                data = encode(image)
                times.append(ms(time.perf_counter() - t0))
                sizes.append(len(data))
        results[name] = (median(times), int(median(sizes)))
    return results


def print_antifraud(
    result: AntifraudResult, encoders: dict[str, tuple[float, int]], renders: int, days: int, target_ms: float
) -> None:
    print("\ncold first render (fonts not yet loaded)")
    print(row("", "draw ms", "encode ms", "total ms"))
    print(
        row(
            "first poster in the process",
            f"{result.cold_draw:.1f}",
            f"{result.cold_encode:.1f}",
            f"{result.cold_draw + result.cold_encode:.1f}",
        )
    )

    print(f"\nwarm: {renders} renders rotating over {days} days")
    print(row("", "median ms", "p90 ms"))
    for label, values in (("draw", result.draw), ("encode", result.encode), ("total", result.total)):
        print(row(label, f"{median(values):.1f}", f"{p90(values):.1f}"))
    fresh = result.fresh_total
    print(row(f"total, {len(fresh)} days never drawn before", f"{median(fresh):.1f}", f"{p90(fresh):.1f}"))
    widths = sorted({w for w, _ in result.sizes})
    heights = sorted({h for _, h in result.sizes})
    print(
        f"  poster size: {'/'.join(map(str, widths))} x {heights[0]}..{heights[-1]} px; "
        f"encoded {min(result.encoded_bytes) / 1024:.0f}..{max(result.encoded_bytes) / 1024:.0f} KB "
        f"({'/'.join(sorted(result.suffixes))})"
    )

    print(f"\nencoders on the same {days} posters (medians)")
    print(row("", "ms", "KB"))
    for name, (took, size) in encoders.items():
        print(row(name, f"{took:.1f}", f"{size / 1024:.0f}"))

    total = median(result.total)
    verdict = "yes" if total <= target_ms else "NO"
    print(f"\ntarget: median total {total:.1f} ms <= {target_ms:.0f} ms: {verdict}")
    fresh = median(result.fresh_total)
    verdict = "yes" if fresh <= target_ms else "NO"
    print(f"        days never drawn before: {fresh:.1f} ms <= {target_ms:.0f} ms: {verdict}")


# --- Chromium --------------------------------------------------------------------------------


def qr_data_url(link: str, size: int) -> str:
    """The station's QR code as an inline PNG, made once (the HTML scales it to `size`)."""
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(link)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def poster_view(content: WarningContent, layout: PosterLayout) -> dict:
    """What the HTML template shows: the same strings, in the same amounts, as the Pillow poster."""
    facts, labels, detail = content.facts, layout.labels, layout.detail
    quiet = facts.quiet
    most = max((k.count for k in facts.categories), default=1)
    highlights = []
    for h in content.highlights[: detail.highlights]:
        outcome = "经民警劝阻，未受损失" if h.stopped else (f"被骗{yuan(h.loss)}" if h.loss else "")
        highlights.append(
            {
                "category": h.category_name,
                "who": h.who + (f"，{outcome}" if outcome else ""),
                "summary": h.summary or "",
            }
        )
    return {
        "quiet": quiet,
        "station": facts.station_name,
        "title": labels["title_quiet" if quiet else "title"],
        "subtitle": labels["subtitle_quiet" if quiet else "subtitle"].format(
            date=f"{facts.day.year}年{cn_date(facts.day)}"
        ),
        "stats": []
        if quiet
        else [
            (f"{facts.total}起", labels["total"]),
            (f"{facts.stopped}起", labels["stopped"]),
            (yuan(facts.loss).removesuffix("元"), labels["loss"] + ("（元）" if facts.loss < 10000 else "")),
        ],
        "categories": []
        if quiet
        else [
            {"name": k.name, "count": f"{k.count}起", "percent": round(100 * k.count / most, 2)}
            for k in facts.categories
        ],
        "highlights": highlights,
        "scripts": [f"【{s.short}】{s.script}" for s in content.scripts[: detail.scripts]],
        "tips": content.tips[: detail.tips],
        "key_point": f"{labels['key_point']}：{content.key_point}",
        "contact": facts.contact,
        "footer": f"{facts.station_name} · {labels['footer']}",
    }


def colours(layout: PosterLayout, quiet: bool) -> dict[str, str]:
    return {
        name: layout.colour(name.removesuffix("_quiet"), quiet) for name in layout.colors if not name.endswith("_quiet")
    }


class HtmlPoster:
    """The same poster as HTML/CSS, rendered with jinja2 from the same WarningContent."""

    def __init__(self, work: Workload):
        import jinja2

        environment = jinja2.Environment(loader=jinja2.FileSystemLoader(BENCH_DIR), autoescape=True)
        self.template = environment.get_template("poster.html.j2")
        self.layout = work.layout
        self.blocks = {block.type: block for block in work.layout.blocks}
        regular, bold = (work.templates / "fonts" / f"NotoSansSC-{weight}.otf" for weight in ("Regular", "Bold"))
        self.fonts = {"regular": regular.resolve().as_uri(), "bold": bold.resolve().as_uri()}
        contact = self.blocks["contact"]
        self.qr = qr_data_url(work.station.link, contact.qr_size) if work.station.link else None

    def html(self, content: WarningContent) -> str:
        return self.template.render(
            poster=poster_view(content, self.layout),
            layout=self.layout,
            labels=self.layout.labels,
            colors=colours(self.layout, content.facts.quiet),
            blocks=self.blocks,
            fonts=self.fonts,
            qr=self.qr,
        )


@dataclass
class ChromiumResult:
    version: str
    new_page: list[float]
    reused_page: list[float]
    size: tuple[int, int]
    screenshot_bytes: int


def chromium_missing() -> str | None:
    """Why the comparison cannot run, or None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install playwright)"
    return None


def bench_chromium(work: Workload, renders: int, folder: Path) -> ChromiumResult:
    from playwright.sync_api import sync_playwright

    poster = HtmlPoster(work)
    pages = [poster.html(content) for content in work.contents]  # templating is not what is measured
    # A page on about:blank may not load file:// fonts, so each page first opens an empty file:// document;
    # set_content keeps that origin. (Inlining the fonts as data: URLs instead was ~3x slower here.)
    blank = folder / "blank.html"
    blank.write_text("<!doctype html><meta charset=utf-8><title>poster</title>", encoding="utf-8")
    viewport = {"width": work.layout.width, "height": 1000}

    def shoot(page, html: str) -> bytes:
        page.set_content(html)
        page.evaluate("document.fonts.ready")
        return page.screenshot(full_page=True, type="png")

    def with_new_page(browser, html: str) -> bytes:
        page = browser.new_page(viewport=viewport)
        page.goto(blank.as_uri())
        try:
            return shoot(page, html)
        finally:
            page.close()

    def timed(run: Callable[[str], bytes]) -> list[float]:
        for index in range(CHROMIUM_WARMUPS):
            run(pages[index % len(pages)])
        times = []
        for index in range(renders):
            t0 = time.perf_counter()
            run(pages[index % len(pages)])
            times.append(ms(time.perf_counter() - t0))
        return times

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            screenshot = with_new_page(browser, pages[0])
            CHROMIUM_PNG.write_bytes(screenshot)
            new_page = timed(lambda html: with_new_page(browser, html))
            page = browser.new_page(viewport=viewport)
            page.goto(blank.as_uri())
            reused_page = timed(lambda html: shoot(page, html))
            page.close()
            version = browser.version
        finally:
            browser.close()
    with Image.open(io.BytesIO(screenshot)) as image:
        size = image.size
    return ChromiumResult(version, new_page, reused_page, size, len(screenshot))


def print_chromium(result: ChromiumResult, antifraud_ms: float, renders: int, day: date) -> None:
    print(
        f"\nchromium {result.version}: {CHROMIUM_WARMUPS} warm-ups, then {renders} renders per mode "
        f"(screenshot {result.size[0]} x {result.size[1]} px, {result.screenshot_bytes / 1024:.0f} KB)"
    )
    print(row("", "median ms", "p90 ms", "ratio"))
    print(row("antifraud (warm total)", f"{antifraud_ms:.1f}", "", "1.0x"))
    for label, values in (("chromium new page", result.new_page), ("chromium reused page", result.reused_page)):
        print(row(label, f"{median(values):.0f}", f"{p90(values):.0f}", f"{median(values) / antifraud_ms:.1f}x"))
    print(f"  saved {ANTIFRAUD_PNG} and {CHROMIUM_PNG} (both {day.isoformat()}, the same content)")


# --- main ------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--renders", type=int, default=60, help="warm antifraud renders (default 60)")
    parser.add_argument(
        "--chromium-renders",
        type=int,
        default=None,
        help="timed Chromium renders per mode (default: the same as --renders)",
    )
    parser.add_argument("--no-chromium", action="store_true", help="skip the Chromium comparison")
    parser.add_argument("--config", type=Path, default=REPO / "config.yaml")
    parser.add_argument("--target-ms", type=float, default=50.0, help="median total to meet (default 50)")
    args = parser.parse_args()
    if args.renders < 1:
        parser.error("--renders must be at least 1")
    chromium_renders = args.chromium_renders or args.renders

    print("antifraud poster render benchmark")
    print(
        f"  python {platform.python_version()}, Pillow {PIL.__version__}, "
        f"isal {'yes' if isal_zlib is not None else 'no (Pillow fallback)'}, {os.cpu_count()} CPUs"
    )
    with tempfile.TemporaryDirectory(prefix="antifraud-bench-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        work = build_workload(args.config, folder)
        per_day = [c.facts.total for c in work.contents + work.fresh]
        print(
            f"  setup: {work.incidents} incidents in a temporary SQLite database; posters for "
            f"{len(work.contents)} rotation days + {len(work.fresh)} fresh days, {min(per_day)}-{max(per_day)} "
            f"incidents a day ({time.perf_counter() - t0:.1f} s, not timed)"
        )

        result = bench_antifraud(work, args.renders)
        encoders = bench_encoders(work)
        print_antifraud(result, encoders, args.renders, len(work.contents), args.target_ms)

        if args.no_chromium:
            print("\nchromium comparison skipped (--no-chromium)")
            return 0
        if reason := chromium_missing():
            print(f"\nchromium comparison skipped: {reason}")
            return 0
        try:
            chromium = bench_chromium(work, chromium_renders, folder)
        except Exception as exc:  # a browser that will not start must not fail the benchmark
            print(f"\nchromium comparison skipped: {type(exc).__name__}: {str(exc).splitlines()[0]}")
            return 0
        print_chromium(chromium, median(result.total), chromium_renders, work.contents[0].facts.day)
    return 0


if __name__ == "__main__":
    sys.exit(main())
