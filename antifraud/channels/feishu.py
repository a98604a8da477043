"""Feishu (飞书) custom group robot: text and rich-text (post) messages, optionally signed.

Docs:
- 自定义机器人使用指南: https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot
  (mirror: https://open.larkoffice.com/document/ukTMukTMukTM/ucTM5YjL3ETO24yNxkjN)
- 频控策略: https://open.feishu.cn/document/server-docs/api-call-guide/frequency-control

What the docs say and we rely on:
- POST JSON to https://open.feishu.cn/open-apis/bot/v2/hook/<token>; success is {"code": 0, ...}
  (older answers carry only "StatusCode": 0).
- 签名校验: timestamp in seconds; f"{timestamp}\\n{secret}" is the HMAC-SHA256 KEY over an empty message;
  Base64; sent as body fields "timestamp" (string) and "sign". 19021: signature/timestamp check failed.
- 19024: keyword missing; 19022: IP not allowed; 9499: bad request (format, or body over 20 KB).
- 100 requests a minute and 5 a second per robot; 11232 is the rate-limit error. Frequency-limited
  answers may be HTTP 429/400 with "x-ogw-ratelimit-reset" (seconds); we honour it, else wait 60 s.
- The request body must not exceed 20 KB: we refuse bodies over 20000 bytes before sending.

Markdown is sent as msg_type "post" (rich text): zh_cn title (message.title) and one paragraph of a
{"tag": "text"} element per line. Markdown syntax is shown as written; post is the simplest format the
custom robot supports that keeps a title and line breaks. Mentions are not sent: Feishu @-mentions need
open_id/user_id, not mobile numbers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from ..errors import DeliveryError
from .base import Channel, Message

BODY_LIMIT = 20000  # bytes of UTF-8 JSON

PERMANENT = {
    19021: "signature check failed or the timestamp is over an hour off; check the secret and the clock",
    19022: "the robot's IP allow-list refused this server",
    19024: "the robot's keyword check failed: the message lacks its keyword",
    9499: "bad request: the payload's format or size",
}
RETRY = {11232: 60, 99991400: 60}


class Feishu(Channel):
    kind = "feishu"
    per_minute = 100
    per_second = 5
    kinds = frozenset({"text", "markdown"})
    text_kind = "markdown"  # shows markdown well and plain text poorly

    def payload(self, message: Message) -> dict:
        if message.kind == "text":
            return {"msg_type": "text", "content": {"text": message.text}}
        if message.kind == "markdown":
            lines = [[{"tag": "text", "text": line}] for line in message.text.splitlines()]
            post = {"zh_cn": {"title": message.title, "content": lines}}
            return {"msg_type": "post", "content": {"post": post}}
        raise self.unsupported(message)

    def sign(self, payload: dict) -> dict:
        if not self.group.secret_env:
            return payload
        secret = self.secret(self.group.secret_env, "signing secret")
        timestamp = str(int(time.time()))
        digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
        return {"timestamp": timestamp, "sign": base64.b64encode(digest).decode("ascii"), **payload}

    def send(self, message: Message) -> str:
        body = self.sign(self.payload(message))
        size = len(json.dumps(body, ensure_ascii=False).encode("utf-8"))  # as Channel.post sends it
        if size > BODY_LIMIT:
            raise DeliveryError(
                f"feishu: the request would be {size} bytes, over the robot's limit of {BODY_LIMIT}", permanent=True
            )
        response = self.post(self.url, body)
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or ("code" not in answer and "StatusCode" not in answer):
            self.check_status(response)
            raise DeliveryError("feishu: the robot answered with something that is not its JSON")
        code = answer.get("code", answer.get("StatusCode"))
        if code == 0:
            return f"feishu: posted {message.kind}"
        retry = dict(RETRY)
        reset = response.headers.get("x-ogw-ratelimit-reset", "")
        if reset.strip().isdigit():
            retry = {key: float(reset) for key in RETRY}
        raise self.robot_error(code, answer.get("msg") or answer.get("StatusMessage"), PERMANENT, retry)
