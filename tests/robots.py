"""A real HTTP server on 127.0.0.1 that answers like the WeCom, DingTalk and Feishu group robots.

Tests point the channels at ``RobotServer`` URLs instead of mocking ``requests``: the sender goes through a
real socket, real JSON, real signatures, and gets the same answers (and the same refusals) the production
robots give. The server is strict on purpose: what it accepts, the real robot would accept.

What this emulator relies on (checked against public docs and real error reports, 2026):

WeCom 企业微信群机器人 -- ``POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY`` with JSON.
  * Message types and limits, from the official 群机器人配置说明
    https://developer.work.weixin.qq.com/document/path/91770 (read through its copies at
    https://cnblogs.com/tiandi/p/17768525.html, https://blog.csdn.net/liuxingxing_star/article/details/128659150
    and https://hexdocs.pm/wechat_sdk/WeChat.Work.ChatRobot.html):
    text ``{"text": {"content", "mentioned_list", "mentioned_mobile_list"}}``, content at most 2048 bytes UTF-8;
    markdown ``{"markdown": {"content"}}`` at most 4096 bytes; image ``{"image": {"base64", "md5"}}`` where md5
    is of the image bytes *before* base64, image at most 2 MB, JPG or PNG only; "每个机器人发送的消息不能超过
    20条/分钟".
  * Every answer is HTTP 200 with ``{"errcode", "errmsg"}``; errmsg looks like
    ``"<what>, hint: [...], from ip: ..., more info at https://open.work.weixin.qq.com/devtool/query?e=<code>"``.
  * 93000 ``invalid webhook url`` for an unknown key: https://github.com/wes-lin/Cloud189Checkin/issues/175,
    https://github.com/qd-today/qd/issues/586.
  * 40058 ``markdown.content exceed max length 4096``: https://github.com/dromara/domain-admin/issues/82,
    https://github.com/RayWangQvQ/BiliBiliTool/issues/569 (we use the same code and wording for text/2048).
  * 301019 ``media md5 not match``: https://github.com/lenye/pmsg/issues/2.
  * 45009 ``api freq out of limit``: https://github.com/WecomTeam/wecom-openclaw-plugin/issues/48 and the
    global code table https://developer.work.weixin.qq.com/document/path/90455, which also gives
    40004 不合法的媒体文件类型 (used for a non JPG/PNG image), 40008 不合法的msgtype参数, 40009 上传图片大小不是
    有效值 (used for an image over 2 MB), 40035 不合法的参数, and says malformed JSON gets "Warning: wrong json
    format." in errmsg. A real report of malformed JSON answered "Warning: wrong json format. empty content"
    (https://github.com/flagify-com/OctoMation/issues/84), so malformed JSON -> 44004 with that errmsg.

DingTalk 钉钉自定义机器人 -- ``POST https://oapi.dingtalk.com/robot/send?access_token=T&timestamp=MS&sign=S``.
  * 加签: string_to_sign = f"{timestamp}\\n{secret}", HmacSHA256 keyed with the secret, Base64, then urlEncode;
    timestamp in milliseconds, "与请求调用时间误差不能超过1小时"
    (https://blog.csdn.net/weixin_43564241/article/details/139138811 quoting the official security-settings doc,
    https://blog.csdn.net/weixin_38367535/article/details/123850940 with the official Python snippet).
  * "每个机器人每分钟最多发送20条消息到群里,如果超过20条,会限流10分钟"
    (https://juejin.cn/post/7129698690297495583, https://blog.csdn.net/lxw1844912514/article/details/125780346,
    both quoting the official 自定义机器人接入 page); the answer is errcode 130101
    ``send too fast, exceed 20 times per minute`` (https://blog.csdn.net/jialiuyang/article/details/118615052,
    https://github.com/ccfos/nightingale/issues/369).
  * 310000 ``sign not match`` (https://github.com/x-cold/dingtalk-robot/issues/7,
    https://github.com/yhy0/github-cve-monitor/issues/4) and 310000 ``invalid timestamp``
    (https://github.com/jenkinsci/dingtalk-plugin/issues/116); 300001 ``token is not exist``
    (https://github.com/timonwong/prometheus-webhook-dingtalk/issues/91). Success ``{"errcode":0,"errmsg":"ok"}``.

Feishu 飞书自定义机器人 -- ``POST https://open.feishu.cn/open-apis/bot/v2/hook/HOOK_ID``.
  * Official guide https://open.larkoffice.com/document/ukTMukTMukTM/ucTM5YjL3ETO24yNxkjN
    (= https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot): "单租户单机器人 100 次/分钟，5 次/秒",
    over it "11232 限流错误"; "请求体的数据大小不能超过 20 KB".
  * 签名校验: timestamp + "\\n" + secret is the HMAC-SHA256 *key*, the message is empty, result Base64;
    timestamp in seconds, "距当前时间不超过 1 小时（3600 秒）"; both go in the JSON body; failure answers
    ``{"code":19021,"data":{},"msg":"sign match fail or timestamp is not within one hour from current time"}``
    (https://blog.csdn.net/zhanglili1993/article/details/136473704,
    https://github.com/feiyu563/PrometheusAlert/issues/422).
  * Success ``{"code":0,"msg":"success","data":{},"StatusCode":0,"StatusMessage":"success",...}``; a malformed
    body (or one over 20 KB) gets ``{"code":9499,"msg":"Bad Request","data":{}}``
    (https://blog.csdn.net/qq_43108153/article/details/136166075, a copy of the official guide).
  * 19001 ``param invalid: incoming webhook access token invalid`` for an unknown hook:
    https://github.com/sansan0/TrendRadar/issues/278.

Choices the docs do not settle (so this emulator decides, consistently):
  * Rate windows are sliding windows over ``time.time()``. Every request that reaches a robot with a valid
    key counts toward its windows -- including requests then rejected for their signature, size, content or
    for the rate limit itself. Requests with an unknown key, and injected faults (which stand for failures
    in front of the robot), do not count.
  * DingTalk: the request that exceeds 20 in 60 s starts a 10-minute throttle from that moment; every request
    during it gets 130101 (they do not extend it). Check order per kind: key, rate limit, signature/timestamp,
    body, content. Feishu parses the body before the signature because the signature lives in the body.
  * Codes not confirmed by any source found: WeCom 44004 for empty content, 40035 for a missing/ill-typed
    field or undecodable base64; DingTalk 40035 for a malformed body or bad msgtype/fields; Feishu 9499 for an
    unknown msg_type or bad content and the exact 11232 wording. Feishu's HTTP status on errors is not
    documented: everything here answers HTTP 200 (as WeCom and DingTalk do).
  * "20 KB" is taken as 20 * 1024 bytes; "2 MB" as 2 * 1024 * 1024 bytes.

Time: windows, timestamps and signatures use ``time.time()`` and ``datetime.now(timezone.utc)``, so a test that
freezes or shifts the clock with ``time_machine`` (process-wide) drives the server too. Real waiting (fault
``delay``) uses ``time.monotonic()`` so a frozen clock never hangs the server.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets as _secrets
import select
import socket
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, quote_plus, unquote, urlsplit

WECOM, DINGTALK, FEISHU, WEBHOOK = "wecom", "dingtalk", "feishu", "webhook"


# --------------------------------------------------------------------------------------------------- limits


class WeCom:
    """WeCom group-robot limits and error codes."""

    PER_MINUTE = 20
    WINDOW_SECONDS = 60.0
    TEXT_MAX_BYTES = 2048
    MARKDOWN_MAX_BYTES = 4096
    IMAGE_MAX_BYTES = 2 * 1024 * 1024
    MSGTYPES = frozenset({"text", "markdown", "markdown_v2", "image", "news", "file", "voice", "template_card"})

    OK = 0
    INVALID_KEY = 93000
    FREQ_OUT_OF_LIMIT = 45009
    CONTENT_TOO_LONG = 40058
    MD5_NOT_MATCH = 301019
    INVALID_IMAGE_SIZE = 40009
    INVALID_MEDIA_TYPE = 40004
    INVALID_MSGTYPE = 40008
    INVALID_PARAMETER = 40035
    EMPTY_CONTENT = 44004


class DingTalk:
    """DingTalk custom-robot limits and error codes."""

    PER_MINUTE = 20
    WINDOW_SECONDS = 60.0
    THROTTLE_SECONDS = 600.0
    TIMESTAMP_TOLERANCE_MS = 3_600_000
    MSGTYPES = frozenset({"text", "markdown", "link", "actionCard", "feedCard"})

    OK = 0
    TOKEN_NOT_EXIST = 300001
    SIGN_NOT_MATCH = 310000  # also "invalid timestamp"
    SEND_TOO_FAST = 130101
    INVALID_PARAMETER = 40035


class Feishu:
    """Feishu custom-robot limits and error codes."""

    PER_MINUTE = 100
    PER_SECOND = 5
    BODY_MAX_BYTES = 20 * 1024
    TIMESTAMP_TOLERANCE_S = 3600
    MSG_TYPES = frozenset({"text", "post", "image", "share_chat", "interactive"})
    POST_TAGS = frozenset({"text", "a", "at", "img", "media", "emotion", "hr", "code_block", "md"})

    OK = 0
    INVALID_HOOK = 19001
    SIGN_MATCH_FAIL = 19021
    FREQUENCY_LIMITED = 11232
    BAD_REQUEST = 9499


# ------------------------------------------------------------------------------------------------ signatures


def dingtalk_sign(secret: str, timestamp_ms: int | str) -> str:
    """DingTalk 加签 (Base64, *not* yet URL-encoded)."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    """Append ``timestamp`` and URL-encoded ``sign`` the way a correct sender does (clock: ``time.time()``)."""
    ts = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    return f"{url}&timestamp={ts}&sign={quote_plus(dingtalk_sign(secret, ts))}"


def feishu_sign(secret: str, timestamp_s: int | str) -> str:
    """Feishu 签名: HMAC-SHA256 keyed with ``f"{timestamp}\\n{secret}"`` over an empty message, Base64."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def feishu_signed(body: dict, secret: str, timestamp_s: int | None = None) -> dict:
    """Return ``body`` with ``timestamp`` (string, seconds) and ``sign`` added."""
    ts = int(time.time()) if timestamp_s is None else timestamp_s
    return {"timestamp": str(ts), "sign": feishu_sign(secret, ts), **body}


# ------------------------------------------------------------------------------------------------ state


@dataclass
class _Robot:
    kind: str
    key: str
    secret: str = ""
    hits: deque = field(default_factory=deque)  # time.time() of every counted request
    throttled_until: float = 0.0


class Hold(threading.Event):
    """Returned by ``hold_next``: ``set()`` releases the held request.

    ``arrived`` is set once the request is being held; ``done`` once it was processed or dropped;
    ``outcome`` is then "processed" or "dropped".
    """

    def __init__(self) -> None:
        super().__init__()
        self.arrived = threading.Event()
        self.done = threading.Event()
        self.outcome: str | None = None


@dataclass
class _Fault:
    kind: str  # http500 | timeout | reset | errcode | hold
    code: int = 0
    delay: float = 30.0
    hold: Hold | None = None


@dataclass
class _Call:
    kind: str
    key: str
    path: str
    query: dict[str, str]
    raw: bytes


class _Rejected(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# ------------------------------------------------------------------------------------------------ HTTP


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "stgw"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep the test output quiet
        pass

    def do_POST(self) -> None:
        self.server.robots._dispatch(self)  # type: ignore[attr-defined]

    def _not_allowed(self) -> None:
        self.server.robots._send(self, 405, b'{"error":"method not allowed"}')  # type: ignore[attr-defined]

    do_GET = do_PUT = do_DELETE = do_PATCH = _not_allowed

    def finish(self) -> None:
        try:
            super().finish()
        except (OSError, ValueError):
            pass


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    robots: RobotServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client hanging up mid-request is part of the game here


def _client_gone(sock: socket.socket) -> bool:
    """True once the peer closed its end (a readable socket that peeks EOF) or the socket broke."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return False
        return sock.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


_HTML_500 = (
    b"<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n"
    b"<center><h1>500 Internal Server Error</h1></center>\r\n<hr><center>stgw</center>\r\n</body>\r\n</html>\r\n"
)
_HTML_504 = (
    b"<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n"
    b"<center><h1>504 Gateway Time-out</h1></center>\r\n<hr><center>stgw</center>\r\n</body>\r\n</html>\r\n"
)


class RobotServer:
    """WeCom / DingTalk / Feishu robots plus a generic JSON sink, on 127.0.0.1:<random port>.

    ``received``: every ACCEPTED message, ``{"robot", "key", "msgtype", "body", "at"}``.
    ``requests``: every request, ``{"robot", "key", "path", "status", "errcode", "outcome", "body", "at"}``
    where outcome is "accepted", "rejected", "fault:<kind>", "dropped" or "unknown-path".
    """

    WECOM = WeCom
    DINGTALK = DingTalk
    FEISHU = Feishu
    limits = {"wecom": WeCom, "dingtalk": DingTalk, "feishu": Feishu}

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.base_url = ""
        self._robots: dict[tuple[str, str], _Robot] = {}
        self._faults: dict[str, deque[_Fault]] = {}
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        # Seconds each request takes, half before the robot takes the message and half after (the
        # answer's way back): a process killed in the second half never hears that it was taken.
        self.latency = 0.0

    # -------------------------------------------------------------------------------- lifecycle

    def start(self) -> RobotServer:
        if self._httpd is not None:
            return self
        self._stopping.clear()
        httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        httpd.robots = self
        self._httpd = httpd
        self.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="robot-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases held / timed-out requests
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> RobotServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -------------------------------------------------------------------------------- registration

    def _register(self, kind: str, key: str, secret: str = "") -> None:
        with self._lock:
            self._robots[(kind, key)] = _Robot(kind, key, secret)

    def wecom_url(self, key: str = "k1") -> str:
        self._register(WECOM, key)
        return f"{self.base_url}/cgi-bin/webhook/send?key={quote(key, safe='')}"

    def dingtalk_url(self, token: str = "t1", secret: str | None = None) -> tuple[str, str]:
        """Register a DingTalk robot; returns (url without timestamp/sign, secret).

        ``secret=None`` generates a "SEC..." secret; ``secret=""`` registers a robot without 加签.
        """
        secret = "SEC" + _secrets.token_hex(32) if secret is None else secret
        self._register(DINGTALK, token, secret)
        return f"{self.base_url}/robot/send?access_token={quote(token, safe='')}", secret

    def feishu_url(self, hook_id: str = "h1", secret: str | None = None) -> tuple[str, str]:
        """Register a Feishu robot; returns (url, secret). ``secret=""`` registers one without 签名校验."""
        secret = _secrets.token_urlsafe(16) if secret is None else secret
        self._register(FEISHU, hook_id, secret)
        return f"{self.base_url}/open-apis/bot/v2/hook/{quote(hook_id, safe='')}", secret

    def webhook_url(self, name: str = "sink") -> str:
        self._register(WEBHOOK, name)
        return f"{self.base_url}/webhook/{quote(name, safe='')}"

    # -------------------------------------------------------------------------------- inspection

    def messages(self, key: str) -> list[dict[str, Any]]:
        with self._lock:
            return [m for m in self.received if m["key"] == key]

    def count(self, key: str) -> int:
        return len(self.messages(key))

    def requests_for(self, key: str) -> list[dict[str, Any]]:
        with self._lock:
            return [r for r in self.requests if r["key"] == key]

    # -------------------------------------------------------------------------------- fault injection

    def fail_next(self, key: str, fault: str, times: int = 1, delay: float = 30.0) -> None:
        """Make the next ``times`` requests to ``key`` fail: "http500", "timeout", "reset" or "errcode:<n>".

        "timeout" holds the request until the client hangs up or ``delay`` (real) seconds pass (then 504).
        None of them is recorded in ``received`` nor counted toward rate windows.
        """
        if fault.startswith("errcode:"):
            item = _Fault("errcode", code=int(fault.split(":", 1)[1]))
        elif fault in ("http500", "timeout", "reset"):
            item = _Fault(fault, delay=delay)
        else:
            raise ValueError(f"unknown fault {fault!r}")
        with self._lock:
            self._faults.setdefault(key, deque()).extend(item for _ in range(times))

    def hold_next(self, key: str) -> Hold:
        """Hold the next request to ``key`` (unrecorded) until the returned event is set, then process it.

        If the client goes away first, the request is dropped unrecorded.
        """
        hold = Hold()
        with self._lock:
            self._faults.setdefault(key, deque()).append(_Fault("hold", hold=hold))
        return hold

    # -------------------------------------------------------------------------------- request handling

    def _dispatch(self, h: _Handler) -> None:
        split = urlsplit(h.path)
        query = {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length > 0 else b""
        path = split.path
        if path == "/cgi-bin/webhook/send":
            call = _Call(WECOM, query.get("key", ""), path, query, raw)
        elif path == "/robot/send":
            call = _Call(DINGTALK, query.get("access_token", ""), path, query, raw)
        elif path.startswith("/open-apis/bot/v2/hook/"):
            call = _Call(FEISHU, unquote(path.removeprefix("/open-apis/bot/v2/hook/")), path, query, raw)
        elif path.startswith("/webhook/"):
            call = _Call(WEBHOOK, unquote(path.removeprefix("/webhook/")), path, query, raw)
        else:
            self._log(_Call("", "", path, query, raw), 404, None, "unknown-path")
            self._send(h, 404, b'{"error":"not found"}')
            return

        with self._lock:
            queue = self._faults.get(call.key)
            fault = queue.popleft() if queue else None
        if fault is not None and not self._apply_fault(h, call, fault):
            return

        handler = {WECOM: self._wecom, DINGTALK: self._dingtalk, FEISHU: self._feishu, WEBHOOK: self._webhook}
        if self.latency:
            self._stopping.wait(self.latency / 2)
        status, payload = handler[call.kind](call)
        if self.latency:
            self._stopping.wait(self.latency / 2)
        self._send(h, status, json.dumps(payload, ensure_ascii=False).encode())
        if fault is not None and fault.hold is not None:
            fault.hold.outcome = "processed"
            fault.hold.done.set()

    def _apply_fault(self, h: _Handler, call: _Call, fault: _Fault) -> bool:
        """Carry out ``fault``; True means "go on and process the request normally"."""
        if fault.kind == "hold":
            hold = fault.hold
            assert hold is not None
            hold.arrived.set()
            if self._wait(h, release=hold) == "released":
                return True
            self._log(call, None, None, "dropped")
            hold.outcome = "dropped"
            self._drop(h)
            hold.done.set()
            return False
        if fault.kind == "http500":
            self._log(call, 500, None, "fault:http500")
            self._send(h, 500, _HTML_500, content_type="text/html")
        elif fault.kind == "errcode":
            self._log(call, 200, fault.code, "fault:errcode")
            self._send(h, 200, json.dumps(self._error_body(call.kind, fault.code, "injected error")).encode())
        elif fault.kind == "reset":
            self._log(call, None, None, "fault:reset")
            self._drop(h)
        elif fault.kind == "timeout":
            self._log(call, None, None, "fault:timeout")
            if self._wait(h, deadline=time.monotonic() + fault.delay) == "expired":
                self._send(h, 504, _HTML_504, content_type="text/html")
            else:
                self._drop(h)
        return False

    def _wait(self, h: _Handler, release: threading.Event | None = None, deadline: float | None = None) -> str:
        """Block until released / deadline (real time) / client gone / server stopping."""
        while True:
            if self._stopping.is_set():
                return "stopped"
            if _client_gone(h.connection):
                return "gone"
            if release is not None and release.is_set():
                return "released"
            if deadline is not None and time.monotonic() >= deadline:
                return "expired"
            (release or self._stopping).wait(0.02)

    @staticmethod
    def _drop(h: _Handler) -> None:
        """Close the connection without any response (RST, so the client sees a reset)."""
        sock = h.connection
        h.close_connection = True
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()

    def _send(self, h: _Handler, status: int, body: bytes, content_type: str = "application/json") -> None:
        try:
            h.send_response(status)
            h.send_header("Content-Type", f"{content_type}; charset=utf-8")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)
        except OSError:
            h.close_connection = True

    def _log(self, call: _Call, status: int | None, errcode: int | None, outcome: str, body: Any = None) -> None:
        entry = {
            "robot": call.kind,
            "key": call.key,
            "path": call.path,
            "status": status,
            "errcode": errcode,
            "outcome": outcome,
            "body": body if body is not None else call.raw,
            "at": datetime.now(timezone.utc),
        }
        with self._lock:
            self.requests.append(entry)

    def _accept(self, call: _Call, msgtype: str, body: Any) -> None:
        with self._lock:
            self.received.append(
                {
                    "robot": call.kind,
                    "key": call.key,
                    "msgtype": msgtype,
                    "body": body,
                    "at": datetime.now(timezone.utc),
                }
            )

    @staticmethod
    def _error_body(kind: str, code: int, message: str) -> dict[str, Any]:
        if kind == WECOM:
            hint = f"{message}, hint: [{int(time.time())}{_secrets.token_hex(6)}], from ip: 127.0.0.1"
            return {
                "errcode": code,
                "errmsg": f"{hint}, more info at https://open.work.weixin.qq.com/devtool/query?e={code}",
            }
        if kind == DINGTALK:
            return {"errcode": code, "errmsg": message}
        if kind == FEISHU:
            return {"code": code, "data": {}, "msg": message}
        return {"ok": False, "errcode": code, "error": message}

    def _robot(self, kind: str, key: str) -> _Robot | None:
        with self._lock:
            return self._robots.get((kind, key))

    def _hit(self, robot: _Robot, windows: list[tuple[int, float]]) -> bool:
        """Count this request; False if any (limit, seconds) sliding window is now exceeded."""
        now = time.time()
        with self._lock:
            robot.hits.append(now)
            longest = max(seconds for _, seconds in windows)
            while robot.hits and robot.hits[0] <= now - longest:
                robot.hits.popleft()
            return all(sum(1 for t in robot.hits if t > now - seconds) <= limit for limit, seconds in windows)

    def _run(self, call: _Call, check) -> tuple[int, dict[str, Any]]:
        """Run a per-kind ``check`` that returns (msgtype, parsed body) or raises _Rejected."""
        try:
            msgtype, body = check(call)
        except _Rejected as exc:
            payload = self._error_body(call.kind, exc.code, exc.message)
            self._log(call, 200, exc.code, "rejected")
            return 200, payload
        self._accept(call, msgtype, body)
        self._log(call, 200, 0, "accepted", body)
        if call.kind == WECOM or call.kind == DINGTALK:
            return 200, {"errcode": 0, "errmsg": "ok"}
        return 200, {
            "StatusCode": 0,
            "StatusMessage": "success",
            "code": 0,
            "data": {},
            "msg": "success",
        }

    # ---- WeCom

    def _wecom(self, call: _Call) -> tuple[int, dict[str, Any]]:
        return self._run(call, self._wecom_check)

    def _wecom_check(self, call: _Call) -> tuple[str, Any]:
        robot = self._robot(WECOM, call.key)
        if robot is None:
            raise _Rejected(WeCom.INVALID_KEY, "invalid webhook url")
        if not self._hit(robot, [(WeCom.PER_MINUTE, WeCom.WINDOW_SECONDS)]):
            raise _Rejected(WeCom.FREQ_OUT_OF_LIMIT, "api freq out of limit")
        msg = _json_object(call.raw)
        if msg is None:
            raise _Rejected(WeCom.EMPTY_CONTENT, "Warning: wrong json format. empty content")
        msgtype = msg.get("msgtype")
        if msgtype not in WeCom.MSGTYPES:
            raise _Rejected(WeCom.INVALID_MSGTYPE, f"invalid message type {msgtype!r}")
        section = msg.get(msgtype)
        if not isinstance(section, dict):
            raise _Rejected(WeCom.INVALID_PARAMETER, f"invalid parameter: missing {msgtype}")
        if msgtype == "text":
            self._wecom_content(section, "text", WeCom.TEXT_MAX_BYTES)
            for name in ("mentioned_list", "mentioned_mobile_list"):
                if name in section and not _str_list(section[name]):
                    raise _Rejected(WeCom.INVALID_PARAMETER, f"invalid parameter: text.{name}")
        elif msgtype in ("markdown", "markdown_v2"):
            self._wecom_content(section, msgtype, WeCom.MARKDOWN_MAX_BYTES)
        elif msgtype == "image":
            self._wecom_image(section)
        elif msgtype == "news":
            articles = section.get("articles")
            if not isinstance(articles, list) or not 1 <= len(articles) <= 8:
                raise _Rejected(WeCom.INVALID_PARAMETER, "invalid parameter: news.articles")
            if not all(isinstance(a, dict) and a.get("title") and a.get("url") for a in articles):
                raise _Rejected(WeCom.INVALID_PARAMETER, "invalid parameter: news.articles title/url")
        elif msgtype in ("file", "voice"):
            if not isinstance(section.get("media_id"), str) or not section["media_id"]:
                raise _Rejected(WeCom.INVALID_PARAMETER, "media_id missing")
        elif msgtype == "template_card":
            if not section.get("card_type"):
                raise _Rejected(WeCom.INVALID_PARAMETER, "invalid parameter: template_card.card_type")
        return msgtype, msg

    @staticmethod
    def _wecom_content(section: dict, msgtype: str, limit: int) -> None:
        content = section.get("content")
        if content is None or content == "":
            raise _Rejected(WeCom.EMPTY_CONTENT, "empty content")
        if not isinstance(content, str):
            raise _Rejected(WeCom.INVALID_PARAMETER, f"invalid parameter: {msgtype}.content")
        if len(content.encode("utf-8")) > limit:
            raise _Rejected(WeCom.CONTENT_TOO_LONG, f"{msgtype}.content exceed max length {limit}")

    @staticmethod
    def _wecom_image(section: dict) -> None:
        data, digest = section.get("base64"), section.get("md5")
        if not isinstance(data, str) or not data or not isinstance(digest, str) or not digest:
            raise _Rejected(WeCom.INVALID_PARAMETER, "invalid parameter: image.base64/image.md5 missing")
        try:
            image = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise _Rejected(WeCom.INVALID_PARAMETER, "invalid parameter: image.base64 is not valid base64") from None
        if hashlib.md5(image).hexdigest() != digest.lower():
            raise _Rejected(WeCom.MD5_NOT_MATCH, "media md5 not match")
        if not image or len(image) > WeCom.IMAGE_MAX_BYTES:
            raise _Rejected(WeCom.INVALID_IMAGE_SIZE, "invalid image size")
        if not (image.startswith(b"\x89PNG\r\n\x1a\n") or image.startswith(b"\xff\xd8\xff")):
            raise _Rejected(WeCom.INVALID_MEDIA_TYPE, "invalid media type, only JPG/PNG")

    # ---- DingTalk

    def _dingtalk(self, call: _Call) -> tuple[int, dict[str, Any]]:
        return self._run(call, self._dingtalk_check)

    def _dingtalk_check(self, call: _Call) -> tuple[str, Any]:
        robot = self._robot(DINGTALK, call.key)
        if robot is None:
            raise _Rejected(DingTalk.TOKEN_NOT_EXIST, "token is not exist")
        now = time.time()
        if now < robot.throttled_until:
            self._hit(robot, [(DingTalk.PER_MINUTE, DingTalk.WINDOW_SECONDS)])
            raise _Rejected(DingTalk.SEND_TOO_FAST, "send too fast, exceed 20 times per minute")
        if not self._hit(robot, [(DingTalk.PER_MINUTE, DingTalk.WINDOW_SECONDS)]):
            with self._lock:
                robot.throttled_until = now + DingTalk.THROTTLE_SECONDS
            raise _Rejected(DingTalk.SEND_TOO_FAST, "send too fast, exceed 20 times per minute")
        if robot.secret:
            ts, sign = call.query.get("timestamp"), call.query.get("sign")
            if not ts or not sign:
                raise _Rejected(DingTalk.SIGN_NOT_MATCH, "sign not match")
            try:
                ts_ms = int(ts)
            except ValueError:
                raise _Rejected(DingTalk.SIGN_NOT_MATCH, "invalid timestamp") from None
            if abs(now * 1000 - ts_ms) > DingTalk.TIMESTAMP_TOLERANCE_MS:
                raise _Rejected(DingTalk.SIGN_NOT_MATCH, "invalid timestamp")
            if not hmac.compare_digest(sign, dingtalk_sign(robot.secret, ts)):
                raise _Rejected(DingTalk.SIGN_NOT_MATCH, "sign not match")
        msg = _json_object(call.raw)
        if msg is None:
            raise _Rejected(DingTalk.INVALID_PARAMETER, "缺少参数 json")
        msgtype = msg.get("msgtype")
        if msgtype not in DingTalk.MSGTYPES:
            raise _Rejected(DingTalk.INVALID_PARAMETER, f"不合法的参数 msgtype {msgtype!r}")
        section = msg.get(msgtype)
        if not isinstance(section, dict):
            raise _Rejected(DingTalk.INVALID_PARAMETER, f"缺少参数 {msgtype}")
        required = {
            "text": ("content",),
            "markdown": ("title", "text"),
            "link": ("title", "text", "messageUrl"),
            "actionCard": ("title", "text"),
            "feedCard": (),
        }[msgtype]
        for name in required:
            if not isinstance(section.get(name), str) or not section[name]:
                raise _Rejected(DingTalk.INVALID_PARAMETER, f"缺少参数 {msgtype}.{name}")
        if msgtype == "feedCard" and not (isinstance(section.get("links"), list) and section["links"]):
            raise _Rejected(DingTalk.INVALID_PARAMETER, "缺少参数 feedCard.links")
        at = msg.get("at")
        if at is not None:
            if not isinstance(at, dict):
                raise _Rejected(DingTalk.INVALID_PARAMETER, "不合法的参数 at")
            for name in ("atMobiles", "atUserIds"):
                if name in at and not _str_list(at[name]):
                    raise _Rejected(DingTalk.INVALID_PARAMETER, f"不合法的参数 at.{name}")
            if "isAtAll" in at and not isinstance(at["isAtAll"], bool):
                raise _Rejected(DingTalk.INVALID_PARAMETER, "不合法的参数 at.isAtAll")
        return msgtype, msg

    # ---- Feishu

    def _feishu(self, call: _Call) -> tuple[int, dict[str, Any]]:
        return self._run(call, self._feishu_check)

    def _feishu_check(self, call: _Call) -> tuple[str, Any]:
        robot = self._robot(FEISHU, call.key)
        if robot is None:
            raise _Rejected(Feishu.INVALID_HOOK, "param invalid: incoming webhook access token invalid")
        if not self._hit(robot, [(Feishu.PER_SECOND, 1.0), (Feishu.PER_MINUTE, 60.0)]):
            raise _Rejected(Feishu.FREQUENCY_LIMITED, "frequency limited")
        if len(call.raw) > Feishu.BODY_MAX_BYTES:
            raise _Rejected(Feishu.BAD_REQUEST, "Bad Request")
        msg = _json_object(call.raw)
        if msg is None:
            raise _Rejected(Feishu.BAD_REQUEST, "Bad Request")
        if robot.secret:
            ts, sign = msg.get("timestamp"), msg.get("sign")
            fail = "sign match fail or timestamp is not within one hour from current time"
            try:
                ts_s = int(ts)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise _Rejected(Feishu.SIGN_MATCH_FAIL, fail) from None
            if abs(time.time() - ts_s) > Feishu.TIMESTAMP_TOLERANCE_S or not isinstance(sign, str):
                raise _Rejected(Feishu.SIGN_MATCH_FAIL, fail)
            if not hmac.compare_digest(sign, feishu_sign(robot.secret, ts)):
                raise _Rejected(Feishu.SIGN_MATCH_FAIL, fail)
        msg_type = msg.get("msg_type")
        if msg_type not in Feishu.MSG_TYPES:
            raise _Rejected(Feishu.BAD_REQUEST, "Bad Request")
        content = msg.get("content")
        if msg_type == "interactive":
            if not isinstance(msg.get("card"), dict) and not (isinstance(content, dict) and content.get("card")):
                raise _Rejected(Feishu.BAD_REQUEST, "Bad Request")
            return msg_type, msg
        if not isinstance(content, dict):
            raise _Rejected(Feishu.BAD_REQUEST, "Bad Request")
        if msg_type == "text":
            ok = isinstance(content.get("text"), str) and content["text"] != ""
        elif msg_type == "post":
            ok = _feishu_post_ok(content.get("post"))
        elif msg_type == "image":
            ok = isinstance(content.get("image_key"), str) and content["image_key"] != ""
        else:  # share_chat
            ok = isinstance(content.get("share_chat_id"), str) and content["share_chat_id"] != ""
        if not ok:
            raise _Rejected(Feishu.BAD_REQUEST, "Bad Request")
        return msg_type, msg

    # ---- generic JSON sink

    def _webhook(self, call: _Call) -> tuple[int, dict[str, Any]]:
        if self._robot(WEBHOOK, call.key) is None:
            self._log(call, 404, None, "rejected")
            return 404, {"ok": False, "error": "unknown webhook"}
        try:
            body = json.loads(call.raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            self._log(call, 400, None, "rejected")
            return 400, {"ok": False, "error": "invalid json"}
        msgtype = "json"
        if isinstance(body, dict):
            msgtype = str(body.get("msgtype") or body.get("msg_type") or "json")
        self._accept(call, msgtype, body)
        self._log(call, 200, None, "accepted", body)
        return 200, {"ok": True}


def _json_object(raw: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _feishu_post_ok(post: Any) -> bool:
    """content.post = {locale: {"title": str?, "content": [[{"tag": ..., ...}, ...], ...]}} with >= 1 locale."""
    if not isinstance(post, dict) or not post:
        return False
    for body in post.values():
        if not isinstance(body, dict) or not isinstance(body.get("title", ""), str):
            return False
        paragraphs = body.get("content")
        if not isinstance(paragraphs, list) or not paragraphs:
            return False
        for paragraph in paragraphs:
            if not isinstance(paragraph, list):
                return False
            for node in paragraph:
                if not isinstance(node, dict) or node.get("tag") not in Feishu.POST_TAGS:
                    return False
                if node["tag"] in ("text", "a", "md") and not isinstance(node.get("text"), str):
                    return False
                if node["tag"] == "a" and not isinstance(node.get("href"), str):
                    return False
    return True
