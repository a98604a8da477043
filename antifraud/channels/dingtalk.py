"""DingTalk (钉钉) custom group robot: text and markdown posts, optionally signed (加签).

Docs:
- 自定义机器人接入 / 发送消息: https://open.dingtalk.com/document/orgapp/custom-robot-access
- 消息类型及数据格式: https://open.dingtalk.com/document/development/robot-message-type
- 安全设置 (加签): https://open.dingtalk.com/document/robots/customize-robot-security-settings

What the docs say and we rely on:
- POST JSON (UTF-8) to https://oapi.dingtalk.com/robot/send?access_token=...; answer {"errcode": 0, ...}.
- 加签: timestamp in ms; string_to_sign = f"{timestamp}\\n{secret}"; HmacSHA256 keyed with the secret;
  Base64; then URL-encode; append &timestamp=...&sign=... to the webhook URL.
- @-mentions: `at.atMobiles` lists the mobiles AND each must appear in the content as "@<mobile>".
- 20 messages a minute per robot; beyond that the robot is throttled for 10 minutes (errcode 130101).

Images: a custom robot cannot upload pictures, only show them by URL in markdown. If the environment
variable f"{webhook_env}_IMAGE_BASE" holds a public https base URL under which the poster folders are
published (so that <base>/<day>/<file name> serves the image), an image message is posted as markdown
"![title](<base>/<day>/<file name>)". Without it this channel cannot post images (can_send is False).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse

from ..errors import ConfigError, DeliveryError
from .base import Channel, Message

CONTENT_LIMIT = 20000  # bytes of UTF-8 per text/markdown body

PERMANENT = {
    310000: "the robot's security check failed (signature, keyword or IP allow-list); check the secret and settings",
    300001: "the access_token is invalid or the robot no longer exists; check the robot's URL",
}
RETRY = {130101: 600}  # over 20 a minute: throttled for 10 minutes


class DingTalk(Channel):
    kind = "dingtalk"
    per_minute = 20
    kinds = frozenset({"text", "markdown"})
    text_kind = "markdown"  # shows markdown well and plain text poorly

    def __init__(self, group, *args, **kwargs):
        super().__init__(group, *args, **kwargs)
        if self.image_base_env and self.environ.get(self.image_base_env):
            self.kinds = self.kinds | {"image"}

    @property
    def image_base_env(self) -> str | None:
        return f"{self.group.webhook_env}_IMAGE_BASE" if self.group.webhook_env else None

    def image_url(self, message: Message) -> str:
        base = (self.environ.get(self.image_base_env) or "").strip().rstrip("/")
        if not base.startswith("https://"):
            raise ConfigError(f"{self.image_base_env} must be a public https:// base URL for the posters")
        if not message.image_ref:
            raise DeliveryError("dingtalk: an image message needs the image's path under output_dir", permanent=True)
        return f"{base}/{urllib.parse.quote(message.image_ref)}"

    def signed_url(self) -> str:
        url = self.url
        if not self.group.secret_env:
            return url
        secret = self.secret(self.group.secret_env, "signing secret")
        timestamp = str(round(time.time() * 1000))
        digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
        sign = urllib.parse.quote_plus(base64.b64encode(digest))
        return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"

    def payload(self, message: Message) -> dict:
        if message.kind == "image" and "image" in self.kinds:
            title = message.title or "预警图片"
            return {
                "msgtype": "markdown",
                "markdown": {"title": title, "text": f"![{title}]({self.image_url(message)})"},
            }
        if message.kind not in ("text", "markdown"):
            raise self.unsupported(message)
        text = message.text
        missing = [mobile for mobile in message.mentions if f"@{mobile}" not in text]
        if missing:  # DingTalk only notifies mobiles that also appear in the content
            text = text.rstrip("\n") + "\n" + " ".join(f"@{mobile}" for mobile in missing)
        self.refuse_if_longer(message.kind, text, CONTENT_LIMIT)
        at = {"atMobiles": list(message.mentions), "isAtAll": False}
        if message.kind == "text":
            return {"msgtype": "text", "text": {"content": text}, "at": at}
        title = message.title or next((line.strip("# ").strip() for line in text.splitlines() if line.strip()), "预警")
        payload = {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
        if message.mentions:
            payload["at"] = at
        return payload

    def send(self, message: Message) -> str:
        payload = self.payload(message)
        return self.confirmed(self.post_json(self.signed_url(), payload), message, PERMANENT, RETRY)
