"""The incident pages: record, correct, delete, restore and import incidents through the web UI,
with the same checks, masking and audit as `antifraud incident ...` (frozen clock: today 2026-11-23)."""

import json
from io import BytesIO

import pytest

DAY = "2026-11-22"


def add(web, client, **fields):
    data = {"date": DAY, "category": "order_brushing", "loss": "3000", **fields}
    return web.post(client, "/incidents/new", data, form_page="/incidents/new")


def audit_actions(web) -> list[str]:
    from antifraud.accounts.service import audit_entries

    with web.app.db.session() as session:
        return [e.action for e in audit_entries(session) if e.action.startswith("incident.")]


def incident_ids(web, include_deleted=False) -> list[int]:
    from antifraud.incidents.service import incident_records

    with web.app.db.session() as session:
        return [r["id"] for r in incident_records(session, include_deleted=include_deleted)]


@pytest.fixture
def clerk(web):
    return web.client("zhou", "clerk")


def test_the_day_page_defaults_to_yesterday_with_its_buttons(web, clerk):
    page = web.get(clerk, "/incidents")
    assert page.status_code == 200
    # the day picker's own value: the 前一天 link also carries date=2026-11-22 when the page shows today
    assert f'name="date" value="{DAY}"' in page.text
    for button in ("新增警情", "导入表格", "下载模板", "显示已删除", "前一天"):
        assert button in page.text
    assert "共 0 起" in page.text
    form = web.get(clerk, "/incidents/new")
    assert f'value="{DAY}"' in form.text  # the date defaults to yesterday
    names = [name for name in ("冒充公检法及政府机关", "冒充电商物流客服", "刷单返利") if name in form.text]
    assert names == ["冒充公检法及政府机关", "冒充电商物流客服", "刷单返利"]
    assert form.text.index("冒充公检法及政府机关") < form.text.index("刷单返利")  # the categories file's order


def test_add_an_incident_and_see_it_in_the_list_with_the_total(web, clerk):
    saved = add(web, clerk, victim="王女士", place="石鼓社区第三网格", summary="网上刷单被骗", channel="wechat")
    assert saved.status_code == 302 and saved.headers["Location"].startswith(f"/incidents?date={DAY}")
    stopped = add(web, clerk, category="fake_customer_service", loss="", stopped="1", victim="李先生")
    assert stopped.status_code == 302
    page = web.get(clerk, saved.headers["Location"])
    assert "已记录警情" in page.text and "刷单返利" in page.text
    assert "王女士" in page.text and "石鼓社区第三网格" in page.text and "网上刷单被骗" in page.text
    assert "微信" in page.text and "录入：zhou" in page.text
    assert "劝阻成功</span>" in page.text
    assert '共 2 起，损失 <span class="money">3,000</span> 元，劝阻成功 1 起' in page.text
    assert "incident.create" in audit_actions(web)


def test_a_future_date_is_refused_beside_the_date_and_nothing_is_saved(web, clerk):
    refused = add(web, clerk, date="2026-11-24", summary="保留我写的内容")
    assert refused.status_code == 400
    html = refused.text
    field = html[html.index('name="date"') - 200 : html.index('name="category"')]
    assert "field-error" in field and "是将来的日期" in field and "error-text" in field
    assert "保留我写的内容" in html and 'value="2026-11-24"' in html  # what was typed is kept
    assert incident_ids(web) == []
    bad_loss = add(web, clerk, loss="-5")
    assert bad_loss.status_code == 400 and "损失金额：" in bad_loss.text
    assert incident_ids(web) == []


def test_a_phone_number_in_the_summary_is_masked_and_the_flash_says_so(web, clerk):
    saved = add(web, clerk, summary="对方用13912345678联系受害人")
    page = web.get(clerk, saved.headers["Location"])
    assert "已隐去1个手机号" in page.text
    assert "13912345678" not in page.text and "139****5678" in page.text


def test_a_script_in_the_summary_is_shown_escaped(web, clerk):
    add(web, clerk, summary="<script>alert(1)</script>")
    page = web.get(clerk, f"/incidents?date={DAY}")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_edit_delete_with_a_reason_and_restore(web, clerk):
    add(web, clerk, summary="第一起")
    add(web, clerk, loss="500", summary="第二起")
    first, second = incident_ids(web)
    edit_page = web.get(clerk, f"/incidents/{first}/edit")
    assert edit_page.status_code == 200 and "第一起" in edit_page.text and 'value="3000"' in edit_page.text

    edited = web.post(
        clerk, f"/incidents/{first}/edit", {"date": DAY, "category": "order_brushing", "loss": "4000",
                                            "summary": "第一起（已核实）"}, form_page=f"/incidents/{first}/edit",
    )  # fmt: skip
    assert edited.status_code == 302
    page = web.get(clerk, edited.headers["Location"])
    assert "已修改警情" in page.text and "第一起（已核实）" in page.text and "4,500" in page.text

    bad = web.post(clerk, f"/incidents/{first}/edit", {"date": DAY, "category": "order_brushing", "loss": "x"},
                   form_page=f"/incidents/{first}/edit")  # fmt: skip
    assert bad.status_code == 400 and "损失金额：“x”不是金额" in bad.text

    deleted = web.post(
        clerk, f"/incidents/{second}/delete", {"reason": "重复录入"}, form_page=f"/incidents/{second}/edit"
    )
    assert deleted.status_code == 302
    page = web.get(clerk, f"/incidents?date={DAY}")
    assert "已删除警情" in page.text and '共 1 起，损失 <span class="money">4,000</span> 元' in page.text
    assert "第二起" not in page.text

    shown = web.get(clerk, f"/incidents?date={DAY}&deleted=1")
    assert "第二起" in shown.text and "已删除</span>" in shown.text
    assert '共 1 起，损失 <span class="money">4,000</span> 元' in shown.text  # not added into the total
    assert "另有 1 起已删除，不计入合计" in shown.text

    restored = web.post(clerk, f"/incidents/{second}/restore", form_page=f"/incidents?date={DAY}&deleted=1")
    assert restored.status_code == 302
    page = web.get(clerk, f"/incidents?date={DAY}")
    assert "已恢复警情" in page.text and "共 2 起" in page.text and "第二起" in page.text

    from antifraud.incidents.service import incident_with_audit

    with web.app.db.session() as session:
        trail = incident_with_audit(session, second, web.app.settings.display_zone)["audit"]
    assert [a["action"] for a in trail] == ["create", "delete", "restore"]
    assert trail[1]["changes"] == {"reason": "重复录入"}
    assert audit_actions(web) == [
        "incident.restore", "incident.delete", "incident.update", "incident.create", "incident.create",
    ]  # fmt: skip


def test_an_unknown_incident_is_not_found(web, clerk):
    assert web.get(clerk, "/incidents/999/edit").status_code == 404


def template_workbook(web, clerk):
    from openpyxl import load_workbook

    response = web.get(clerk, "/incidents/模板.xlsx")
    assert response.status_code == 200
    return response, load_workbook(BytesIO(response.data))


def test_the_template_download_is_a_valid_xlsx(web, clerk):
    response, workbook = template_workbook(web, clerk)
    assert "filename*=UTF-8''%E6%A8%A1%E6%9D%BF.xlsx" in response.headers["Content-Disposition"]
    assert response.mimetype.endswith("spreadsheetml.sheet")
    header = [cell.value for cell in workbook.active[1]]
    assert "日期" in header and "类别" in header and "简要案情" in header
    assert workbook.active.max_row == 1


def upload(web, clerk, rows):
    _, workbook = template_workbook(web, clerk)
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    for row in rows:
        sheet.append([row.get(title) for title in header])
    data = BytesIO()
    workbook.save(data)
    data.seek(0)
    return web.post(clerk, "/incidents/import", {"file": (data, "十一月警情.xlsx")}, form_page="/incidents/import")


def test_import_a_good_spreadsheet_then_again_skips_them(web, clerk):
    rows = [
        {"日期": DAY, "类别": "刷单返利", "损失金额": "2000", "简要案情": "刷单被骗，对方号码13912345678"},
        {"日期": "2026-11-21", "类别": "冒充电商物流客服", "损失金额": "0", "是否劝阻": "是", "地点": "石鼓社区"},
    ]
    imported = upload(web, clerk, rows)
    assert imported.status_code == 302, imported.text
    page = web.get(clerk, imported.headers["Location"])
    assert "导入2条，跳过0条（已存在）" in page.text and "已隐去1个手机号" in page.text
    assert len(incident_ids(web)) == 2
    again = upload(web, clerk, rows)
    assert "导入0条，跳过2条（已存在）" in web.get(clerk, again.headers["Location"]).text
    assert len(incident_ids(web)) == 2
    assert audit_actions(web) == ["incident.import", "incident.import"]


def test_a_spreadsheet_with_one_bad_row_imports_nothing_and_shows_the_problems(web, clerk):
    rows = [
        {"日期": DAY, "类别": "刷单返利", "损失金额": "2000"},
        {"日期": DAY, "类别": "刷单返利", "损失金额": "-5"},
        {"日期": "2026-11-30", "类别": "刷单返利"},
    ]
    rejected = upload(web, clerk, rows)
    assert rejected.status_code == 400
    assert "没有导入任何一条" in rejected.text
    assert "第3行，“损失金额”列：“-5”应在 0 到 1 亿元之间" in rejected.text
    assert "第4行，“日期”列：“2026-11-30”是将来的日期" in rejected.text
    assert incident_ids(web) == [] and audit_actions(web) == []


def test_an_upload_that_is_not_a_spreadsheet_is_refused_beside_the_file(web, clerk):
    refused = web.post(clerk, "/incidents/import", {"file": (BytesIO(b"hello"), "notes.txt")},
                       form_page="/incidents/import")  # fmt: skip
    assert refused.status_code == 400 and "field-error" in refused.text and "不是 .xlsx 或 .csv" in refused.text


def test_a_volunteer_gets_403_on_every_incident_page(web):
    volunteer = web.client("jiang", "volunteer", person="蒋志愿者")
    for path in ("/incidents", "/incidents/new", "/incidents/import", "/incidents/模板.xlsx", "/incidents/1/edit"):
        assert web.get(volunteer, path).status_code == 403, path


def test_the_incident_pages_need_a_login(web):
    client = web.client()
    for path in ("/incidents/new", "/incidents/import"):
        response = web.get(client, path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_characters_the_poster_cannot_show_are_named_on_saving(web, clerk):
    saved = add(web, clerk, summary="受害人发来😀表情")
    page = web.get(clerk, saved.headers["Location"])
    assert "海报无法显示" in page.text and "U+1F600" in page.text
    assert "😀" in page.text  # kept as typed


def test_the_incident_pages_fit_a_phone_without_scrolling_sideways(web, config_file, phone):
    from webtools import Server, log_in

    web.add_user("zhou", "clerk")
    # plain http on 127.0.0.1: the session cookie may not be Secure-only here
    config_file.write_text(config_file.read_text(encoding="utf-8") + "web: {secure_cookies: false}\n", encoding="utf-8")
    with Server(config_file) as server:
        log_in(phone, server.url, "zhou")
        phone.goto(f"{server.url}/incidents/new")
        yesterday = phone.input_value("input[name=date]")
        phone.select_option("select[name=category]", "order_brushing")
        phone.fill("input[name=loss]", "1200")
        phone.fill("input[name=victim]", "王女士")
        phone.fill("textarea[name=summary]", "一段很长的简要经过" * 20)
        phone.click("main button[type=submit]")
        phone.wait_for_load_state()
        assert "已记录警情" in phone.content()
        for path in (f"/incidents?date={yesterday}", "/incidents/new", "/incidents/import", "/incidents/1/edit"):
            phone.goto(f"{server.url}{path}")
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (path, width)
            small = phone.evaluate(
                "[...document.querySelectorAll('main button, main a.button')]"
                ".filter(e => e.getBoundingClientRect().height < 34).length"
            )
            assert small == 0, path


def test_a_delete_reason_is_masked_in_the_web_audit_log_too(web):
    """Issue 14 item 5: the web audit log keeps the cleaned, masked reason, not what was typed."""
    clerk = web.client("zhou", "clerk")
    web.post(
        clerk,
        "/incidents/new",
        {"date": "2026-11-22", "category": "order_brushing", "loss": "1"},
        form_page="/incidents/new",
    )
    reason = "误录：实为13912345678\x07的咨询\u202e"
    deleted = web.post(clerk, "/incidents/1/delete", {"reason": reason}, form_page="/incidents/1/edit")
    assert deleted.status_code == 302
    from antifraud.accounts.service import audit_entries

    with web.app.db.session() as session:
        stored = json.dumps([e.details for e in audit_entries(session)], ensure_ascii=False)
    assert "13912345678" not in stored, stored
    assert "\x07" not in stored and "\u202e" not in stored, stored
