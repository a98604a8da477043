"""Generic JSON webhook, for systems other than the three chat robots.

POSTs one UTF-8 JSON object to the URL in the group's webhook_env:

    {"kind": "text" | "markdown" | "image", "group": ..., "day": "YYYY-MM-DD", "title": ...,
     "text": ..., "mentions": [mobile, ...],
     "image_base64": ..., "image_md5": ...}        # the last two for images only (md5 of the raw bytes)

Any HTTP 2xx is success, whatever the body (JSON, text or empty). 429 waits for Retry-After
(seconds, else 60); 5xx and other failures are transient; 400/401/403/404 are permanent.
"""

from __future__ import annotations

import base64
import hashlib

from ..errors import DeliveryError
from .base import Channel, Message


class Webhook(Channel):
    kind = "webhook"
    per_minute = None
    kinds = frozenset({"text", "markdown", "image"})

    def payload(self, message: Message) -> dict:
        if message.kind not in self.kinds:
            raise self.unsupported(message)
        payload = {
            "kind": message.kind,
            "group": message.group or self.group.name,
            "day": message.day,
            "title": message.title,
            "text": message.text,
            "mentions": list(message.mentions),
        }
        if message.kind == "image":
            data, _ = self.read_image(message)
            payload["image_base64"] = base64.b64encode(data).decode("ascii")
            payload["image_md5"] = hashlib.md5(data).hexdigest()
        return payload

    def send(self, message: Message) -> str:
        response = self.post(self.url, self.payload(message))
        self.check_status(response)
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"webhook: unexpected HTTP {response.status_code}")
        return f"webhook: posted {message.kind} (HTTP {response.status_code})"
