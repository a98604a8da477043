"""A folder to forward by hand, for ordinary WeChat groups that have no robot API.

Each message is written to <day folder>/forward/<group folder>/ with a name giving the day, the group and
what it is: "2026-11-22_石鼓居民微信群_预警图片.png" (the image keeps its suffix), "..._预警文字.txt",
"..._预警文字.md"; a rota is "..._排班图片.png" and "..._排班文字.txt", a reminder "..._排班提醒.txt", and
a text sent in several parts gets "_2", "_3", ... So one subject never writes over another's file.
Writes are atomic (a temporary file, then os.replace), so sending the same message again overwrites
rather than duplicates. After every write forward/转发说明.txt is regenerated: an index of the group
folders and their files with one line on what to do with them.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import ConfigError, DeliveryError
from ..lib.files import write_atomic
from .base import Channel, Message

INDEX = "转发说明.txt"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
UNSAFE = re.compile(r'[/\\:*?"<>|\x00-\x1f\x7f]')
# What a file is, by the message's subject and kind: (image name, text name).
SUBJECT_NAMES = {
    "warning": ("预警图片", "预警文字"),
    "preview": ("预警预览图片", "预警预览文字"),
    "rota": ("排班图片", "排班文字"),
    "reminder": ("排班提醒图片", "排班提醒"),
    "stale": ("未发布预警提醒图片", "未发布预警提醒"),
}


def safe_name(name: str) -> str:
    """The name usable as a file or folder name on Windows, macOS and Linux (Chinese kept)."""
    return UNSAFE.sub("_", name).strip(" .") or "_"


def file_label(message: Message) -> str:
    """预警图片, 排班文字, 排班提醒_2, ...: what the file is, so subjects never share a name."""
    what = message.subject.partition(":")[0] or "warning"
    image, text = SUBJECT_NAMES.get(what, (f"{safe_name(what)}图片", f"{safe_name(what)}文字"))
    label = image if message.kind == "image" else text
    return label + (f"_{message.part + 1}" if message.part else "")


class Folder(Channel):
    kind = "folder"
    per_minute = None
    kinds = frozenset({"image", "text", "markdown"})

    @property
    def robot_key(self) -> str:
        return f"folder:{self.group.name}"

    @property
    def forward_dir(self) -> Path:
        if self.output_dir is None:
            raise ConfigError(f"group {self.group.name!r}: the folder channel needs an output directory")
        return Path(self.output_dir) / "forward"

    def send(self, message: Message) -> str:
        if message.kind not in self.kinds:
            raise self.unsupported(message)
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", message.day):
            raise DeliveryError(f"folder: the message's day {message.day!r} is not YYYY-MM-DD", permanent=True)
        folder = self.forward_dir / safe_name(self.group.name)
        stem = f"{message.day}_{safe_name(self.group.name)}_{file_label(message)}"
        if message.kind == "image":
            data, _ = self.read_image(message)
            suffix = message.image.suffix.lower() if message.image.suffix.lower() in IMAGE_SUFFIXES else ".png"
        else:
            data, suffix = message.text.encode("utf-8"), ".txt" if message.kind == "text" else ".md"
        path = folder / (stem + suffix)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            write_atomic(path, data)
            if message.kind == "image":  # a re-rendered poster may change PNG <-> JPEG: keep one
                for other in IMAGE_SUFFIXES:
                    if other != suffix:
                        (folder / (stem + other)).unlink(missing_ok=True)
            self.write_index()
        except OSError as exc:
            raise DeliveryError(f"folder: cannot write {path.name} ({exc.strerror})") from None
        return f"wrote {path.name}"

    def write_index(self) -> None:
        lines = ["转发说明", "", "长按图片保存后转发到对应微信群，再复制文字一并发送。", ""]
        for folder in sorted(p for p in self.forward_dir.iterdir() if p.is_dir()):
            lines.append(f"【{folder.name}】")
            files = sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
            lines += [f"  {name}" for name in files] or ["  （暂无文件）"]
            lines.append("")
        write_atomic(self.forward_dir / INDEX, "\n".join(lines).encode("utf-8"))
