"""The robot emulator itself: it must answer like WeCom / DingTalk / Feishu and be strict about their limits."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time

import pytest
import requests
import time_machine
from robots import (
    DingTalk,
    Feishu,
    RobotServer,
    WeCom,
    dingtalk_sign,
    dingtalk_signed_url,
    feishu_sign,
    feishu_signed,
)

NOW = "2026-11-23T09:00:00+08:00"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
GIF = b"GIF89a" + b"\x00" * 64


def post(url: str, body, timeout: float = 5) -> requests.Response:
    if isinstance(body, (bytes, str)):
        return requests.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=timeout)
    return requests.post(url, json=body, timeout=timeout)


def text(content: str) -> dict:
    return {"msgtype": "text", "text": {"content": content}}


def image(raw: bytes, md5: str | None = None) -> dict:
    return {
        "msgtype": "image",
        "image": {"base64": base64.b64encode(raw).decode(), "md5": md5 or hashlib.md5(raw).hexdigest()},
    }


def feishu_text(s: str) -> dict:
    return {"msg_type": "text", "content": {"text": s}}


# ------------------------------------------------------------------------------------------------ WeCom


def test_wecom_accepts_text_markdown_and_images(robots):
    url = robots.wecom_url("k1")
    assert url.startswith("http://127.0.0.1:") and url.endswith("/cgi-bin/webhook/send?key=k1")
    body = {"msgtype": "text", "text": {"content": "警惕冒充公检法", "mentioned_mobile_list": ["13800000001"]}}
    for msg in (body, {"msgtype": "markdown", "markdown": {"content": "# 预警"}}, image(PNG), image(JPEG)):
        r = post(url, msg)
        assert r.status_code == 200
        assert r.json() == {"errcode": 0, "errmsg": "ok"}
    assert [m["msgtype"] for m in robots.messages("k1")] == ["text", "markdown", "image", "image"]
    first = robots.messages("k1")[0]
    assert first["robot"] == "wecom" and first["body"] == body and first["at"].tzinfo is not None
    assert robots.count("k1") == 4


def test_wecom_content_limits_are_bytes_not_characters(robots):
    url = robots.wecom_url()
    assert post(url, text("a" * WeCom.TEXT_MAX_BYTES)).json()["errcode"] == 0
    # 683 CJK characters = 2049 UTF-8 bytes: fewer characters than the limit, more bytes.
    r = post(url, text("骗" * 683)).json()
    assert r["errcode"] == WeCom.CONTENT_TOO_LONG == 40058
    assert "text.content exceed max length 2048" in r["errmsg"]
    md = {"msgtype": "markdown", "markdown": {"content": "x" * (WeCom.MARKDOWN_MAX_BYTES + 1)}}
    assert post(url, md).json()["errcode"] == 40058
    md["markdown"]["content"] = "x" * WeCom.MARKDOWN_MAX_BYTES
    assert post(url, md).json()["errcode"] == 0
    assert robots.count("k1") == 2


@pytest.mark.parametrize(
    ("msg", "errcode"),
    [
        (image(PNG, md5=hashlib.md5(b"other").hexdigest()), WeCom.MD5_NOT_MATCH),
        # md5 of the base64 text instead of the raw bytes: a classic sender bug
        (image(PNG, md5=hashlib.md5(base64.b64encode(PNG)).hexdigest()), WeCom.MD5_NOT_MATCH),
        (image(GIF), WeCom.INVALID_MEDIA_TYPE),
        ({"msgtype": "image", "image": {"base64": "not base64!!", "md5": "0" * 32}}, WeCom.INVALID_PARAMETER),
        ({"msgtype": "image", "image": {"md5": "0" * 32}}, WeCom.INVALID_PARAMETER),
        ({"msgtype": "video", "video": {}}, WeCom.INVALID_MSGTYPE),
        ({"text": {"content": "no msgtype"}}, WeCom.INVALID_MSGTYPE),
        ({"msgtype": "text"}, WeCom.INVALID_PARAMETER),
        (text(""), WeCom.EMPTY_CONTENT),
        (
            {"msgtype": "text", "text": {"content": "x", "mentioned_mobile_list": "13800000001"}},
            WeCom.INVALID_PARAMETER,
        ),
        (b"{not json", WeCom.EMPTY_CONTENT),
    ],
)
def test_wecom_rejects_bad_messages_with_http_200(robots, msg, errcode):
    r = post(robots.wecom_url(), msg)
    assert r.status_code == 200
    assert r.json()["errcode"] == errcode
    assert "more info at https://open.work.weixin.qq.com/devtool/query?e=" in r.json()["errmsg"]
    assert robots.count("k1") == 0
    assert robots.requests[-1]["errcode"] == errcode and robots.requests[-1]["outcome"] == "rejected"


def test_wecom_image_over_2mb_is_refused(robots):
    raw = PNG + b"\x00" * (WeCom.IMAGE_MAX_BYTES - len(PNG) + 1)
    assert post(robots.wecom_url(), image(raw)).json()["errcode"] == WeCom.INVALID_IMAGE_SIZE
    raw = raw[:-1]
    assert post(robots.wecom_url(), image(raw)).json()["errcode"] == 0


def test_wecom_unknown_key(robots):
    robots.wecom_url("k1")
    url = f"{robots.base_url}/cgi-bin/webhook/send?key=nope"
    r = post(url, text("hi")).json()
    assert r["errcode"] == WeCom.INVALID_KEY == 93000 and r["errmsg"].startswith("invalid webhook url")
    assert post(f"{robots.base_url}/cgi-bin/webhook/send", text("hi")).json()["errcode"] == 93000
    assert robots.received == []


def test_wecom_20_per_minute_sliding_window(robots):
    url = robots.wecom_url()
    with time_machine.travel(NOW, tick=False) as traveller:
        for i in range(WeCom.PER_MINUTE):
            assert post(url, text(f"m{i}")).json()["errcode"] == 0
        r = post(url, text("m20")).json()
        assert r["errcode"] == WeCom.FREQ_OUT_OF_LIMIT == 45009 and r["errmsg"].startswith("api freq out of limit")
        traveller.shift(59)
        assert post(url, text("still inside the window")).json()["errcode"] == 45009
        traveller.shift(2)  # 61 s after the first burst; the two refusals at 0 s and 59 s still count
        assert post(url, text("ok again")).json()["errcode"] == 0
    assert robots.count("k1") == 21
    assert [r["errcode"] for r in robots.requests_for("k1")].count(45009) == 2


def test_wecom_rejected_requests_count_toward_the_window(robots):
    url = robots.wecom_url()
    with time_machine.travel(NOW, tick=False):
        for _ in range(WeCom.PER_MINUTE):
            assert post(url, text("")).json()["errcode"] == WeCom.EMPTY_CONTENT
        assert post(url, text("valid")).json()["errcode"] == 45009


def test_robots_are_independent(robots):
    a, b = robots.wecom_url("a"), robots.wecom_url("b")
    with time_machine.travel(NOW, tick=False):
        for _ in range(21):
            post(a, text("x"))
        assert post(b, text("y")).json()["errcode"] == 0


# ------------------------------------------------------------------------------------------------ DingTalk


def test_dingtalk_signed_text_and_markdown(robots):
    url, secret = robots.dingtalk_url("t1")
    assert secret.startswith("SEC") and url.endswith("/robot/send?access_token=t1")
    msg = {"msgtype": "text", "text": {"content": "预警"}, "at": {"atMobiles": ["13800000001"], "isAtAll": False}}
    assert post(dingtalk_signed_url(url, secret), msg).json() == {"errcode": 0, "errmsg": "ok"}
    md = {"msgtype": "markdown", "markdown": {"title": "预警", "text": "### 冒充客服退款"}}
    assert post(dingtalk_signed_url(url, secret), md).json()["errcode"] == 0
    assert [m["msgtype"] for m in robots.messages("t1")] == ["text", "markdown"]


def test_dingtalk_sign_matches_the_documented_algorithm():
    # hmac-sha256(key=secret, msg=f"{ts}\n{secret}") -> base64, computed independently
    import hmac

    expected = base64.b64encode(hmac.new(b"SECabc", b"1700000000000\nSECabc", hashlib.sha256).digest()).decode()
    assert dingtalk_sign("SECabc", 1700000000000) == expected


def test_dingtalk_rejects_bad_signatures_and_timestamps(robots):
    url, secret = robots.dingtalk_url("t1", "SECsecret")
    msg = text("hi")
    with time_machine.travel(NOW, tick=False):
        ts = int(time.time() * 1000)
        cases = {
            "missing": url,
            "wrong secret": dingtalk_signed_url(url, "SECother"),
            "stale": dingtalk_signed_url(url, secret, ts - 3_600_001),
            "future": dingtalk_signed_url(url, secret, ts + 3_600_001),
            "garbage ts": f"{url}&timestamp=abc&sign=x",
        }
        answers = {name: post(u, msg).json() for name, u in cases.items()}
        assert post(dingtalk_signed_url(url, secret, ts - 3_599_000), msg).json()["errcode"] == 0
    assert {a["errcode"] for a in answers.values()} == {DingTalk.SIGN_NOT_MATCH}
    assert answers["wrong secret"]["errmsg"] == "sign not match"
    assert answers["stale"]["errmsg"] == "invalid timestamp"
    assert robots.count("t1") == 1


def test_dingtalk_not_url_encoded_sign_is_refused_whenever_it_contains_plus(robots):
    url, secret = robots.dingtalk_url("t1", "SECsecret")
    for ts in range(1700000000000, 1700000000100):
        if "+" in dingtalk_sign(secret, ts):
            break
    with time_machine.travel(ts / 1000, tick=False):
        raw = f"{url}&timestamp={ts}&sign={dingtalk_sign(secret, ts)}"
        assert post(raw, text("x")).json()["errcode"] == DingTalk.SIGN_NOT_MATCH
        assert post(dingtalk_signed_url(url, secret, ts), text("x")).json()["errcode"] == 0


def test_dingtalk_unknown_token_and_bad_bodies(robots):
    url, secret = robots.dingtalk_url("t1")
    bad = f"{robots.base_url}/robot/send?access_token=nope"
    assert post(bad, text("x")).json() == {"errcode": DingTalk.TOKEN_NOT_EXIST, "errmsg": "token is not exist"}
    for body in (
        b"not json",
        {"msgtype": "markdown", "markdown": {"text": "no title"}},
        {"msgtype": "image", "image": {}},
        {"msgtype": "text", "text": {"content": ""}},
        {"msgtype": "text", "text": {"content": "x"}, "at": {"isAtAll": "no"}},
    ):
        assert post(dingtalk_signed_url(url, secret), body).json()["errcode"] == DingTalk.INVALID_PARAMETER
    assert robots.count("t1") == 0


def test_dingtalk_unsigned_robot(robots):
    url, secret = robots.dingtalk_url("plain", secret="")
    assert secret == ""
    assert post(url, text("keyword mode")).json()["errcode"] == 0


def test_dingtalk_throttles_for_ten_minutes(robots):
    url, secret = robots.dingtalk_url("t1")
    with time_machine.travel(NOW, tick=False) as traveller:
        for i in range(DingTalk.PER_MINUTE):
            assert post(dingtalk_signed_url(url, secret), text(f"m{i}")).json()["errcode"] == 0
        r = post(dingtalk_signed_url(url, secret), text("21st")).json()
        assert r == {"errcode": DingTalk.SEND_TOO_FAST, "errmsg": "send too fast, exceed 20 times per minute"}
        traveller.shift(61)  # the minute is over, but the robot is throttled for 10 minutes
        assert post(dingtalk_signed_url(url, secret), text("too early")).json()["errcode"] == 130101
        traveller.shift(DingTalk.THROTTLE_SECONDS - 61 - 1)
        assert post(dingtalk_signed_url(url, secret), text("still too early")).json()["errcode"] == 130101
        traveller.shift(1)
        assert post(dingtalk_signed_url(url, secret), text("free again")).json()["errcode"] == 0
    assert robots.count("t1") == 21


# ------------------------------------------------------------------------------------------------ Feishu


def test_feishu_signed_text_and_post(robots):
    url, secret = robots.feishu_url("h1", "s3cret")
    assert url.endswith("/open-apis/bot/v2/hook/h1")
    r = post(url, feishu_signed(feishu_text("预警"), secret))
    assert r.json()["code"] == 0 and r.json()["msg"] == "success" and r.json()["StatusCode"] == 0
    rich = {
        "msg_type": "post",
        "content": {
            "post": {
                "zh_cn": {
                    "title": "反诈预警",
                    "content": [[{"tag": "text", "text": "谨防"}, {"tag": "a", "text": "详情", "href": "https://x"}]],
                }
            }
        },
    }
    assert post(url, feishu_signed(rich, secret)).json()["code"] == 0
    assert [m["msgtype"] for m in robots.messages("h1")] == ["text", "post"]


def test_feishu_sign_matches_the_documented_algorithm():
    import hmac

    expected = base64.b64encode(hmac.new(b"1599360473\nsec", b"", hashlib.sha256).digest()).decode()
    assert feishu_sign("sec", 1599360473) == expected


def test_feishu_rejections(robots):
    url, secret = robots.feishu_url("h1", "s3cret")
    with time_machine.travel(NOW, tick=False) as traveller:
        now = int(time.time())
        fail = {
            "code": Feishu.SIGN_MATCH_FAIL,
            "data": {},
            "msg": ("sign match fail or timestamp is not within one hour from current time"),
        }
        assert post(url, feishu_text("unsigned")).json() == fail
        assert post(url, feishu_signed(feishu_text("x"), "other")).json() == fail
        assert post(url, feishu_signed(feishu_text("x"), secret, now - 3601)).json() == fail
        assert (
            post(url, {**feishu_text("x"), "timestamp": str(now), "sign": feishu_sign(secret, now + 1)}).json() == fail
        )
        traveller.shift(1)
        for bad in (
            b"{{",
            {"msg_type": "video", "content": {}},
            {"msg_type": "text", "content": {"text": ""}},
            {"msg_type": "post", "content": {"post": {"zh_cn": {"title": "t", "content": [[{"tag": "blink"}]]}}}},
        ):
            body = bad if isinstance(bad, bytes) else feishu_signed(bad, secret)
            assert post(url, body).json()["code"] == Feishu.BAD_REQUEST
        traveller.shift(1)
        big = feishu_signed(feishu_text("x" * Feishu.BODY_MAX_BYTES), secret)
        assert post(url, big).json() == {"code": Feishu.BAD_REQUEST, "data": {}, "msg": "Bad Request"}
    unknown = post(f"{robots.base_url}/open-apis/bot/v2/hook/nope", feishu_text("x")).json()
    assert unknown["code"] == Feishu.INVALID_HOOK == 19001
    assert robots.count("h1") == 0


def test_feishu_five_per_second(robots):
    url, secret = robots.feishu_url("h1", "s3cret")
    with time_machine.travel(NOW, tick=False) as traveller:
        for _ in range(Feishu.PER_SECOND):
            assert post(url, feishu_signed(feishu_text("x"), secret)).json()["code"] == 0
        r = post(url, feishu_signed(feishu_text("6th"), secret)).json()
        assert r["code"] == Feishu.FREQUENCY_LIMITED == 11232
        traveller.shift(1)
        assert post(url, feishu_signed(feishu_text("next second"), secret)).json()["code"] == 0
    assert robots.count("h1") == Feishu.PER_SECOND + 1


def test_feishu_hundred_per_minute(robots):
    url, secret = robots.feishu_url("h1", "")
    with time_machine.travel(NOW, tick=False) as traveller:
        for _ in range(Feishu.PER_MINUTE // Feishu.PER_SECOND):
            for _ in range(Feishu.PER_SECOND):
                assert post(url, feishu_text("x")).json()["code"] == 0
            traveller.shift(1)
        # 100 accepted within 20 s: the 101st is over the minute limit although this second is empty
        assert post(url, feishu_text("over")).json()["code"] == Feishu.FREQUENCY_LIMITED
        traveller.shift(40)  # 60 s after the first second: its 5 requests left the window
        assert post(url, feishu_text("room again")).json()["code"] == 0
    assert robots.count("h1") == Feishu.PER_MINUTE + 1


# ------------------------------------------------------------------------------------------------ sink


def test_generic_webhook_sink(robots):
    url = robots.webhook_url("ops")
    assert post(url, {"event": "warning", "n": 1}).json() == {"ok": True}
    assert robots.messages("ops")[0]["body"] == {"event": "warning", "n": 1}
    assert post(url, b"nope").status_code == 400
    r = post(f"{robots.base_url}/webhook/unknown", {"x": 1})
    assert r.status_code == 404 and r.json()["ok"] is False
    assert requests.post(f"{robots.base_url}/elsewhere", json={}, timeout=5).status_code == 404
    assert robots.count("ops") == 1


# ------------------------------------------------------------------------------------------------ faults


def test_fault_http500_then_recovers(robots):
    url = robots.wecom_url()
    robots.fail_next("k1", "http500", times=2)
    for _ in range(2):
        r = post(url, text("x"))
        assert r.status_code == 500 and r.headers["Content-Type"].startswith("text/html") and "<html>" in r.text
    assert post(url, text("x")).json()["errcode"] == 0
    assert robots.count("k1") == 1
    assert [r["outcome"] for r in robots.requests_for("k1")] == ["fault:http500", "fault:http500", "accepted"]


def test_fault_injected_errcode_in_each_robot_format(robots):
    wecom = robots.wecom_url()
    ding, secret = robots.dingtalk_url("t1")
    feishu, _ = robots.feishu_url("h1", "")
    robots.fail_next("k1", "errcode:-1")
    robots.fail_next("t1", "errcode:130101")
    robots.fail_next("h1", "errcode:11232")
    assert post(wecom, text("x")).json()["errcode"] == -1
    assert post(dingtalk_signed_url(ding, secret), text("x")).json()["errcode"] == 130101
    assert post(feishu, feishu_text("x")).json()["code"] == 11232
    assert robots.received == []
    assert post(dingtalk_signed_url(ding, secret), text("x")).json()["errcode"] == 0


def test_fault_timeout(robots):
    url = robots.wecom_url()
    robots.fail_next("k1", "timeout")
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        post(url, text("lost"), timeout=0.5)
    assert time.monotonic() - started < 2
    assert post(url, text("next"), timeout=2).json()["errcode"] == 0
    assert [m["body"]["text"]["content"] for m in robots.messages("k1")] == ["next"]


def test_fault_timeout_with_short_delay_answers_504(robots):
    url = robots.wecom_url()
    robots.fail_next("k1", "timeout", delay=0.1)
    r = post(url, text("x"), timeout=2)
    assert r.status_code == 504 and robots.count("k1") == 0


def test_fault_reset(robots):
    url = robots.wecom_url()
    robots.fail_next("k1", "reset")
    with pytest.raises(requests.exceptions.ConnectionError):
        post(url, text("x"))
    assert robots.count("k1") == 0
    assert post(url, text("x")).json()["errcode"] == 0


def test_hold_then_release(robots):
    url = robots.wecom_url()
    hold = robots.hold_next("k1")
    answers = []
    sender = threading.Thread(target=lambda: answers.append(post(url, text("held")).json()))
    sender.start()
    assert hold.arrived.wait(2)
    assert robots.count("k1") == 0 and answers == []
    hold.set()
    sender.join(2)
    assert answers == [{"errcode": 0, "errmsg": "ok"}]
    # The answer can reach the client a moment before the server thread marks the hold done.
    assert hold.done.wait(2) and hold.outcome == "processed"
    assert robots.count("k1") == 1


def test_hold_client_abandons(robots):
    url = robots.wecom_url()
    hold = robots.hold_next("k1")
    with pytest.raises(requests.exceptions.ReadTimeout):
        post(url, text("sender crashed"), timeout=0.5)
    assert hold.done.wait(2)
    assert hold.outcome == "dropped"
    hold.set()  # too late: nothing to release
    assert robots.count("k1") == 0
    assert robots.requests_for("k1")[-1]["outcome"] == "dropped"


def test_stop_releases_held_requests():
    server = RobotServer().start()
    url = server.wecom_url()
    hold = server.hold_next("k1")
    errors = []

    def send():
        try:
            post(url, text("x"), timeout=5)
        except requests.exceptions.ConnectionError as exc:
            errors.append(exc)

    sender = threading.Thread(target=send)
    sender.start()
    assert hold.arrived.wait(2)
    started = time.monotonic()
    server.stop()
    sender.join(3)
    assert not sender.is_alive() and time.monotonic() - started < 3
    assert len(errors) == 1 and server.received == []


def test_request_log_keeps_rejections(robots):
    url = robots.wecom_url()
    post(url, text(""))
    post(url, text("ok"))
    log = robots.requests_for("k1")
    assert [(r["status"], r["errcode"], r["outcome"]) for r in log] == [
        (200, WeCom.EMPTY_CONTENT, "rejected"),
        (200, 0, "accepted"),
    ]
    assert json.loads(log[0]["body"]) == text("")


def test_limits_are_class_constants():
    assert RobotServer.limits["wecom"].PER_MINUTE == 20
    assert RobotServer.DINGTALK.THROTTLE_SECONDS == 600
    assert (RobotServer.FEISHU.PER_MINUTE, RobotServer.FEISHU.PER_SECOND) == (100, 5)
