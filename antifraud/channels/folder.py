"""A folder to forward by hand, for ordinary WeChat groups that have no robot API.

Each message is written to output_dir/forward/<group folder>/ with a name giving the day and group:
"2026-11-22_石鼓居民微信群_预警图片.png" (the image keeps its suffix), "..._预警文字.txt" (text) and
"..._预警文字.md" (markdown). Writes are atomic (a temporary file, then os.replace), so sending again
overwrites rather than duplicates. After every write output_dir/forward/转发说明.txt is regenerated: an
index of the group folders and their files with one line on what to do with them.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from ..errors import ConfigError, DeliveryError
from .base import Channel, Message

INDEX = "转发说明.txt"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
UNSAFE = re.compile(r'[/\\:*?"<>|\x00-\x1f\x7f]')
NAMES = {"image": "预警图片", "text": "预警文字", "markdown": "预警文字"}


def safe_name(name: str) -> str:
    """The name usable as a file or folder name on Windows, macOS and Linux (Chinese kept)."""
    return UNSAFE.sub("_", name).strip(" .") or "_"


def write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; these files are for people to open
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
        stem = f"{message.day}_{safe_name(self.group.name)}_{NAMES[message.kind]}"
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
