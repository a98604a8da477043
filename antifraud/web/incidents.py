"""/incidents: the duty clerk's pages to record, correct, delete, restore and import fraud incidents.

Every write goes through the same service functions as `antifraud incident ...` (validation, masking
and the incident audit trail live there); this module only turns form fields into their raw values,
says in Chinese what happened, and adds the accounts audit entry.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for

from ..errors import InputError
from ..incidents.privacy import KIND_NAMES_ZH
from ..vocab import CONTACT_CHANNEL_NAMES
from .auth import requires
from .common import current_station, db_session, error_field, parse_day, services, who, zh_error

bp = Blueprint("incidents", __name__, url_prefix="/incidents")

# The form fields of `incident add` / `incident edit`, as the service names them.
TEXT_FIELDS = ("date", "category", "loss", "channel", "victim", "victim_age", "occupation", "place", "summary")
IMPORT_SUFFIXES = (".xlsx", ".csv")
TEMPLATE_NAME = "模板.xlsx"

# What privacy.mask_pii found, in Chinese (same kinds and order as privacy.KIND_NAMES).
_PROBLEM = re.compile(r"row (\d+), column (.+?)(?: \((\w+)\))?: (.*)", re.S)


def zh_problem(problem: str) -> str:
    """'row 3, column 损失金额 (loss): ...' from check_import, in Chinese where zh_error has the words."""
    match = _PROBLEM.fullmatch(problem)
    if not match:
        return problem
    line, title, name, rest = match.groups()
    error = InputError(f"{name or title}: {rest}")
    if error_field(error) is None:
        return problem
    return f"第{line}行，“{title}”列：{zh_error(error).split('：', 1)[1]}"


# ------------------------------------------------------------------------------------------------ helpers


def _station_args(station) -> dict:
    """?station= on links and forms, for a user of every station (a fixed user's station is implied)."""
    from flask_login import current_user

    if getattr(current_user, "station_code", None) or len(services().settings.stations) < 2:
        return {}
    return {"station": station.code}


def _own(incident) -> None:
    """A user of one station touches only that station's incidents."""
    from flask_login import current_user

    fixed = getattr(current_user, "station_code", None)
    if fixed and incident.station.code != fixed:
        abort(404)


def _load(session, incident_id: int, include_deleted: bool = False):
    from ..incidents.service import get_incident

    try:
        incident = get_incident(session, incident_id, include_deleted=include_deleted)
    except InputError:
        abort(404)
    _own(incident)
    return incident


def yuan(value) -> str:
    amount = Decimal(value)
    return f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"


def masked_note(masked: Counter) -> str:
    """已隐去1个手机号、1个身份证号 (what the CLI's _masked_note says, in Chinese)."""
    parts = [f"{masked[kind]}个{name}" for kind, name in KIND_NAMES_ZH.items() if masked.get(kind)]
    return f"已隐去{'、'.join(parts)}" if parts else ""


def poster_note(texts) -> None:
    """Flash the characters the poster cannot draw (the CLI's _poster_note, same function underneath)."""
    from ..warnings.glyphs import poster_cannot_show

    missing = poster_cannot_show(services().settings, texts)
    if missing:
        shown = "、".join(f"“{char}”（U+{ord(char):04X}）" for char in missing)
        flash(f"注意：海报无法显示 {shown}，海报上会略去，发出的文字中保留。", "warning")


def _checked_texts(checked) -> list:
    return [checked.summary, checked.place, checked.occupation]


def _raw(form: dict) -> dict:
    """Raw values for validate_incident, from the form as typed."""
    return {**{key: form.get(key, "") for key in TEXT_FIELDS}, "stopped": bool(form.get("stopped"))}


def _form_from_request() -> dict:
    form = {key: request.form.get(key, "") for key in TEXT_FIELDS}
    form["date"] = form["date"].strip()
    form["stopped"] = bool(request.form.get("stopped"))
    return form


def _form_page(template_form: dict, errors: dict, status: int, incident=None):
    station = current_station()
    return (
        render_template(
            "incidents_form.html",
            title="修改警情" if incident else "新增警情",
            form=template_form,
            errors=errors,
            incident=incident,
            station=station,
            station_args=_station_args(station),
            categories=list(services().categories),
            channels=CONTACT_CHANNEL_NAMES,
            today=services().today(incident["station"] if incident else station.code).isoformat(),
        ),
        status,
    )


def _field_errors(exc: InputError) -> dict:
    return {error_field(exc) or "form": zh_error(exc)}


# ------------------------------------------------------------------------------------------------ pages


@bp.route("")
@requires("incidents")
def day():
    from ..incidents.service import incident_records

    station = current_station()
    app = services()
    shown = parse_day(request.args.get("date"), app.yesterday(station.code))
    deleted = request.args.get("deleted") == "1"
    with db_session() as s:
        records = incident_records(s, station.code, shown, shown, include_deleted=deleted)
    for record in records:
        record["loss_text"] = yuan(record["loss"])
        record["channel_name"] = CONTACT_CHANNEL_NAMES.get(record["channel"], "") if record["channel"] else ""
    kept = [r for r in records if not r["deleted"]]  # as `incident list --deleted`: deleted rows are not counted
    total = {
        "count": len(kept),
        "loss": yuan(sum((Decimal(r["loss"]) for r in kept), Decimal(0))),
        "stopped": sum(1 for r in kept if r["stopped"]),
        "deleted": len(records) - len(kept),
    }
    today = app.today(station.code)
    return render_template(
        "incidents.html",
        title="警情",
        day=shown,
        records=records,
        total=total,
        deleted=deleted,
        previous=(shown - timedelta(days=1)).isoformat(),
        following=(shown + timedelta(days=1)).isoformat() if shown < today else None,
        today=today.isoformat(),
        station=station,
        stations=app.settings.stations,
        station_args=_station_args(station),
        nav_args=_station_args(station) | ({"deleted": 1} if deleted else {}),
    )


@bp.route("/new", methods=["GET", "POST"])
@requires("incidents")
def new():
    from ..accounts.service import audit
    from ..incidents.service import record_incident

    station = current_station()
    app = services()
    if request.method == "GET":
        form = {key: "" for key in TEXT_FIELDS} | {"stopped": False}
        form["date"] = parse_day(request.args.get("date"), app.yesterday(station.code)).isoformat()
        return _form_page(form, {}, 200)
    form = _form_from_request()
    try:
        with db_session() as s:
            row, checked = record_incident(
                s, _raw(form), app.categories, app.today(station.code), station.code, who(), source="web"
            )
            incident_id = row.id
            audit(s, who(), "incident.create", station.code, f"incident {incident_id}", day=checked.day.isoformat())
    except InputError as exc:
        return _form_page(form, _field_errors(exc), 400)
    name = app.categories[checked.category_code].name
    message = f"已记录警情 #{incident_id}：{checked.day.isoformat()} {name}，损失 {yuan(checked.loss)} 元"
    if checked.stopped:
        message += "，劝阻成功"
    note = masked_note(checked.masked)
    flash(f"{message}；{note}（保存前已处理）" if note else message)
    poster_note(_checked_texts(checked))
    return redirect(url_for("incidents.day", date=checked.day.isoformat(), **_station_args(station)))


def _edit_form(incident) -> dict:
    return {
        "date": incident.day.isoformat(),
        "category": incident.category_code,
        "loss": f"{incident.loss:f}".removesuffix(".00"),
        "stopped": incident.stopped,
        "channel": incident.channel or "",
        "victim": incident.victim or "",
        "victim_age": incident.victim_age or "",
        "occupation": incident.occupation or "",
        "place": incident.place or "",
        "summary": incident.summary or "",
    }


def _incident_view(incident) -> dict:
    return {"id": incident.id, "station": incident.station.code, "day": incident.day.isoformat()}


@bp.route("/<int:incident_id>/edit", methods=["GET", "POST"])
@requires("incidents")
def edit(incident_id: int):
    from ..accounts.service import audit
    from ..incidents.service import change_incident

    app = services()
    if request.method == "GET":
        with db_session() as s:
            incident = _load(s, incident_id)
            form, view = _edit_form(incident), _incident_view(incident)
        return _form_page(form, {}, 200, view)
    form = _form_from_request()
    try:
        with db_session() as s:
            incident = _load(s, incident_id)
            view = _incident_view(incident)
            diff, checked = change_incident(s, incident_id, _raw(form), app.categories, app.today, who())
            if diff:
                audit(s, who(), "incident.update", view["station"], f"incident {incident_id}", fields=sorted(diff))
    except InputError as exc:
        return _form_page(form, _field_errors(exc), 400, view)
    if diff:
        changed = "、".join(FIELD_NAMES_ZH.get(name, name) for name in diff)
        note = masked_note(checked.masked)
        flash(f"已修改警情 #{incident_id}：{changed}" + (f"；{note}" if note else ""))
        poster_note(_checked_texts(checked))
    else:
        flash(f"警情 #{incident_id} 没有改动")
    return redirect(url_for("incidents.day", date=checked.day.isoformat(), **_station_args(current_station())))


FIELD_NAMES_ZH = {
    "day": "日期",
    "category_code": "类型",
    "loss": "损失金额",
    "stopped": "劝阻成功",
    "channel": "联系方式",
    "victim": "受害人",
    "victim_age": "年龄段",
    "occupation": "职业",
    "place": "地点",
    "summary": "简要经过",
}


@bp.route("/<int:incident_id>/delete", methods=["POST"])
@requires("incidents")
def delete(incident_id: int):
    from ..accounts.service import audit
    from ..incidents.service import delete_incident

    reason = request.form.get("reason", "")
    try:
        with db_session() as s:
            incident = _load(s, incident_id)
            view = _incident_view(incident)
            deleted = delete_incident(s, incident_id, who(), reason)
            cleaned = deleted.audit[-1].changes.get("reason")  # masked and cleaned, as the incident audit has it
            audit(s, who(), "incident.delete", view["station"], f"incident {incident_id}", reason=cleaned)
    except InputError as exc:
        with db_session() as s:
            incident = _load(s, incident_id)
            form, view = _edit_form(incident), _incident_view(incident)
        return _form_page(form | {"reason": reason}, {"reason": zh_error(exc)}, 400, view)
    flash(f"已删除警情 #{incident_id}（可在“显示已删除”中恢复）")
    return redirect(url_for("incidents.day", date=view["day"], **_station_args(current_station())))


@bp.route("/<int:incident_id>/restore", methods=["POST"])
@requires("incidents")
def restore(incident_id: int):
    from ..accounts.service import audit
    from ..incidents.service import restore_incident

    with db_session() as s:
        incident = _load(s, incident_id, include_deleted=True)
        view = _incident_view(incident)
        try:
            restore_incident(s, incident_id, who())
        except InputError:  # not deleted (restored twice): nothing to do
            flash(f"警情 #{incident_id} 未被删除", "warning")
            return redirect(url_for("incidents.day", date=view["day"], **_station_args(current_station())))
        audit(s, who(), "incident.restore", view["station"], f"incident {incident_id}")
    flash(f"已恢复警情 #{incident_id}")
    return redirect(url_for("incidents.day", date=view["day"], deleted=1, **_station_args(current_station())))


# ------------------------------------------------------------------------------------------------ import


def _import_page(errors=None, problems=None, status=200):
    station = current_station()
    return (
        render_template(
            "incidents_import.html",
            title="导入表格",
            errors=errors or {},
            problems=problems,
            station=station,
            station_args=_station_args(station),
        ),
        status,
    )


@bp.route("/import", methods=["GET", "POST"])
@requires("incidents")
def upload():
    from ..accounts.service import audit
    from ..incidents.service import ImportRejected, check_import, import_rows

    if request.method == "GET":
        return _import_page()
    station = current_station()
    app = services()
    upload_file = request.files.get("file")
    if upload_file is None or not upload_file.filename:
        return _import_page({"file": "文件：请选择要导入的表格（.xlsx 或 .csv）"}, status=400)
    original = upload_file.filename
    suffix = Path(original).suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        return _import_page({"file": f"文件：“{original}”不是 .xlsx 或 .csv 表格"}, status=400)
    with tempfile.TemporaryDirectory(prefix="antifraud-import-") as folder:
        path = Path(folder) / f"upload{suffix}"
        upload_file.save(path)
        try:
            with db_session() as s:  # one transaction: every row or none
                plan = check_import(path, app.settings, app.categories, app.today(station.code), station.code)
                _only_own_station(plan)
                result = import_rows(s, plan.rows, who())
                audit(
                    s, who(), "incident.import", station.code, original[:120],
                    added=result.added, skipped=result.skipped,
                )  # fmt: skip
        except ImportRejected as rejected:
            return _import_page(problems=[zh_problem(p) for p in rejected.problems], status=400)
        except InputError as exc:
            return _import_page({"file": zh_error(exc)}, status=400)
    message = f"导入{result.added}条，跳过{result.skipped}条（已存在）"
    note = masked_note(result.masked)
    flash(f"{message}；{note}" if note else message)
    texts = ("summary", "place", "occupation")
    poster_note([value for row in plan.rows for key, value in row.as_dict().items() if key in texts])
    day = max((row.day for row in plan.rows), default=None)
    return redirect(url_for("incidents.day", **({"date": day.isoformat()} if day else {}), **_station_args(station)))


def _only_own_station(plan) -> None:
    """A user of one station imports only that station's rows (a 警务室 column may name another)."""
    from flask_login import current_user

    from ..incidents.service import ImportRejected

    fixed = getattr(current_user, "station_code", None)
    if fixed:
        wrong = [
            f"row {row.line}: station {row.station_code!r} is not yours"
            for row in plan.rows
            if row.station_code != fixed
        ]
        if wrong:
            raise ImportRejected("file", wrong)


@bp.route("/" + TEMPLATE_NAME)
@requires("incidents")
def template():
    """A blank spreadsheet with the columns `incident import` reads: the export's, with no rows."""
    from ..incidents.spreadsheet import write_export

    with tempfile.TemporaryDirectory(prefix="antifraud-template-") as folder:
        path = Path(folder) / "template.xlsx"
        write_export(path, [])
        data = path.read_bytes()
    return send_file(
        BytesIO(data),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=TEMPLATE_NAME,  # Flask sends filename*=UTF-8''%E6%A8%A1%E6%9D%BF.xlsx (RFC 5987)
    )
