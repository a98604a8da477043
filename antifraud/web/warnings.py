"""/warnings: the day's warning (render, approve, publish, what each group got, retry what parked), and
/forward: what the ordinary WeChat groups (the `folder` channel) still need a person to forward by hand.

Every write calls the same service functions as `antifraud warning ...` and `antifraud outbox ...`, in one
transaction, with an audit entry; sending then runs for a short while, as the CLI's publish does.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..db.models import DailyWarning, Delivery, Forward, User
from ..db.reference import station_row
from ..errors import AntifraudError
from ..vocab import AUDIENCE_NAMES
from .auth import requires
from .common import db_session, parse_day, services, who, zh_error

bp = Blueprint("warnings", __name__)

WEB_WAIT_SECONDS = 10  # a page waits this long for the robots; the daemon finishes anything left
STATUS_NAMES = {"draft": "草稿待审批", "approved": "已审批", "published": "已发布", "silent": "安静日"}
STATUS_TAGS = {"draft": "wait", "approved": "blue", "published": "ok", "silent": ""}
KIND_NAMES = {"image": "图片", "text": "文字", "markdown": "图文"}
SUBJECT_NAMES = {
    "warning": "预警",
    "preview": "预警预览",
    "rota": "排班",
    "reminder": "排班提醒",
    "stale": "未发布提醒",
}
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


# ------------------------------------------------------------------------------------------------ helpers


def _station():
    from .common import current_station

    return current_station()


def _link(endpoint: str, **values) -> str:
    """A URL on this site that keeps the station shown (for a user of every station)."""
    from flask_login import current_user

    settings = services().settings
    if len(settings.stations) > 1 and not getattr(current_user, "station_code", None):
        values.setdefault("station", _station().code)
    return url_for(endpoint, **values)


def _day(text: str | None) -> date:
    station = _station()
    return parse_day(text, services().yesterday(station.code))


def _today() -> date:
    return services().today(_station().code)


def _subject(day: date) -> str:
    from ..warnings.publish import subject

    return subject("warning", day)


def _output_file(relative: str | None) -> Path:
    """A file under output_dir named by the database (never by the request); 404 if it is not there."""
    if not relative:
        abort(404)
    output = services().settings.resolve(services().settings.output_dir).resolve()
    path = (output / relative).resolve()
    if not path.is_relative_to(output) or not path.is_file() or path.suffix.lower() not in IMAGE_TYPES:
        abort(404)
    return path


def _send_image(relative: str | None):
    path = _output_file(relative)
    return send_file(path, mimetype=IMAGE_TYPES[path.suffix.lower()], max_age=0)


def _local(moment, fmt: str = "%H:%M") -> str | None:
    if moment is None:
        return None
    return moment.astimezone(services().settings.display_zone).strftime(fmt)


def _status_name(warning: DailyWarning | None) -> str:
    if warning is None:
        return "未生成"
    if warning.status == "approved" and not services().settings.publish.require_approval:
        return "已生成 · 待发布"
    return STATUS_NAMES.get(warning.status, warning.status)


def _send(subjects: list[str]) -> bool:
    """Send what these subjects queued, for a few seconds (the CLI's send_and_wait, without the printing)."""
    from ..outbox.service import send_now

    app = services()
    return send_now(app.db, app.settings, subjects, wait_seconds=WEB_WAIT_SECONDS)


def _after_sending(subject: str, finished: bool) -> None:
    from ..outbox.service import counts

    with db_session() as s:
        found = counts(s, [subject])
    if found.get("parked"):
        flash(f"有 {found['parked']} 条消息发送失败已搁置，请看下方原因后重试", "error")
    elif not finished or found.get("pending") or found.get("sending"):
        flash("部分消息仍在发送，稍后刷新查看", "warning")
    else:
        flash("已全部发送")


def _delivery_row(d: Delivery) -> dict:
    return {
        "id": d.id,
        "kind": KIND_NAMES.get(d.kind, d.kind),
        "part": d.part,
        "status": d.status,
        "sent_at": _local(d.sent_at),
        "next_at": _local(d.next_attempt_at),
        "attempts": d.attempts,
        "error": d.last_error,
    }


def _groups_for(session, station, subject: str) -> list[dict]:
    """The day's warning deliveries, per group (config order first), each with its rows."""
    station_id = station_row(session, station.code).id
    rows = session.scalars(
        select(Delivery)
        .where(Delivery.station_id == station_id, Delivery.subject == subject)
        .order_by(Delivery.sequence, Delivery.part, Delivery.id)
    )
    groups: dict[str, dict] = {}
    order = {g.name: i for i, g in enumerate(station.groups)}
    for d in rows:
        group = groups.setdefault(d.group_name, {"name": d.group_name, "channel": d.channel, "rows": []})
        group["rows"].append(_delivery_row(d))
    result = sorted(groups.values(), key=lambda g: (order.get(g["name"], len(order)), g["name"]))
    for group in result:
        statuses = {r["status"] for r in group["rows"]}
        group["state"] = "sent" if statuses == {"sent"} else "parked" if "parked" in statuses else "waiting"
        group["parked_ids"] = [r["id"] for r in group["rows"] if r["status"] == "parked"]
    return result


# --------------------------------------------------------------------------------------------- /warnings


@bp.route("/warnings")
@bp.route("/warnings/<day>")
@requires("warnings")
def day(day=None):
    from ..warnings.service import find_warning, is_stale

    station = _station()
    the_day = _day(day or request.args.get("day"))
    today = _today()
    settings = services().settings
    with db_session() as s:
        warning = find_warning(s, station, the_day)
        info = None
        if warning is not None:
            info = {
                "status": warning.status,
                "status_name": _status_name(warning),
                "tag": STATUS_TAGS.get(warning.status, ""),
                "quiet": warning.quiet,
                "incidents": warning.incidents,
                "text": warning.text,
                "has_image": bool(warning.image_path) and warning.status != "silent",
                "rendered_at": _local(warning.rendered_at, "%m-%d %H:%M"),
                "approved_at": _local(warning.approved_at, "%m-%d %H:%M"),
                "approved_by": warning.approved_by,
                "published_at": _local(warning.published_at, "%m-%d %H:%M"),
                "stale": warning.status != "silent" and is_stale(s, warning),
                "version": warning.image_sha256[:12] if warning.image_sha256 else "",
                "variants": [
                    {
                        "audience": v.audience,
                        "name": AUDIENCE_NAMES.get(v.audience, v.audience),
                        "text": v.text,
                        "version": v.image_sha256[:12],
                    }
                    for v in warning.variants
                ],  # fmt: skip
            }
        groups = _groups_for(s, station, _subject(the_day))
    return render_template(
        "warnings.html",
        title="预警",
        station=station,
        day=the_day,
        w=info,
        groups=groups,
        status_label=_status_name(None) if info is None else info["status_name"],
        require_approval=settings.publish.require_approval,
        future=the_day > today,
        prev_url=_link("warnings.day", day=(the_day - timedelta(days=1)).isoformat()),
        next_url=None if the_day >= today else _link("warnings.day", day=(the_day + timedelta(days=1)).isoformat()),
        link=_link,
        stations=settings.stations,
    )


@bp.route("/warnings/<day>/poster.png")
@requires("warnings")
def poster(day):
    from ..warnings.service import find_warning

    station = _station()
    the_day = _day(day)
    with db_session() as s:
        warning = find_warning(s, station, the_day)
        relative = warning.image_path if warning is not None and warning.status != "silent" else None
    return _send_image(relative)


@bp.route("/warnings/<day>/poster-<audience>.png")
@requires("warnings")
def variant_poster(day, audience):
    """An audience's own poster for the day (templates/audiences.yaml), as its groups get it."""
    from ..warnings.service import find_warning

    station = _station()
    the_day = _day(day)
    with db_session() as s:
        warning = find_warning(s, station, the_day)
        variant = next((v for v in warning.variants if v.audience == audience), None) if warning else None
        relative = variant.image_path if variant is not None else None
    return _send_image(relative)


@bp.route("/warnings/<day>/render", methods=["POST"])
@requires("warnings")
def render(day):
    from ..accounts.service import audit
    from ..warnings.service import render_and_record

    app = services()
    station = _station()
    the_day = _day(day)
    back = redirect(_link("warnings.day", day=the_day.isoformat()))
    if the_day > _today():
        flash("不能为将来的日期生成预警", "error")
        return back
    try:
        with db_session() as s:
            rendered, record = render_and_record(s, app.settings, app.categories, station, the_day)
            if record is not None:
                audit(s, who(), "warning.render", station.code, the_day.isoformat(), status=record.status)
                status = record.status
    except AntifraudError as exc:  # a render that fails is said on the page
        flash(f"生成失败：{zh_error(exc)}", "error")
        return back
    if rendered is None:
        flash("当天没有警情，按设置安静日不发预警，无需生成", "warning")
    elif status == "draft":
        flash("已生成，等待所长审批后才能发布")
    else:
        flash("已生成")
    return back


@bp.route("/warnings/<day>/approve", methods=["POST"])
@requires("approve")
def approve(day):
    from ..warnings.service import approve as approve_warning
    from ..warnings.service import find_warning

    station = _station()
    the_day = _day(day)
    back = redirect(_link("warnings.day", day=the_day.isoformat()))
    with db_session() as s:
        if find_warning(s, station, the_day) is None:
            flash("当天的预警还没有生成，请先生成", "error")
            return back
        approve_warning(s, station, the_day, who())
    flash("已审批通过，可以发布")
    return back


@bp.route("/warnings/<day>/publish", methods=["POST"])
@requires("warnings")
def publish(day):
    from ..warnings.service import find_warning
    from ..warnings.service import publish as publish_warning

    app = services()
    station = _station()
    the_day = _day(day)
    back = redirect(_link("warnings.day", day=the_day.isoformat()))
    with db_session() as s:
        warning = find_warning(s, station, the_day)
        if warning is None or warning.status == "silent":
            flash("当天的预警还没有生成，请先生成", "error")
            return back
        if warning.status == "draft":
            flash("预警还在草稿状态，需所长审批通过后才能发布", "error")
            return back
        publish_warning(s, app.settings, station, warning, who())
    subject = _subject(the_day)
    _after_sending(subject, _send([subject]))
    return back


@bp.route("/warnings/<day>/retry", methods=["POST"])
@requires("warnings")
def retry(day):
    from ..accounts.service import audit
    from ..outbox.service import retry_parked

    station = _station()
    the_day = _day(day)
    subject = _subject(the_day)
    back = redirect(_link("warnings.day", day=the_day.isoformat()))
    try:
        ids = sorted({int(v) for v in request.form.getlist("id")})
    except ValueError:
        abort(400)
    if not ids:
        abort(400)
    with db_session() as s:
        station_id = station_row(s, station.code).id
        mine = set(
            s.scalars(
                select(Delivery.id).where(
                    Delivery.id.in_(ids),
                    Delivery.station_id == station_id,
                    Delivery.subject == subject,
                    Delivery.status == "parked",
                )
            )
        )
        if mine != set(ids):
            flash("这些消息已不在搁置状态，请刷新页面", "warning")
            return back
        count = retry_parked(s, ids)
        audit(s, who(), "delivery.retry", station.code, the_day.isoformat(), ids=ids, subject=subject)
    flash(f"已重新排队 {count} 条消息")
    _after_sending(subject, _send([subject]))
    return back


# ---------------------------------------------------------------------------------------------- /forward


def _forward_items(session, station, the_day: date) -> list[dict]:
    """Each (group, subject) with folder-channel deliveries that day: its images, text and forward tick."""
    station_id = station_row(session, station.code).id
    rows = list(
        session.scalars(
            select(Delivery)
            .where(Delivery.station_id == station_id, Delivery.day == the_day, Delivery.channel == "folder")
            .order_by(Delivery.id)
        )
    )
    ticks = {
        (f.group_name, f.subject): f
        for f in session.scalars(select(Forward).where(Forward.station_id == station_id, Forward.day == the_day))
    }
    names = _person_names(session, {f.by for f in ticks.values()})
    order = {g.name: i for i, g in enumerate(station.groups)}
    audiences = {g.name: g.audience for g in station.groups}
    items: dict[tuple[str, str], dict] = {}
    for d in rows:
        key = (d.group_name, d.subject)
        item = items.setdefault(
            key, {"group": d.group_name, "subject": d.subject, "images": [], "texts": [], "statuses": set()}
        )
        item["statuses"].add(d.status)
        if d.kind == "image":
            item["images"].append(d)
        elif d.body:
            item["texts"].append(d)
    result = []
    for (group, subject), item in items.items():
        what = subject.partition(":")[0]
        texts = [d for d in item["texts"] if d.kind == "text"] or item["texts"]
        texts.sort(key=lambda d: (d.part, d.id))
        tick = ticks.get((group, subject))
        result.append(
            {
                "group": group,
                "subject": subject,
                "label": SUBJECT_NAMES.get(what, what),
                "audience": AUDIENCE_NAMES.get(audiences.get(group), audiences.get(group)),
                "images": [d.id for d in sorted(item["images"], key=lambda d: (d.part, d.id))],
                "text": "\n\n".join(d.body for d in texts),
                "written": item["statuses"] == {"sent"},
                "parked": "parked" in item["statuses"],
                "done": None if tick is None else {"by": names.get(tick.by, tick.by), "at": _local(tick.at)},
            }
        )
    result.sort(key=lambda i: (order.get(i["group"], len(order)), i["group"], i["subject"] != _subject(the_day)))
    for number, item in enumerate(result, 1):
        item["anchor"] = f"f{number}"
    return result


def _person_names(session, usernames: set[str]) -> dict[str, str]:
    """How a username is shown: the person's name when the user has one."""
    if not usernames:
        return {}
    users = session.scalars(select(User).where(User.username.in_(usernames)))
    return {u.username: u.person for u in users if u.person}


@bp.route("/forward")
@bp.route("/forward/<day>")
@requires("warnings")
def forward(day=None):
    station = _station()
    the_day = _day(day or request.args.get("day"))
    today = _today()
    with db_session() as s:
        items = _forward_items(s, station, the_day)
    pending = [i for i in items if i["done"] is None]
    pending_groups = list(dict.fromkeys(i["group"] for i in pending))
    single_subject = len({i["subject"] for i in items}) <= 1
    pending_names = [i["group"] if single_subject else f"{i['group']}（{i['label']}）" for i in pending]
    return render_template(
        "forward.html",
        title="转发",
        station=station,
        day=the_day,
        items=items,
        pending_groups=pending_groups,
        pending_names=pending_names,
        prev_url=_link("warnings.forward", day=(the_day - timedelta(days=1)).isoformat()),
        next_url=None if the_day >= today else _link("warnings.forward", day=(the_day + timedelta(days=1)).isoformat()),
        link=_link,
        stations=services().settings.stations,
    )


@bp.route("/forward/<day>/done", methods=["POST"])
@requires("warnings")
def forward_done(day):
    station = _station()
    the_day = _day(day)
    group, subject = request.form.get("group", ""), request.form.get("subject", "")
    try:
        recorded = _record_forward(station, the_day, group, subject)
    except IntegrityError:  # ticked at the same moment on another phone
        recorded = False
    if recorded:
        flash(f"已记录：{group} 已转发")
    else:
        flash(f"{group} 之前已记录转发", "warning")
    return redirect(_link("warnings.forward", day=the_day.isoformat()))


def _record_forward(station, the_day: date, group: str, subject: str) -> bool:
    """Tick (group, subject) as forwarded by the user; False if someone ticked it before. 404 if unknown."""
    from ..accounts.service import audit

    with db_session() as s:
        station_id = station_row(s, station.code).id
        known = s.scalar(
            select(Delivery.id)
            .where(
                Delivery.station_id == station_id,
                Delivery.day == the_day,
                Delivery.channel == "folder",
                Delivery.group_name == group,
                Delivery.subject == subject,
            )
            .limit(1)
        )
        if known is None:
            abort(404)
        done = s.scalar(
            select(Forward).where(
                Forward.station_id == station_id, Forward.group_name == group, Forward.subject == subject
            )
        )
        if done is not None:
            return False
        s.add(Forward(station_id=station_id, group_name=group, subject=subject, day=the_day, by=who()))
        audit(s, who(), "forward.done", station.code, the_day.isoformat(), group=group, subject=subject)
    return True


@bp.route("/forward/image/<int:delivery_id>")
@requires("warnings")
def forward_image(delivery_id: int):
    from flask_login import current_user

    with db_session() as s:
        d = s.get(Delivery, delivery_id)
        if d is None or d.channel != "folder" or d.kind != "image":
            abort(404)
        fixed = getattr(current_user, "station_code", None)
        if fixed and d.station.code != fixed:
            abort(404)
        relative = d.image_path
    return _send_image(relative)
