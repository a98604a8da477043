"""What every page shares: the App, one transaction per request, the station shown, errors in Chinese,
security headers, and the template helpers."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date

from flask import Flask, abort, current_app, render_template, request

from ..errors import AntifraudError, DatabaseUnavailable, InputError
from ..vocab import ROLE_NAMES, USER_ROLE_NAMES, kind_name

# No inline script or style anywhere: everything comes from /static.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def services():
    """The App (settings, categories, database, clock) this web UI runs on."""
    return current_app.extensions["antifraud"]


@contextmanager
def db_session():
    """One transaction, committed when the block ends without error."""
    with services().db.session() as session:
        yield session


def who() -> str:
    from flask_login import current_user

    return current_user.username if current_user.is_authenticated else "web"


def current_station():
    """The logged-in user's station; a user of every station picks one with ?station= (default the first)."""
    from flask_login import current_user

    settings = services().settings
    fixed = getattr(current_user, "station_code", None)
    code = fixed or request.args.get("station") or request.form.get("station")
    try:
        return settings.station(code)
    except AntifraudError:
        abort(404)


def today() -> date:
    return services().today(current_station().code)


def parse_day(text: str | None, default: date) -> date:
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        abort(404)


# --------------------------------------------------------------------------------------- errors in Chinese

FIELD_LABELS = {
    "date": "日期",
    "--date": "日期",
    "day": "日期",
    "category": "类型",
    "loss": "损失金额",
    "stopped": "是否劝阻",
    "channel": "联系方式",
    "victim": "受害人",
    "victim_age": "年龄段",
    "occupation": "职业",
    "place": "地点",
    "summary": "简要经过",
    "reason": "原因",
    "password": "密码",
    "--username": "用户名",
    "--role": "角色",
    "--person": "姓名",
    "file": "文件",
}

# The service layer words its errors in English for the CLI; the web says the same in Chinese.
# (pattern on the part after "field: ", Chinese with the same groups)
TRANSLATIONS = [
    (r"'(.*)' must be a surname with 先生 or 女士.*", r"“\1”请只写姓加先生或女士（如 王女士），不要写全名"),
    (r"'(.*)' is not a known category.*", r"“\1”不是已知的类型"),
    (r".* yuan on a case marked stopped.*", "劝阻成功表示没有损失：有损失就不要勾选劝阻成功，劝阻成功则损失填 0"),
    (r"'(.*)' is in the future \(today is (.*)\)", r"“\1”是将来的日期（今天是\2）"),
    (r"'(.*)' is before (.*)", r"“\1”早于\2"),
    (r"is required", "必须填写"),
    (r"'(.*)' is not a date: there is no month (\d+)", r"“\1”不是有效日期：没有\2月"),
    (r"'(.*)' is not a date: (.*) has (\d+) days", r"“\1”不是有效日期：\2只有\3天"),
    (r"'(.*)' is not a date.*", r"“\1”不是日期，请写成 2026-11-22"),
    (r"'(.*)' is not an amount in yuan.*", r"“\1”不是金额，请只写数字（元），如 1000"),
    (r"'(.*)' must be between 0 and 100,000,000 yuan", r"“\1”应在 0 到 1 亿元之间"),
    (r"'(.*)' has more than two decimal places", r"“\1”最多两位小数"),
    (r"'(.*)' is not yes/no.*", r"“\1”请填 是 或 否"),
    (r"'(.*)' is not an age or age band.*", r"“\1”不是年龄或年龄段（如 60岁以上）"),
    (r"'(.*)'\.\.\. is (\d+) characters; at most (\d+)", r"“\1…”共\2字，最多\3字"),
    (r"'(.*)' is not one of .*", r"“\1”不在可选范围内"),
    (r"at least (\d+) characters.*", r"至少\1个字符"),
    (r"'(.*)' already exists", r"“\1”已存在"),
]


def error_field(exc: InputError) -> str | None:
    """The form field an InputError names (its text before the first colon)."""
    head = str(exc).split(":", 1)[0].strip()
    return head if head in FIELD_LABELS else None


def zh_error(exc: Exception) -> str:
    """An error for a person at the web UI: the field's Chinese name, and the problem in Chinese where we
    have the words for it (else as the service said it)."""
    text = str(exc)
    field, _, rest = text.partition(": ")
    if field.strip() not in FIELD_LABELS:
        return text
    rest = rest.strip()
    for pattern, chinese in TRANSLATIONS:
        if re.fullmatch(pattern, rest, flags=re.S):
            rest = re.sub(pattern, chinese, rest, count=1, flags=re.S)
            break
    return f"{FIELD_LABELS[field.strip()]}：{rest}"


# ------------------------------------------------------------------------------------------------ wiring


def init(web: Flask) -> None:
    @web.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint != "static":
            # Pages name victims' surnames, volunteers and phones: never kept by a browser or a proxy.
            response.headers["Cache-Control"] = "no-store"
        return response

    @web.errorhandler(DatabaseUnavailable)
    def database_unavailable(exc):
        return render_template("error.html", title="数据库暂时不可用", message=str(exc)), 503

    @web.errorhandler(AntifraudError)
    def antifraud_error(exc):
        return render_template("error.html", title="操作未完成", message=zh_error(exc)), 400

    @web.errorhandler(400)
    def bad_request(exc):
        from flask_wtf.csrf import CSRFError

        if isinstance(exc, CSRFError):
            message = "页面已过期或来源不明（缺少安全令牌），请返回刷新后再提交。"
            return render_template("error.html", title="请求被拒绝", message=message), 400
        return render_template("error.html", title="请求有误", message="请返回重试。"), 400

    @web.errorhandler(403)
    def forbidden(exc):
        return render_template("error.html", title="没有权限", message="您的账号不能进行这项操作。"), 403

    @web.errorhandler(404)
    def not_found(exc):
        return render_template("error.html", title="找不到页面", message="地址有误，或内容已不存在。"), 404

    @web.context_processor
    def helpers():
        from flask_login import current_user

        from ..accounts.service import can

        return {
            "can": lambda permission: current_user.is_authenticated and can(current_user.role, permission),
            "role_name": lambda role: ROLE_NAMES.get(role, role),
            "user_role_name": lambda role: USER_ROLE_NAMES.get(role, role),
            "kind_name": kind_name,
            "settings": services().settings,
        }

    web.jinja_env.filters["cn_date"] = _cn_date


def _cn_date(value) -> str:
    from ..lib.words import cn_date, cn_weekday

    if isinstance(value, str):
        value = date.fromisoformat(value)
    return f"{cn_date(value)}（{cn_weekday(value)}）"
