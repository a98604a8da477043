"""WeCom (企业微信) group robot: text, markdown and image posts to one group.

Docs:
- 群机器人配置说明 (message formats, limits): https://developer.work.weixin.qq.com/document/path/91770
  (also https://work.weixin.qq.com/api/doc/90000/90136/91770)
- 全局错误码: https://developer.work.weixin.qq.com/document/path/90313

What the docs say and we rely on:
- POST JSON to the webhook URL (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...).
- text: content at most 2048 bytes of UTF-8; `mentioned_mobile_list` @-mentions members by mobile.
- markdown: content at most 4096 bytes of UTF-8 (no @-mention by mobile).
- image: `base64` of the file and `md5` of the raw bytes (before base64); at most 2 MB; JPG or PNG.
- at most 20 messages a minute per robot. Errors come back as HTTP 200 with errcode != 0.
"""

from __future__ import annotations

import base64
import hashlib

from .base import Channel, Message

TEXT_LIMIT = 2048  # bytes of UTF-8
MARKDOWN_LIMIT = 4096
IMAGE_LIMIT = 2 * 1024 * 1024

# errcode -> hint; retrying cannot help, something in the config or our payload is wrong.
PERMANENT = {
    93000: "the webhook URL is invalid or the robot was removed from the group; check the robot's URL",
    93004: "the robot is disabled",
    93008: "the robot is not in the group",
    40058: "the robot refused a parameter (content too long or malformed)",
    45002: "the content is over the robot's size limit",
    44004: "the text is empty",
    40004: "invalid media type (only PNG and JPEG)",
    40006: "invalid file size",
    40009: "invalid image size (at most 2 MB)",
    40008: "invalid message type",
    301019: "the image's md5 does not match its content",
}
# 45009: API frequency limit; WeCom lifts a per-minute block after a minute.
RETRY = {45009: 60}


class WeCom(Channel):
    kind = "wecom"
    per_minute = 20
    kinds = frozenset({"text", "markdown", "image"})

    def payload(self, message: Message) -> dict:
        """The request body; refuses (permanently) anything over the robot's limits."""
        if message.kind == "text":
            self.refuse_if_longer("text", message.text, TEXT_LIMIT)
            text = {"content": message.text}
            if message.mentions:
                text["mentioned_mobile_list"] = list(message.mentions)
            return {"msgtype": "text", "text": text}
        if message.kind == "markdown":
            self.refuse_if_longer("markdown", message.text, MARKDOWN_LIMIT)
            return {"msgtype": "markdown", "markdown": {"content": message.text}}
        if message.kind == "image":
            data, _ = self.read_image(message, max_bytes=IMAGE_LIMIT)
            return {
                "msgtype": "image",
                "image": {"base64": base64.b64encode(data).decode("ascii"), "md5": hashlib.md5(data).hexdigest()},
            }
        raise self.unsupported(message)

    def send(self, message: Message) -> str:
        payload = self.payload(message)  # before the URL: a refused message needs no secret
        return self.confirmed(self.post_json(self.url, payload), message, PERMANENT, RETRY)
