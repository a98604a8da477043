"""Delivery channels, one module each, listed in one registry."""

from .base import Channel, Message, RetryLater
from .dingtalk import DingTalk
from .feishu import Feishu
from .folder import Folder
from .webhook import Webhook
from .wecom import WeCom

CHANNELS: dict[str, type[Channel]] = {
    "wecom": WeCom,
    "dingtalk": DingTalk,
    "feishu": Feishu,
    "webhook": Webhook,
    "folder": Folder,
}


def channel_for(group, output_dir=None, environ=None, timeout=None) -> Channel:
    kwargs = {"output_dir": output_dir}
    if environ is not None:
        kwargs["environ"] = environ
    if timeout is not None:
        kwargs["timeout"] = timeout
    return CHANNELS[group.channel](group, **kwargs)


__all__ = ["CHANNELS", "Channel", "Message", "RetryLater", "channel_for"]
