"""The delivery channels against stand-in robots (pytest-httpserver) and a temporary folder."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from PIL import Image
from werkzeug import Response

from antifraud.channels import CHANNELS, Message, RetryLater, channel_for
from antifraud.channels.dingtalk import DingTalk
from antifraud.channels.feishu import Feishu
from antifraud.channels.folder import Folder, safe_name
from antifraud.channels.webhook import Webhook
from antifraud.channels.wecom import WeCom
from antifraud.config import Group
from antifraud.errors import ConfigError, DeliveryError

WECOM_KEY = "wk-7f3a9c1e-SECRETKEY"
DING_TOKEN = "dt0c23SECRETTOKEN99"
DING_SECRET = "SECdingSECRETvalue0042"
FEISHU_HOOK = "fs-5e3d587e-SECRETHOOK"
FEISHU_SECRET = "fsSECRETsigning77"
SECRETS = (WECOM_KEY, DING_TOKEN, DING_SECRET, FEISHU_HOOK, FEISHU_SECRET)
DAY = "2026-11-22"
GROUP_NAME = "石鼓居民微信群"


def group(channel: str, webhook_env: str | None = "AF_HOOK", secret_env: str | None = None, name=GROUP_NAME):
    return Group(name=name, channel=channel, webhook_env=webhook_env, secret_env=secret_env, audience="residents")


def no_secrets(exc: BaseException) -> None:
    for secret in SECRETS:
        assert secret not in str(exc)


@pytest.fixture
def png(tmp_path) -> Path:
    path = tmp_path / "warning.png"
    Image.new("RGB", (4, 3), (200, 30, 30)).save(path, format="PNG")
    return path


@pytest.fixture
def jpeg(tmp_path) -> Path:
    path = tmp_path / "warning.jpg"
    Image.new("RGB", (4, 3), (200, 30, 30)).save(path, format="JPEG")
    return path


@pytest.fixture
def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


def slow_handler(release: threading.Event):
    def handler(request):
        release.wait(1)  # sleeps 1 s, or less once the test has seen its timeout
        return Response(json.dumps({"errcode": 0, "errmsg": "ok"}), content_type="application/json")

    return handler


# -- the registry ---------------------------------------------------------------------------------
def test_registry_builds_each_channel(tmp_path):
    assert set(CHANNELS) == {"wecom", "dingtalk", "feishu", "webhook", "folder"}
    channel = channel_for(group("wecom"), environ={"AF_HOOK": "x"}, timeout=0.5)
    assert isinstance(channel, WeCom) and channel.timeout == 0.5
    assert isinstance(channel_for(group("folder", webhook_env=None), output_dir=tmp_path), Folder)


def test_limits_and_kinds():
    assert (WeCom.per_minute, DingTalk.per_minute, Feishu.per_minute, Feishu.per_second) == (20, 20, 100, 5)
    assert Webhook.per_minute is None and Folder.per_minute is None
    assert WeCom.kinds == {"text", "markdown", "image"} and Feishu.kinds == {"text", "markdown"}


# -- WeCom ----------------------------------------------------------------------------------------
@pytest.fixture
def wecom(httpserver):
    url = httpserver.url_for("/cgi-bin/webhook/send") + f"?key={WECOM_KEY}"
    # Generous: the local server answers at once, and a loaded CI machine must not turn that into a timeout
    # (the timeout tests make channels of their own).
    return WeCom(group("wecom"), environ={"AF_HOOK": url}, timeout=5)


def expect_wecom(httpserver, payload, answer=None):
    httpserver.expect_oneshot_request(
        "/cgi-bin/webhook/send", method="POST", query_string={"key": WECOM_KEY}, json=payload
    ).respond_with_json(answer or {"errcode": 0, "errmsg": "ok"})


def test_wecom_text_with_mentions(httpserver, wecom):
    text = "昨日我辖区发生冒充客服诈骗1起。"
    expect_wecom(
        httpserver,
        {"msgtype": "text", "text": {"content": text, "mentioned_mobile_list": ["13800000001", "13800000021"]}},
    )
    assert wecom.send(Message("text", text=text, mentions=("13800000001", "13800000021"))) == "wecom: posted text"
    httpserver.check_assertions()


def test_wecom_text_without_mentions_omits_the_list(httpserver, wecom):
    expect_wecom(httpserver, {"msgtype": "text", "text": {"content": "提醒"}})
    wecom.send(Message("text", text="提醒"))
    httpserver.check_assertions()


def test_wecom_markdown(httpserver, wecom):
    expect_wecom(httpserver, {"msgtype": "markdown", "markdown": {"content": "# 预警\n> 冒充客服"}})
    wecom.send(Message("markdown", text="# 预警\n> 冒充客服", title="ignored"))
    httpserver.check_assertions()


@pytest.mark.parametrize("fixture", ["png", "jpeg"])
def test_wecom_image_base64_and_md5_of_raw_bytes(httpserver, wecom, request, fixture):
    path = request.getfixturevalue(fixture)
    data = path.read_bytes()
    expect_wecom(
        httpserver,
        {
            "msgtype": "image",
            "image": {"base64": base64.b64encode(data).decode(), "md5": hashlib.md5(data).hexdigest()},
        },
    )
    wecom.send(Message("image", image=path))
    httpserver.check_assertions()
    sent = httpserver.log[0][0].get_json()["image"]
    assert base64.b64decode(sent["base64"]) == data


@pytest.mark.parametrize(
    "errcode, permanent, retry_after",
    [
        (45009, False, 60),
        (93000, True, None),
        (93004, True, None),
        (40058, True, None),
        (301019, True, None),
        (40004, True, None),
        (-1, False, None),
        (12345, False, None),
    ],
)
def test_wecom_error_codes(httpserver, wecom, errcode, permanent, retry_after):
    errmsg = f"some error, hint: [1655882753], from ip: 1.2.3.4, more info at https://x/?key={WECOM_KEY}"
    httpserver.expect_request("/cgi-bin/webhook/send").respond_with_json({"errcode": errcode, "errmsg": errmsg})
    with pytest.raises(DeliveryError) as caught:
        wecom.send(Message("text", text="提醒"))
    exc = caught.value
    assert exc.permanent is permanent
    assert isinstance(exc, RetryLater) is (retry_after is not None)
    if retry_after is not None:
        assert exc.retry_after == retry_after
    assert str(exc).startswith(f"wecom: errcode {errcode} (some error")
    no_secrets(exc)


def test_wecom_93000_message(httpserver, wecom):
    httpserver.expect_request("/cgi-bin/webhook/send").respond_with_json(
        {"errcode": 93000, "errmsg": "invalid webhook url"}
    )
    with pytest.raises(DeliveryError, match=r"^wecom: errcode 93000 \(invalid webhook url\)") as caught:
        wecom.send(Message("text", text="提醒"))
    no_secrets(caught.value)


@pytest.mark.parametrize(
    "message, match",
    [
        (Message("text", text="诈" * 683), "2049 bytes"),  # 3 bytes a character
        (Message("markdown", text="a" * 4097), "4097 bytes"),
    ],
)
def test_wecom_refuses_long_content_before_sending(httpserver, wecom, message, match):
    with pytest.raises(DeliveryError, match=match) as caught:
        wecom.send(message)
    assert caught.value.permanent
    assert len(httpserver.log) == 0


def test_wecom_accepts_content_at_the_limit(httpserver, wecom):
    httpserver.expect_request("/cgi-bin/webhook/send").respond_with_json({"errcode": 0, "errmsg": "ok"})
    wecom.send(Message("text", text="a" * 2048))
    wecom.send(Message("markdown", text="a" * 4096))
    assert len(httpserver.log) == 2


def test_wecom_refuses_large_or_foreign_images(httpserver, wecom, tmp_path):
    big = tmp_path / "big.png"
    big.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * (2 * 1024 * 1024))
    gif = tmp_path / "anim.png"
    Image.new("RGB", (2, 2)).save(gif, format="GIF")
    for path, match in ((big, "over the robot's limit"), (gif, "not a PNG or JPEG")):
        with pytest.raises(DeliveryError, match=match) as caught:
            wecom.send(Message("image", image=path))
        assert caught.value.permanent
    with pytest.raises(DeliveryError, match="without an image"):
        wecom.send(Message("image"))
    assert len(httpserver.log) == 0


# -- transport failures, the same for every robot ------------------------------------------------
def test_http_500_is_transient(httpserver, wecom):
    httpserver.expect_request("/cgi-bin/webhook/send").respond_with_data("boom", status=500)
    with pytest.raises(DeliveryError, match="HTTP 500") as caught:
        wecom.send(Message("text", text="提醒"))
    assert not caught.value.permanent
    no_secrets(caught.value)


def test_http_429_retries_later(httpserver, wecom):
    httpserver.expect_request("/cgi-bin/webhook/send").respond_with_data("", status=429, headers={"Retry-After": "7"})
    with pytest.raises(RetryLater) as caught:
        wecom.send(Message("text", text="提醒"))
    assert caught.value.retry_after == 7


def test_non_json_answer_is_transient(httpserver, wecom):
    httpserver.expect_request("/cgi-bin/webhook/send").respond_with_data("<html>proxy</html>")
    with pytest.raises(DeliveryError, match="not JSON") as caught:
        wecom.send(Message("text", text="提醒"))
    assert not caught.value.permanent


@pytest.mark.parametrize("kind", ["wecom", "dingtalk", "feishu", "webhook"])
def test_timeout_is_transient(httpserver, kind):
    release = threading.Event()
    httpserver.expect_request("/slow").respond_with_handler(slow_handler(release))
    url = httpserver.url_for("/slow") + f"?key={WECOM_KEY}&access_token={DING_TOKEN}"
    channel = CHANNELS[kind](group(kind), environ={"AF_HOOK": url}, timeout=0.2)
    started = time.monotonic()
    with pytest.raises(DeliveryError, match="in time") as caught:
        channel.send(Message("text", text="提醒"))
    release.set()  # free the single-threaded server for the next test
    assert time.monotonic() - started < 0.9
    assert not caught.value.permanent
    no_secrets(caught.value)


@pytest.mark.parametrize("kind", ["wecom", "dingtalk", "feishu", "webhook"])
def test_connection_refused_is_transient(closed_port_url, kind):
    url = closed_port_url + f"?key={WECOM_KEY}&access_token={DING_TOKEN}"
    channel = CHANNELS[kind](group(kind), environ={"AF_HOOK": url}, timeout=0.5)
    with pytest.raises(DeliveryError, match="cannot reach") as caught:
        channel.send(Message("text", text="提醒"))
    assert not caught.value.permanent
    no_secrets(caught.value)


MALFORMED = ["not a url", "qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc", "ftp://host/x", "http://", "https:// x"]


@pytest.mark.parametrize("url", MALFORMED)
@pytest.mark.parametrize("kind", ["wecom", "dingtalk", "feishu", "webhook"])
def test_a_malformed_webhook_url_is_permanent_and_named(kind, url):
    """Issue 14 item 9: waiting cannot mend a bad URL, so the row parks at once, naming the variable."""
    channel = CHANNELS[kind](group(kind), environ={"AF_HOOK": url}, timeout=0.5)
    with pytest.raises(DeliveryError, match="the webhook URL in AF_HOOK is not a valid http") as caught:
        channel.send(Message("text", text="提醒"))
    assert caught.value.permanent
    assert "key=abc" not in str(caught.value)  # the URL itself is never repeated


@pytest.mark.parametrize("kind", ["wecom", "dingtalk", "feishu", "webhook"])
def test_missing_webhook_env_is_a_config_error(kind):
    channel = CHANNELS[kind](group(kind), environ={})
    with pytest.raises(ConfigError, match="AF_HOOK"):
        channel.send(Message("text", text="提醒"))


def test_webhook_url_from_a_file(httpserver, tmp_path):
    secret_file = tmp_path / "hook.txt"
    secret_file.write_text(httpserver.url_for("/cgi-bin/webhook/send") + f"?key={WECOM_KEY}\n", encoding="utf-8")
    expect_wecom(httpserver, {"msgtype": "text", "text": {"content": "提醒"}})
    WeCom(group("wecom"), environ={"AF_HOOK_FILE": str(secret_file)}).send(Message("text", text="提醒"))
    httpserver.check_assertions()


def test_unreadable_secret_file_is_a_config_error(tmp_path):
    channel = WeCom(group("wecom"), environ={"AF_HOOK_FILE": str(tmp_path / "missing.txt")})
    with pytest.raises(ConfigError, match="AF_HOOK_FILE"):
        channel.send(Message("text", text="提醒"))


def test_robot_key_hides_the_url(wecom):
    assert WECOM_KEY not in wecom.robot_key and len(wecom.robot_key) == 24


# -- DingTalk -------------------------------------------------------------------------------------
def ding(httpserver, secret=True, environ=None):
    url = httpserver.url_for("/robot/send") + f"?access_token={DING_TOKEN}"
    env = {"AF_HOOK": url, "AF_SECRET": DING_SECRET, **(environ or {})}
    return DingTalk(group("dingtalk", secret_env="AF_SECRET" if secret else None), environ=env, timeout=5)


def ding_sign(timestamp: str, secret: str = DING_SECRET) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def test_dingtalk_text_signed_with_mentions(httpserver):
    httpserver.expect_request("/robot/send", method="POST").respond_with_json({"errcode": 0, "errmsg": "ok"})
    before = int(time.time() * 1000)
    result = ding(httpserver).send(Message("text", text="今日预警：冒充客服。", mentions=("13800000001",)))
    assert result == "dingtalk: posted text"
    request = httpserver.log[0][0]
    assert request.get_json() == {
        "msgtype": "text",
        "text": {"content": "今日预警：冒充客服。\n@13800000001"},
        "at": {"atMobiles": ["13800000001"], "isAtAll": False},
    }
    args = request.args
    assert args["access_token"] == DING_TOKEN
    timestamp = args["timestamp"]
    assert before <= int(timestamp) <= int(time.time() * 1000)
    assert args["sign"] == ding_sign(timestamp)
    raw = request.query_string.decode()
    assert f"sign={urllib.parse.quote_plus(ding_sign(timestamp))}" in raw  # URL-encoded once


def test_dingtalk_mention_already_in_text_is_not_repeated(httpserver):
    httpserver.expect_request("/robot/send").respond_with_json({"errcode": 0, "errmsg": "ok"})
    ding(httpserver).send(Message("text", text="@13800000001 请注意", mentions=("13800000001",)))
    assert httpserver.log[0][0].get_json()["text"]["content"] == "@13800000001 请注意"


def test_dingtalk_unsigned_markdown(httpserver):
    httpserver.expect_request(
        "/robot/send",
        query_string={"access_token": DING_TOKEN},
        json={"msgtype": "markdown", "markdown": {"title": "冒充客服", "text": "## 冒充客服\n不要点链接"}},
    ).respond_with_json({"errcode": 0, "errmsg": "ok"})
    ding(httpserver, secret=False).send(Message("markdown", text="## 冒充客服\n不要点链接"))
    httpserver.check_assertions()


def test_dingtalk_markdown_uses_the_title(httpserver):
    httpserver.expect_request("/robot/send").respond_with_json({"errcode": 0, "errmsg": "ok"})
    ding(httpserver).send(Message("markdown", text="正文", title="反诈预警"))
    assert httpserver.log[0][0].get_json()["markdown"] == {"title": "反诈预警", "text": "正文"}


def test_dingtalk_image_needs_a_base_url(httpserver, png):
    channel = ding(httpserver)
    assert not channel.can_send(Message("image", image=png, day=DAY))
    assert channel.can_send(Message("markdown", text="x"))
    with pytest.raises(DeliveryError) as caught:
        channel.send(Message("image", image=png, day=DAY))
    assert caught.value.permanent and len(httpserver.log) == 0


def test_dingtalk_image_as_markdown_link(httpserver, png):
    httpserver.expect_request("/robot/send").respond_with_json({"errcode": 0, "errmsg": "ok"})
    channel = ding(httpserver, environ={"AF_HOOK_IMAGE_BASE": "https://posters.example.org/"})
    message = Message("image", image=png, image_ref=f"{DAY}/shigu/warning.png", day=DAY, title="反诈预警")
    assert channel.can_send(message)
    channel.send(message)
    assert httpserver.log[0][0].get_json() == {
        "msgtype": "markdown",
        "markdown": {"title": "反诈预警", "text": f"![反诈预警](https://posters.example.org/{DAY}/shigu/warning.png)"},
    }


def test_dingtalk_image_base_must_be_https(httpserver, png):
    channel = ding(httpserver, environ={"AF_HOOK_IMAGE_BASE": "http://insecure.example.org"})
    with pytest.raises(ConfigError, match="AF_HOOK_IMAGE_BASE"):
        channel.send(Message("image", image=png, image_ref=f"{DAY}/shigu/warning.png", day=DAY))


def test_dingtalk_refuses_long_content(httpserver):
    with pytest.raises(DeliveryError, match="20001 bytes") as caught:
        ding(httpserver).send(Message("text", text="a" * 20001))
    assert caught.value.permanent and len(httpserver.log) == 0


@pytest.mark.parametrize(
    "errcode, errmsg, permanent, retry_after",
    [
        (130101, "send too fast, exceed 20 times per minute", False, 600),
        (310000, "sign not match", True, None),
        (310000, "keywords not in content", True, None),
        (300001, "token is not exist", True, None),
        (-1, "system busy", False, None),
        (999999, "something new", False, None),
    ],
)
def test_dingtalk_error_codes(httpserver, errcode, errmsg, permanent, retry_after):
    httpserver.expect_request("/robot/send").respond_with_json({"errcode": errcode, "errmsg": errmsg})
    with pytest.raises(DeliveryError) as caught:
        ding(httpserver).send(Message("text", text="提醒"))
    exc = caught.value
    assert exc.permanent is permanent
    assert isinstance(exc, RetryLater) is (retry_after is not None)
    if retry_after:
        assert exc.retry_after == retry_after
    assert str(exc).startswith(f"dingtalk: errcode {errcode} ({errmsg})")
    no_secrets(exc)


# -- Feishu ---------------------------------------------------------------------------------------
def feishu(httpserver, secret=True):
    env = {"AF_HOOK": httpserver.url_for(f"/open-apis/bot/v2/hook/{FEISHU_HOOK}"), "AF_SECRET": FEISHU_SECRET}
    return Feishu(group("feishu", secret_env="AF_SECRET" if secret else None), environ=env, timeout=5)


def feishu_sign(timestamp: str, secret: str = FEISHU_SECRET) -> str:
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


FEISHU_OK = {"code": 0, "msg": "success", "data": {}}


def test_feishu_text_signed(httpserver):
    httpserver.expect_request(f"/open-apis/bot/v2/hook/{FEISHU_HOOK}", method="POST").respond_with_json(FEISHU_OK)
    before = int(time.time())
    assert feishu(httpserver).send(Message("text", text="今日预警", mentions=("13800000001",))) == "feishu: posted text"
    body = httpserver.log[0][0].get_json()
    timestamp = body.pop("timestamp")
    assert isinstance(timestamp, str) and before <= int(timestamp) <= int(time.time())
    assert body.pop("sign") == feishu_sign(timestamp)
    assert body == {"msg_type": "text", "content": {"text": "今日预警"}}


def test_feishu_markdown_as_post(httpserver):
    httpserver.expect_request(
        f"/open-apis/bot/v2/hook/{FEISHU_HOOK}",
        json={
            "msg_type": "post",
            "content": {
                "post": {
                    "zh_cn": {
                        "title": "反诈预警",
                        "content": [
                            [{"tag": "text", "text": "冒充客服"}],
                            [{"tag": "text", "text": ""}],
                            [{"tag": "text", "text": "- 不要点链接"}],
                        ],
                    }
                }
            },
        },
    ).respond_with_json(FEISHU_OK)
    feishu(httpserver, secret=False).send(Message("markdown", text="冒充客服\n\n- 不要点链接", title="反诈预警"))
    httpserver.check_assertions()


def test_feishu_legacy_success_answer(httpserver):
    httpserver.expect_request(f"/open-apis/bot/v2/hook/{FEISHU_HOOK}").respond_with_json(
        {"Extra": None, "StatusCode": 0, "StatusMessage": "success"}
    )
    feishu(httpserver).send(Message("text", text="提醒"))


def test_feishu_refuses_bodies_over_20_kb(httpserver):
    with pytest.raises(DeliveryError, match="over the robot's limit") as caught:
        feishu(httpserver).send(Message("text", text="诈" * 7000))
    assert caught.value.permanent and len(httpserver.log) == 0


def test_feishu_cannot_post_images(httpserver, png):
    channel = feishu(httpserver)
    assert not channel.can_send(Message("image", image=png))
    with pytest.raises(DeliveryError) as caught:
        channel.send(Message("image", image=png))
    assert caught.value.permanent


@pytest.mark.parametrize(
    "status, code, msg, permanent, retry_after",
    [
        (200, 11232, "frequency limited", False, 60),
        (200, 19021, "sign match fail or timestamp is not within one hour from current time", True, None),
        (400, 19021, "sign match fail or timestamp is not within one hour from current time", True, None),
        (200, 19022, "Ip Not Allowed", True, None),
        (200, 19024, "Key Words Not Found", True, None),
        (400, 9499, "Bad Request", True, None),
        (200, 12345, "something new", False, None),
        (500, 500, "internal error", False, None),
    ],
)
def test_feishu_error_codes(httpserver, status, code, msg, permanent, retry_after):
    httpserver.expect_request(f"/open-apis/bot/v2/hook/{FEISHU_HOOK}").respond_with_json(
        {"code": code, "msg": msg, "data": {}}, status=status
    )
    with pytest.raises(DeliveryError) as caught:
        feishu(httpserver).send(Message("text", text="提醒"))
    exc = caught.value
    assert exc.permanent is permanent
    assert isinstance(exc, RetryLater) is (retry_after is not None)
    if retry_after:
        assert exc.retry_after == retry_after
    assert str(exc).startswith(f"feishu: errcode {code} ({msg})")
    no_secrets(exc)


def test_feishu_rate_limit_honours_reset_header(httpserver):
    httpserver.expect_request(f"/open-apis/bot/v2/hook/{FEISHU_HOOK}").respond_with_json(
        {"code": 99991400, "msg": "request trigger frequency limit"},
        status=429,
        headers={"x-ogw-ratelimit-reset": "52"},
    )
    with pytest.raises(RetryLater) as caught:
        feishu(httpserver).send(Message("text", text="提醒"))
    assert caught.value.retry_after == 52


def test_feishu_http_error_without_json(httpserver):
    httpserver.expect_request(f"/open-apis/bot/v2/hook/{FEISHU_HOOK}").respond_with_data("gateway", status=502)
    with pytest.raises(DeliveryError, match="HTTP 502") as caught:
        feishu(httpserver).send(Message("text", text="提醒"))
    assert not caught.value.permanent
    no_secrets(caught.value)


# -- generic webhook ------------------------------------------------------------------------------
def webhook(httpserver):
    return Webhook(group("webhook"), environ={"AF_HOOK": httpserver.url_for("/notify") + "?token=abc"}, timeout=0.5)


def test_webhook_text_payload_and_empty_2xx(httpserver):
    httpserver.expect_request(
        "/notify",
        method="POST",
        json={
            "kind": "text",
            "group": "居民群",
            "day": DAY,
            "title": "预警",
            "text": "提醒",
            "mentions": ["13800000001"],
        },
    ).respond_with_data("", status=204)
    message = Message("text", text="提醒", title="预警", mentions=("13800000001",), group="居民群", day=DAY)
    assert webhook(httpserver).send(message) == "webhook: posted text (HTTP 204)"
    httpserver.check_assertions()


def test_webhook_image_payload_and_text_answer(httpserver, jpeg):
    httpserver.expect_request("/notify").respond_with_data("accepted", status=202)
    webhook(httpserver).send(Message("image", image=jpeg, day=DAY))
    body = httpserver.log[0][0].get_json()
    data = jpeg.read_bytes()
    assert body == {
        "kind": "image",
        "group": GROUP_NAME,
        "day": DAY,
        "title": "",
        "text": "",
        "mentions": [],
        "image_base64": base64.b64encode(data).decode(),
        "image_md5": hashlib.md5(data).hexdigest(),
    }


@pytest.mark.parametrize("status, permanent", [(400, True), (404, True), (409, False), (503, False)])
def test_webhook_http_errors(httpserver, status, permanent):
    httpserver.expect_request("/notify").respond_with_data("no", status=status)
    with pytest.raises(DeliveryError, match=f"HTTP {status}") as caught:
        webhook(httpserver).send(Message("markdown", text="提醒"))
    assert caught.value.permanent is permanent
    assert "abc" not in str(caught.value)


# -- folder ---------------------------------------------------------------------------------------
def test_folder_writes_files_and_index(tmp_path, png):
    out = tmp_path / "posters"
    channel = Folder(group("folder", webhook_env=None), output_dir=out)
    assert channel.robot_key == f"folder:{GROUP_NAME}"
    assert channel.send(Message("image", image=png, day=DAY)) == f"wrote {DAY}_{GROUP_NAME}_预警图片.png"
    assert channel.send(Message("text", text="昨日我辖区……", day=DAY)) == f"wrote {DAY}_{GROUP_NAME}_预警文字.txt"
    channel.send(Message("markdown", text="# 预警", day=DAY))
    folder = out / "forward" / GROUP_NAME
    assert sorted(p.name for p in folder.iterdir()) == [
        f"{DAY}_{GROUP_NAME}_预警图片.png",
        f"{DAY}_{GROUP_NAME}_预警文字.md",
        f"{DAY}_{GROUP_NAME}_预警文字.txt",
    ]
    assert (folder / f"{DAY}_{GROUP_NAME}_预警图片.png").read_bytes() == png.read_bytes()
    assert (folder / f"{DAY}_{GROUP_NAME}_预警文字.txt").read_text(encoding="utf-8") == "昨日我辖区……"
    index = (out / "forward" / "转发说明.txt").read_text(encoding="utf-8")
    assert "长按图片保存后转发到对应微信群，再复制文字一并发送" in index
    assert f"【{GROUP_NAME}】" in index
    for name in (p.name for p in folder.iterdir()):
        assert name in index


def test_folder_resending_overwrites(tmp_path, png, jpeg):
    out = tmp_path / "posters"
    channel = Folder(group("folder", webhook_env=None), output_dir=out)
    channel.send(Message("text", text="第一版", day=DAY))
    channel.send(Message("text", text="第二版", day=DAY))
    channel.send(Message("image", image=png, day=DAY))
    assert channel.send(Message("image", image=jpeg, day=DAY)).endswith("预警图片.jpg")  # keeps the suffix
    folder = out / "forward" / GROUP_NAME
    names = sorted(p.name for p in folder.iterdir())
    assert names == [f"{DAY}_{GROUP_NAME}_预警图片.jpg", f"{DAY}_{GROUP_NAME}_预警文字.txt"]
    assert (folder / names[1]).read_text(encoding="utf-8") == "第二版"
    assert (out / "forward" / "转发说明.txt").read_text(encoding="utf-8").count("预警文字.txt") == 1


def test_folder_sanitises_unsafe_group_names(tmp_path):
    name = '石鼓/居民:群*?"<>|\\一\t号'
    channel = Folder(group("folder", webhook_env=None, name=name), output_dir=tmp_path)
    result = channel.send(Message("text", text="提醒", day=DAY))
    safe = "石鼓_居民_群_______一_号"
    assert safe_name(name) == safe
    assert result == f"wrote {DAY}_{safe}_预警文字.txt"
    assert (tmp_path / "forward" / safe / f"{DAY}_{safe}_预警文字.txt").is_file()
    assert [p.name for p in (tmp_path / "forward").iterdir() if p.is_dir()] == [safe]
    assert safe_name("..") == "_" and safe_name(" 群 ") == "群"


def test_folder_index_lists_every_group(tmp_path):
    for name in ("石鼓居民微信群", "青福居民群"):
        Folder(group("folder", webhook_env=None, name=name), output_dir=tmp_path).send(
            Message("text", text="提醒", day=DAY)
        )
    index = (tmp_path / "forward" / "转发说明.txt").read_text(encoding="utf-8")
    assert "【石鼓居民微信群】" in index and "【青福居民群】" in index


def test_folder_refuses_bad_input(tmp_path):
    channel = Folder(group("folder", webhook_env=None), output_dir=tmp_path)
    with pytest.raises(DeliveryError, match="YYYY-MM-DD") as caught:
        channel.send(Message("text", text="提醒", day="../x"))
    assert caught.value.permanent
    with pytest.raises(ConfigError, match="output directory"):
        Folder(group("folder", webhook_env=None)).send(Message("text", text="提醒", day=DAY))
    assert not (tmp_path / "forward").exists()
