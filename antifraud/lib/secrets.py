"""Keep webhook keys out of messages and logs."""

import re

_QUERY_SECRET = re.compile(r"(?i)\b(key|access_token|token|sign|secret|timestamp)=([^&\s'\"]+)")
_PATH_SECRET = re.compile(r"(/hook/)([A-Za-z0-9_-]{6,})")


def redact(text: str) -> str:
    """The text with webhook keys, tokens and signatures replaced by ***."""
    text = _QUERY_SECRET.sub(lambda m: f"{m.group(1)}=***", str(text))
    return _PATH_SECRET.sub(lambda m: f"{m.group(1)}***", text)
