"""The small interface every delivery channel implements.

A channel turns one Message into one post in one chat group, or raises DeliveryError
saying whether trying again later can help (permanent=False) and, when the robot said
so, how long to wait first (retry_after seconds). Channels do no retrying, queueing
or rate limiting of their own: the outbox does that for all of them alike.
"""

from __future__ import annotations

import json
import os
import threading
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from ..errors import ConfigError, DeliveryError
from ..lib.secrets import redact

if TYPE_CHECKING:
    import requests

TIMEOUT = (5, 20)  # seconds to connect, to read
JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}
IMAGE_MAGIC = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg"}


class Transport:
    """One HTTP session for many posts: connections kept alive, the environment's proxies looked up once per host.

    requests, left to itself (trust_env), reads the proxy settings (HTTP(S)_PROXY, NO_PROXY) again for every
    request; here they are read once per scheme://host[:port] of a robot and passed explicitly. The cache key
    and everything else kept here hold no path or query, so no robot key; nothing here logs.
    """

    def __init__(self) -> None:
        self._session = None
        self._proxies: dict[str, dict[str, str]] = {}
        self._verify: bool | str = True

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            import requests  # here, not at the top: a command that sends nothing should not pay for it

            session = requests.Session()
            session.trust_env = False  # the environment is consulted once, below, not per request
            self._verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
            self._session = session
        return self._session

    def proxies(self, url: str) -> dict[str, str]:
        import requests.utils

        parts = urllib.parse.urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"  # no user:password, no path, no query
        found = self._proxies.get(origin)
        if found is None:
            found = self._proxies[origin] = requests.utils.get_environ_proxies(origin)  # honours NO_PROXY
        return found

    def post(self, url: str, data: bytes, headers: dict, timeout) -> requests.Response:
        session = self.session
        return session.post(
            url, data=data, headers=headers, timeout=timeout, proxies=self.proxies(url), verify=self._verify
        )

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None


_local = threading.local()


def default_transport() -> Transport:
    """The transport of channels nobody gave one: one per thread (a requests.Session is not shared across threads)."""
    transport = getattr(_local, "transport", None)
    if transport is None:
        transport = _local.transport = Transport()
    return transport


@dataclass(frozen=True)
class Message:
    kind: str  # "image" | "text" | "markdown"
    text: str = ""  # text or markdown body
    image: Path | None = None  # PNG/JPEG file for kind == "image"
    image_ref: str = ""  # the image's path under output_dir ("2026-11-22/shigu/warning.png"), for URL-only robots
    title: str = ""  # a short title where the channel shows one (DingTalk markdown, Feishu post, folder files)
    mentions: tuple[str, ...] = ()  # mobile numbers to @-mention where the channel allows
    group: str = ""  # the group's name, for the folder channel and messages
    day: str = ""  # YYYY-MM-DD the message is about, for file names
    subject: str = ""  # what it is about: "warning:2026-11-22", "rota:2026-W48", "reminder:2026-11-24", ...
    part: int = 0  # a long text in several messages: which one
    image_data: bytes | None = None  # the image's bytes, as checked by the outbox (read from `image` if None)


class RetryLater(DeliveryError):
    """Transient failure with a wait the robot asked for (rate limits)."""

    def __init__(self, message: str, retry_after: float, block_robot: bool = True):
        super().__init__(message, permanent=False)
        self.retry_after = retry_after
        self.block_robot = block_robot


class Channel:
    """Base for channels; subclasses set `kind` and the limits, and implement send()."""

    kind: ClassVar[str]
    per_minute: ClassVar[int | None] = None  # messages a minute per robot; None: no limit
    per_second: ClassVar[int | None] = None
    kinds: ClassVar[frozenset[str]] = frozenset({"text"})  # message kinds it can post
    text_kind: ClassVar[str] = "text"  # how it best posts the words of a warning: "text" or "markdown"
    transport: Transport | None = None  # the HTTP session to post with (the outbox gives each sender one)

    def __init__(self, group, output_dir: Path | None = None, environ=os.environ, timeout=TIMEOUT):
        self.group = group
        self.output_dir = output_dir
        self.environ = environ
        self.timeout = timeout

    # -- secrets -----------------------------------------------------------------------
    def secret(self, name: str | None, what: str) -> str:
        """A value from the environment variable `name`, or from the file named by `name`_FILE."""
        if not name:
            raise ConfigError(f"group {self.group.name!r}: no environment variable is named for its {what}")
        value = self.environ.get(name)
        if not value and self.environ.get(f"{name}_FILE"):
            try:
                value = Path(self.environ[f"{name}_FILE"]).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(
                    f"{name}_FILE: cannot read {self.environ[f'{name}_FILE']!r} ({exc.strerror})"
                ) from None
        if not value:
            raise ConfigError(f"group {self.group.name!r}: the environment variable {name} ({what}) is not set")
        return value

    @property
    def url(self) -> str:
        return self.secret(self.group.webhook_env, "webhook URL")

    @property
    def robot_key(self) -> str:
        """Identifies the robot for rate limiting without revealing its key."""
        import hashlib

        return hashlib.sha256(self.url.encode()).hexdigest()[:24]

    # -- sending -----------------------------------------------------------------------
    def can_send(self, message: Message) -> bool:
        return message.kind in self.kinds

    def send(self, message: Message) -> str:
        """Post the message; returns a short confirmation for the log. Raises DeliveryError."""
        raise NotImplementedError

    def post(self, url: str, payload: dict) -> requests.Response:
        """POST the payload as UTF-8 JSON and return the response whatever its status.

        Network errors become DeliveryError (transient) naming only the exception type,
        never the URL, which carries the robot's key.
        """
        import requests  # here, not at the top: a command that sends nothing should not pay for it

        self.refuse_malformed(url)
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        transport = self.transport or default_transport()
        try:
            return transport.post(url, data=body, headers=JSON_HEADERS, timeout=self.timeout)
        except requests.Timeout:
            raise DeliveryError(f"{self.kind}: no answer from the robot in time") from None
        except (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema, requests.exceptions.InvalidHeader):
            raise self.malformed() from None
        except requests.RequestException as exc:
            raise DeliveryError(f"{self.kind}: cannot reach the robot ({redact(type(exc).__name__)})") from None

    def refuse_malformed(self, url: str) -> None:
        """A URL that cannot be a robot's: waiting will not help, so the row parks at once."""
        parts = urllib.parse.urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url.strip()):
            raise self.malformed()

    def malformed(self) -> DeliveryError:
        source = self.group.webhook_env or "the webhook setting"
        return DeliveryError(
            f"{self.kind}: the webhook URL in {source} is not a valid http(s) URL; "
            "fix it, then `antifraud outbox retry`",
            permanent=True,
        )

    def check_status(self, response: requests.Response) -> None:
        """Raise for HTTP errors: 429 -> RetryLater, 5xx -> transient, 400/401/403/404 -> permanent."""
        status = response.status_code
        if status == 429:
            wait = response.headers.get("Retry-After", "")
            retry_after = float(wait) if wait.strip().isdigit() else 60
            raise RetryLater(f"{self.kind}: HTTP 429 too many requests", retry_after=retry_after)
        if status >= 500:
            raise DeliveryError(f"{self.kind}: HTTP {status} from the robot")
        if status >= 400:
            permanent = status in (400, 401, 403, 404)
            raise DeliveryError(f"{self.kind}: HTTP {status} from the robot", permanent=permanent)

    def post_json(self, url: str, payload: dict) -> dict:
        """POST JSON; network errors and HTTP errors become DeliveryError with keys masked."""
        response = self.post(url, payload)
        self.check_status(response)
        try:
            return response.json()
        except ValueError:
            raise DeliveryError(f"{self.kind}: the robot answered with something that is not JSON") from None

    # -- helpers shared by the robots ----------------------------------------------------
    def refuse_if_longer(self, what: str, text: str, limit: int) -> None:
        """Refuse (permanently, before sending) text longer than `limit` bytes of UTF-8."""
        size = len(text.encode("utf-8"))
        if size > limit:
            raise DeliveryError(
                f"{self.kind}: {what} is {size} bytes of UTF-8, over the robot's limit of {limit}", permanent=True
            )

    def read_image(self, message: Message, max_bytes: int | None = None) -> tuple[bytes, str]:
        """The image's bytes and type ("png" or "jpeg"); refuses missing, other or too large files."""
        if message.image is None:
            raise DeliveryError(f"{self.kind}: an image message without an image file", permanent=True)
        data = message.image_data
        if data is None:
            try:
                data = Path(message.image).read_bytes()
            except OSError as exc:
                raise DeliveryError(
                    f"{self.kind}: cannot read {Path(message.image).name} ({exc.strerror})", permanent=True
                ) from None
        kind = next((name for magic, name in IMAGE_MAGIC.items() if data.startswith(magic)), None)
        if kind is None:
            raise DeliveryError(f"{self.kind}: {Path(message.image).name} is not a PNG or JPEG image", permanent=True)
        if max_bytes is not None and len(data) > max_bytes:
            raise DeliveryError(
                f"{self.kind}: {Path(message.image).name} is {len(data)} bytes, over the robot's limit of {max_bytes}",
                permanent=True,
            )
        return data, kind

    def unsupported(self, message: Message) -> DeliveryError:
        return DeliveryError(f"{self.kind}: cannot post a {message.kind!r} message", permanent=True)

    def confirmed(self, answer: dict, message: Message, permanent: dict[int, str], retry: dict[int, float]) -> str:
        """For robots that answer {"errcode": 0, ...}: the confirmation, or the error for their code."""
        code = answer.get("errcode")
        if code == 0:
            return f"{self.kind}: posted {message.kind}"
        if code is None:
            raise DeliveryError(f"{self.kind}: the robot's answer has no errcode")
        raise self.robot_error(code, answer.get("errmsg"), permanent, retry)

    def robot_error(self, code, errmsg, permanent: dict[int, str], retry: dict[int, float]) -> DeliveryError:
        """The exception for a robot's error code: RetryLater, permanent or (unknown codes) transient.

        `permanent` maps codes to a hint for the person fixing it; `retry` maps codes to seconds to wait.
        """
        text = redact(str(errmsg or "")).split(", hint:")[0].split(", more info")[0].strip()[:160]
        message = f"{self.kind}: errcode {code} ({text or 'no message'})"
        if code in retry:
            return RetryLater(message, retry_after=retry[code])
        if code in permanent:
            return DeliveryError(f"{message}: {permanent[code]}", permanent=True)
        return DeliveryError(message, permanent=False)
