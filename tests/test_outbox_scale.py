"""The outbox at city scale: several senders on PostgreSQL, and per-message work that does not grow with the queue."""

import threading
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import event, func, select

from antifraud.config import load_settings
from antifraud.db import connect
from antifraud.db.models import Delivery
from antifraud.incidents.categories import load_categories
from antifraud.outbox.sender import Sender

DAY = date(2026, 11, 22)


def write_config(tmp_path, groups: int, channel: str, env_prefix: str):
    lines = "\n".join(
        f"      - {{name: g{i:04d}, channel: {channel}, webhook_env: {env_prefix}{i}, audience: residents}}"
        for i in range(groups)
    )
    path = tmp_path / "config.yaml"
    path.write_text(
        f"timezone: Asia/Shanghai\ndatabase: sqlite:///antifraud.db\noutput_dir: posters\n"
        f"stations:\n  - code: s\n    name: 测试\n    groups:\n{lines}\n",
        encoding="utf-8",
    )
    return load_settings(path)


def queue(db, rows):
    """Rows of (group, subject, sequence): text messages whose body names them."""
    with db.session() as session:
        for group, subject, sequence in rows:
            session.add(
                Delivery(
                    station_id=1,
                    group_name=group,
                    channel="wecom",
                    subject=subject,
                    day=DAY,
                    kind="text",
                    sequence=sequence,
                    part=sequence,
                    body=f"{group}|{subject}|{sequence}",
                )
            )


def test_four_senders_on_postgres_send_every_row_exactly_once(tmp_path, postgres_url, robots, monkeypatch):
    """FOR UPDATE SKIP LOCKED: four senders, each with its own engine, drain 400 rows; no row twice, none left."""
    monkeypatch.setenv("ANTIFRAUD_DATABASE_URL", postgres_url)
    settings = write_config(tmp_path, 40, "wecom", "AF_SCALE_")
    for i in range(40):
        monkeypatch.setenv(f"AF_SCALE_{i}", robots.wecom_url(f"k{i}"))
    categories = load_categories(settings)
    db = connect(settings, categories)
    # 40 groups x 5 subjects x 2 messages in order (0 before 1), 10 a robot: under WeCom's 20 a minute.
    queue(db, [(f"g{g:04d}", f"scale:{s}", n) for g in range(40) for s in range(5) for n in range(2)])

    senders = [Sender(connect(settings, categories), settings) for _ in range(4)]
    tried, failures = {}, []

    def run(sender):
        try:
            assert sender.drain(["scale:0", "scale:1", "scale:2", "scale:3", "scale:4"]) is True
            tried[sender.token] = sender.tried
        except BaseException as exc:  # noqa: BLE001 - reported below, from the main thread
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(sender,)) for sender in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures
    assert not any(thread.is_alive() for thread in threads)

    bodies = [m["body"]["text"]["content"] for m in robots.received]
    assert len(bodies) == 400
    assert Counter(bodies).most_common(1)[0][1] == 1  # each (group, subject, part) exactly once
    assert [r for r in robots.requests if r["outcome"] != "accepted"] == []  # no rate-limit answer, no fault
    for g in range(40):
        for s in range(5):
            first, second = (bodies.index(f"g{g:04d}|scale:{s}|{n}") for n in range(2))
            assert first < second  # the earlier message of a group+subject went first
    assert sum(tried.values()) == 400
    assert sum(1 for count in tried.values() if count) >= 2  # the senders shared the load
    with db.session() as session:
        statuses = dict(session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())
    assert statuses == {"sent": 400}


@pytest.mark.parametrize("queued", [2000])
def test_work_per_message_does_not_grow_with_the_queue(tmp_path, robots, monkeypatch, queued):
    """SQL statements and ORM rows per message are the same with 20 rows queued as with 2,000."""
    settings = write_config(tmp_path, queued, "webhook", "AF_SCALE_")
    for i in range(queued):
        monkeypatch.setenv(f"AF_SCALE_{i}", robots.webhook_url(f"sink{i % 50}"))
    categories = load_categories(settings)

    def per_message(rows: int, database: str) -> tuple[float, float]:
        monkeypatch.setenv("ANTIFRAUD_DATABASE_URL", f"sqlite:///{tmp_path / database}")
        db = connect(settings, categories)
        # Queued in reverse, so the first rows sent are for the groups last in the config.
        queue(db, [(f"g{i:04d}", "bench", 0) for i in reversed(range(queued - rows, queued))])
        statements, loaded = [], []

        def on_statement(*args):
            statements.append(1)

        def on_load(target, context):
            loaded.append(target.id)

        sender = Sender(db, settings)
        sender.recover_abandoned()
        event.listen(db.engine, "before_cursor_execute", on_statement)
        event.listen(Delivery, "load", on_load)
        try:
            for _ in range(20):
                claimed, _ = sender.claim_next(["bench"])
                assert sender.send(claimed).status == "sent"
        finally:
            event.remove(Delivery, "load", on_load)
            event.remove(db.engine, "before_cursor_execute", on_statement)
        return len(statements) / 20, len(loaded) / 20

    small = per_message(20, "small.db")
    large = per_message(queued, "large.db")
    assert large == small
    assert large[1] == 1  # only the claimed row is ever loaded as a Delivery object
