"""The words the product is built from, named once: who is in a group, what people do, what happens.

Channel kinds are not here: they are the keys of the channel registry (antifraud.channels.CHANNELS).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, get_args

Audience = Literal["residents", "staff", "volunteers", "factory_workers", "elderly", "parents"]
AUDIENCES: tuple[str, ...] = get_args(Audience)
AUDIENCE_NAMES = {
    "residents": "居民",
    "staff": "工作人员",
    "volunteers": "志愿者",
    "factory_workers": "企业员工",
    "elderly": "老年人",
    "parents": "学生家长",
}

Role = Literal["officer", "auxiliary", "patrol", "volunteer"]
ROLES: tuple[str, ...] = get_args(Role)
ROLE_NAMES = {"officer": "社区民警", "auxiliary": "辅警", "patrol": "综管机动", "volunteer": "义警"}
HELPER_ROLES = ("auxiliary", "patrol")  # go along to a factory talk with the officer
LEAD_ROLES = ("patrol", "officer")  # may lead a street stall

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = get_args(Weekday)

OTHER_CATEGORY = "other"  # the catch-all incident category: never a headline case or a talk topic of its own

SiteKind = Literal["square", "market", "night_market", "street", "other"]


class EventKind(StrEnum):
    """An outreach event; the value is what the database, JSON and --kind use."""

    FACTORY_TALK = "factory_talk"
    STREET_STALL = "street_stall"

    @property
    def label(self) -> str:
        return EVENT_KIND_NAMES[self]


EVENT_KIND_NAMES = {EventKind.FACTORY_TALK: "下工厂宣讲", EventKind.STREET_STALL: "摆摊宣传"}
EventKindName = Literal["factory_talk", "street_stall"]  # an EventKind as config spells it
ROLE_AUDIENCE = {"officer": "staff", "auxiliary": "staff", "patrol": "staff", "volunteer": "volunteers"}

MessageKind = Literal["image", "text", "markdown"]


def kind_name(kind: str) -> str:
    """下工厂宣讲 for factory_talk; an unknown kind as it is."""
    return EVENT_KIND_NAMES.get(kind, kind)


def role_name(role: str) -> str:
    """社区民警 for officer; an unknown role as it is."""
    return ROLE_NAMES.get(role, role)


# How the scammer reached the victim (an incident's `channel`; not a delivery channel).
CONTACT_CHANNEL_NAMES = {"phone": "电话", "qq": "QQ", "wechat": "微信", "app": "App", "sms": "短信", "other": "其他"}
CONTACT_CHANNELS: tuple[str, ...] = tuple(CONTACT_CHANNEL_NAMES)

# Where an outbox row is: waiting, being sent by a worker, confirmed by the robot, or set aside with its error.
DELIVERY_STATUSES = ("pending", "sending", "sent", "parked")

# Who logs in to the web UI, and what each may do there. A chief and an admin may do what a clerk does.
UserRole = Literal["clerk", "chief", "admin", "volunteer"]
USER_ROLES: tuple[str, ...] = get_args(UserRole)
USER_ROLE_NAMES = {"clerk": "内勤", "chief": "警务室负责人", "admin": "管理员", "volunteer": "志愿者"}
PERMISSIONS = {
    "incidents": ("clerk", "chief", "admin"),  # enter, edit, delete, restore, import
    "warnings": ("clerk", "chief", "admin"),  # render, publish, retry, tick a forward
    "approve": ("chief", "admin"),  # approve a warning when publish.require_approval is on
    "rota": ("clerk", "chief", "admin"),  # the whole rota, outcomes, absences
    "users": ("admin",),
    "own_shifts": USER_ROLES,  # everyone with a person in config sees their own shifts
}
