"""The weekly rota planner with the real CP-SAT solver and the real chinese_calendar, checked independently."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, time, timedelta

import chinese_calendar
import pytest

from antifraud.outreach.calendar import week_days, working_days
from antifraud.outreach.checker import HARD_KINDS, SHORTFALL_KINDS, check_plan, violation_kind
from antifraud.outreach.model import Event, FactoryInfo, PersonInfo, PlanInput, PlanResult, Rules, SiteInfo
from antifraud.outreach.planner import plan_week

WORKWEEK = frozenset(range(5))
WEEKEND = frozenset({5, 6})
ALL_WEEK = frozenset(range(7))
NOON = ((time(12), time(13)),)
TOPICS = ("刷单返利", "虚假投资理财", "冒充电商物流客服")
ORDINARY = date(2026, 11, 23)  # 2026-W48, Monday


def station() -> tuple[tuple[PersonInfo, ...], tuple[FactoryInfo, ...], tuple[SiteInfo, ...]]:
    people = (
        PersonInfo("李警官", "officer", "社区民警", available=ALL_WEEK),
        PersonInfo("王警官", "officer", "社区民警", available=WORKWEEK),
        PersonInfo("赵警官", "officer", "社区民警", available=WORKWEEK),
        PersonInfo("周辅警", "auxiliary", "社区警务组", available=WORKWEEK),
        PersonInfo("吴辅警", "auxiliary", "社区警务组", available=WORKWEEK),
        PersonInfo("郑辅警", "auxiliary", "社区警务组", available=WORKWEEK),
        PersonInfo("钱队员", "patrol", "综管机动组"),
        PersonInfo("孙队员", "patrol", "综管机动组"),
        PersonInfo("冯队员", "patrol", "综管机动组"),
        PersonInfo("陈队员", "patrol", "综管机动组"),
        PersonInfo("褚队员", "patrol", "综管机动组", unavailable=frozenset({date(2026, 12, 5)})),
        PersonInfo("卫队员", "patrol", "综管机动组"),
        PersonInfo("蒋志愿者", "volunteer", "大拇指义警队", available=WEEKEND, max_shifts_per_week=2),
        PersonInfo("沈志愿者", "volunteer", "大拇指义警队", available=WEEKEND, max_shifts_per_week=1),
        PersonInfo("韩志愿者", "volunteer", "大拇指义警队", available=WEEKEND, max_shifts_per_week=2),
        PersonInfo("杨志愿者", "volunteer", "大拇指义警队", available=frozenset({5}), max_shifts_per_week=1),
        PersonInfo("朱志愿者", "volunteer", "大拇指义警队", available=frozenset({6}), max_shifts_per_week=1),
        PersonInfo("秦志愿者", "volunteer", "大拇指义警队", available=WEEKEND, max_shifts_per_week=2),
        PersonInfo("尤志愿者", "volunteer", "大拇指义警队", available=WEEKEND, max_shifts_per_week=1),
        PersonInfo("许志愿者", "volunteer", "大拇指义警队", available=WEEKEND, max_shifts_per_week=2),
        PersonInfo("何志愿者", "volunteer", "大拇指义警队", available=frozenset({5}), max_shifts_per_week=1),
        PersonInfo("吕志愿者", "volunteer", "大拇指义警队", available=ALL_WEEK, max_shifts_per_week=2),
    )
    factories = (
        FactoryInfo("示例电子厂", "第一网格", 1200, NOON),
        FactoryInfo("示例五金厂", "第二网格", 450, ((time(12), time(13)), (time(17, 30), time(18, 30)))),
        FactoryInfo("示例塑胶厂", "第三网格", 800, ((time(12, 30), time(13, 30)),)),
        FactoryInfo("示例制衣厂", "第四网格", 600, NOON),
        FactoryInfo("示例包装厂", "第五网格", 300, ((time(17, 30), time(18, 30)),)),
        FactoryInfo("示例家具厂", "第六网格", 350, NOON),
    )
    sites = (
        SiteInfo("石鼓广场", "square", 3),
        SiteInfo("石鼓市场", "market", 2),
        SiteInfo("石鼓夜市", "night_market", 2),
    )
    return people, factories, sites


def make_input(monday: date = ORDINARY, **changes) -> PlanInput:
    people, factories, sites = station()
    workdays, _ = working_days(week_days(monday))
    inp = PlanInput(
        week_start=monday, workdays=workdays, people=people, factories=factories, sites=sites, topics=TOPICS
    )
    return replace(inp, **changes)


def with_person(inp: PlanInput, name: str, **changes) -> PlanInput:
    assert any(p.name == name for p in inp.people)
    return replace(inp, people=tuple(replace(p, **changes) if p.name == name else p for p in inp.people))


def talks(result: PlanResult) -> list[Event]:
    return [e for e in result.events if e.kind == "factory_talk"]


def stalls(result: PlanResult) -> list[Event]:
    return [e for e in result.events if e.kind == "street_stall"]


def names(event: Event) -> set[str]:
    return {name for name, _ in event.people}


def kinds(violations: list[str]) -> set[str]:
    return {violation_kind(v) for v in violations}


# ---------------------------------------------------------------- an ordinary week


def test_ordinary_week_obeys_every_rule_and_is_optimal():
    inp = make_input()
    result = plan_week(inp)
    assert result.status == "OPTIMAL" and result.optimal
    assert 6 <= len(talks(result)) <= 9
    assert len(stalls(result)) == 6
    assert check_plan(inp, result.events) == []
    assert result.problems == []
    assert result.solve_seconds < inp.rules.time_limit_seconds
    assert result.events == sorted(result.events, key=lambda e: (e.date, e.start, e.kind, e.site))
    roles = {p.name: p.role for p in inp.people}
    for e in result.events:
        assert all(roles[name] == role for name, role in e.people)
    for e in talks(result):
        assert e.people[0][1] == "officer"
        assert all(role in ("auxiliary", "patrol") for _, role in e.people[1:])
        assert e.date.weekday() < 5
    for e in stalls(result):
        assert e.people[0][1] in ("patrol", "officer")
        assert (e.start, e.end) == (time(19, 30), time(21, 30))
        assert len(e.people) == 4
        assert e.topic == TOPICS[0]
    assert [e.topic for e in talks(result)] == [TOPICS[i % len(TOPICS)] for i in range(len(talks(result)))]


def test_talk_window_is_the_first_of_the_factory():
    inp = make_input()
    windows = {f.name: f.talk_windows for f in inp.factories}
    for e in talks(plan_week(inp)):
        assert (e.start, e.end) == windows[e.site][0]


def test_no_topics_means_no_topic():
    result = plan_week(make_input(topics=()))
    assert result.events and all(e.topic is None for e in result.events)


def test_same_input_same_plan():
    inp = make_input()
    assert plan_week(inp).events == plan_week(inp).events


# ---------------------------------------------------------------- holidays and 调休


def test_national_day_weeks():
    w40 = make_input(date(2026, 9, 28))
    w41 = make_input(date(2026, 10, 5))
    assert w40.workdays == (date(2026, 9, 28), date(2026, 9, 29), date(2026, 9, 30))
    assert w41.workdays == (date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10))

    result = plan_week(w40)
    assert check_plan(w40, result.events) == []
    assert all(e.date <= date(2026, 9, 30) for e in talks(result))  # nothing in the holiday
    assert {e.date for e in stalls(result)} == {date(2026, 10, 3), date(2026, 10, 4)}  # stalls go on
    assert len(stalls(result)) == 6

    # 李警官 is away on Friday 10-09, so his second talk has to be on the 调休 Saturday 10-10.
    w41 = with_person(w41, "李警官", unavailable=frozenset({date(2026, 10, 9)}))
    result = plan_week(w41)
    assert check_plan(w41, result.events) == []
    saturday = date(2026, 10, 10)
    saturday_talks = [e for e in talks(result) if e.date == saturday]
    assert saturday_talks, "a talk on the 调休 working Saturday"
    assert {e.date for e in stalls(result)} == {saturday, date(2026, 10, 11)}
    assert len(stalls(result)) == 6
    on_saturday_stalls = set().union(*(names(e) for e in stalls(result) if e.date == saturday))
    for e in saturday_talks:
        assert not names(e) & on_saturday_stalls


def _unknown_year() -> int:
    for year in range(date.today().year, date.today().year + 30):
        try:
            chinese_calendar.is_workday(date(year, 3, 2))
        except NotImplementedError:
            return year
    pytest.skip("chinese_calendar knows every year for the next 30")


def test_year_the_calendar_does_not_know():
    year = _unknown_year()
    new_year = date(year, 1, 1)
    monday = new_year - timedelta(days=new_year.weekday())
    workdays, note = working_days(week_days(monday))
    assert note is not None and str(year) in note
    assert new_year not in workdays
    inp = make_input(monday)
    assert inp.workdays == workdays
    result = plan_week(inp)
    assert result.optimal
    assert check_plan(inp, result.events) == []
    assert all(e.date != new_year for e in talks(result))


# ---------------------------------------------------------------- shortfalls


def test_only_two_people_free_on_saturday():
    saturday = ORDINARY + timedelta(days=5)
    inp = make_input()
    keep = {"钱队员", "蒋志愿者"}
    inp = replace(
        inp,
        people=tuple(p if p.name in keep else replace(p, unavailable=p.unavailable | {saturday}) for p in inp.people),
    )
    result = plan_week(inp)
    assert result.events
    saturday_stalls = [e for e in stalls(result) if e.date == saturday]
    assert len(saturday_stalls) == 3  # every site still has its stall, short-staffed
    assert set().union(*(names(e) for e in saturday_stalls)) == keep
    busiest = max(saturday_stalls, key=lambda e: len(e.people))
    assert busiest.site == "石鼓广场"  # the heaviest site gets the two
    assert busiest.people[0] == ("钱队员", "patrol")
    text = "\n".join(result.problems)
    assert "2026-11-28 周六 石鼓广场 需要4人（含1名带队），只有2人有空" in result.problems
    assert "石鼓市场" in text and "石鼓夜市" in text and "需要4人" in text
    violations = check_plan(inp, result.events)
    assert violations and kinds(violations) <= {"stall-staffing", "stall-lead"}
    assert all("2026-11-28" in v for v in violations)


def test_no_lead_free_is_reported():
    saturday = ORDINARY + timedelta(days=5)
    inp = make_input()
    inp = replace(
        inp,
        people=tuple(
            replace(p, unavailable=p.unavailable | {saturday}) if p.role in ("patrol", "officer") else p
            for p in inp.people
        ),
    )
    result = plan_week(inp)
    assert "2026-11-28 周六 石鼓广场 没有综管机动或民警带队" in result.problems
    assert kinds(check_plan(inp, result.events)) <= set(SHORTFALL_KINDS)


def test_officer_with_one_free_workday():
    inp = with_person(make_input(), "王警官", available=frozenset({0}))
    result = plan_week(inp)
    assert "2026-11-23~11-29 王警官 只能安排1场下工厂宣讲（规则要求至少2场）" in result.problems
    assert sum(e.people[0][0] == "王警官" for e in talks(result)) == 1
    assert check_plan(inp, result.events) == ["talk-count: 王警官 gives 1 factory talks, needs 2-3"]


# ---------------------------------------------------------------- factories


def _picked(inp: PlanInput) -> set[str]:
    return {e.site for e in talks(plan_week(inp))}


def test_cooldown_and_new_incidents():
    last_week = ORDINARY - timedelta(days=7)
    inp = make_input()
    factories = inp.factories + (
        FactoryInfo("示例鞋厂", "第七网格", 900, NOON),
        FactoryInfo("示例玩具厂", "第八网格", 700, NOON),
        FactoryInfo("热点厂", "第九网格", 5000, NOON, last_talk=last_week, recent_incidents=5),
    )
    cooling = replace(inp, factories=factories)
    result = plan_week(cooling)
    assert "热点厂" not in {e.site for e in talks(result)}
    assert check_plan(cooling, result.events) == []

    hot = replace(cooling, factories=factories[:-1] + (replace(factories[-1], incidents_since_last_talk=2),))
    result = plan_week(hot)
    assert "热点厂" in {e.site for e in talks(result)}
    assert check_plan(hot, result.events) == []
    hottest = next(e for e in talks(result) if e.site == "热点厂")
    assert hottest.date == talks(result)[0].date  # the most urgent factory gets the earliest talk


def test_factory_priority():
    inp = make_input()
    lone = replace(
        inp,
        people=tuple(p for p in inp.people if p.role != "officer" or p.name == "李警官"),
        rules=Rules(talks_per_officer_min=1, talks_per_officer_max=1),
    )
    big = FactoryInfo("大厂", None, 3000, NOON)
    incidents = FactoryInfo("小厂有案", None, 100, NOON, recent_incidents=1)
    assert _picked(replace(lone, factories=(big, incidents))) == {"小厂有案"}
    small = FactoryInfo("小厂", None, 200, NOON)
    assert _picked(replace(lone, factories=(small, big))) == {"大厂"}
    visited = FactoryInfo("去过的厂", None, 500, NOON, last_talk=ORDINARY - timedelta(weeks=10))
    never = FactoryInfo("没去过的厂", None, 500, NOON)
    assert _picked(replace(lone, factories=(visited, never))) == {"没去过的厂"}
    older = replace(visited, name="更久没去的厂", last_talk=ORDINARY - timedelta(weeks=20))
    assert _picked(replace(lone, factories=(visited, older))) == {"更久没去的厂"}


def test_no_factory_twice_a_week():
    inp = make_input()
    two = replace(inp, factories=inp.factories[:2])
    result = plan_week(two)
    assert sorted(e.site for e in talks(result)) == sorted(f.name for f in two.factories)
    assert any("只有2家工厂可以安排宣讲" in p for p in result.problems)
    assert kinds(check_plan(two, result.events)) == {"talk-count"}


# ---------------------------------------------------------------- fairness and stability


def test_fairness_history():
    inp = make_input(history={"钱队员": 8, "孙队员": 0})
    result = plan_week(inp)
    count = {name: sum(name in names(e) for e in result.events) for name in ("钱队员", "孙队员")}
    stall_count = {name: sum(name in names(e) for e in stalls(result)) for name in ("钱队员", "孙队员")}
    assert stall_count["孙队员"] >= stall_count["钱队员"]
    assert count["孙队员"] >= count["钱队员"]
    assert check_plan(inp, result.events) == []


def test_officer_talks_balanced():
    result = plan_week(make_input())
    per_officer = {name: sum(e.people[0][0] == name for e in talks(result)) for name in ("李警官", "王警官", "赵警官")}
    assert max(per_officer.values()) - min(per_officer.values()) <= 1


def test_replan_keeps_the_plan():
    inp = make_input()
    first = plan_week(inp)
    again = plan_week(replace(inp, previous=tuple(first.events)))
    assert again.events == first.events


def test_replan_after_a_volunteer_drops_out():
    inp = make_input()
    first = plan_week(inp)
    sunday = ORDINARY + timedelta(days=6)
    leaver = next(name for e in stalls(first) if e.date == sunday for name, role in e.people if role == "volunteer")
    changed = with_person(inp, leaver, unavailable=frozenset({sunday}))
    second = plan_week(replace(changed, previous=tuple(first.events)))
    assert check_plan(changed, second.events) == []
    before = {(e.date, e.kind, e.site): e for e in first.events}
    after = {(e.date, e.kind, e.site): e for e in second.events}
    assert before.keys() == after.keys()
    for key, old in before.items():
        new = after[key]
        if leaver in names(old) and old.date == sunday:
            assert leaver not in names(new)
            assert names(old) - {leaver} <= names(new)  # the others stay, one more comes in
            assert len(new.people) == len(old.people)
        else:
            assert new == old


# ---------------------------------------------------------------- property-ish


@pytest.mark.parametrize("seed", range(6))
def test_random_availability_never_breaks_hard_rules(seed):
    rng = random.Random(seed)
    inp = make_input()
    people = []
    for p in inp.people:
        available = frozenset(d for d in range(7) if rng.random() < 0.6)
        unavailable = frozenset(d for d in inp.days if rng.random() < 0.15)
        people.append(replace(p, available=available, unavailable=unavailable, max_shifts_per_week=rng.randint(0, 3)))
    history = {p.name: rng.randint(0, 8) for p in inp.people}
    inp = replace(inp, people=tuple(people), history=history)
    result = plan_week(inp)
    violations = check_plan(inp, result.events)
    assert not kinds(violations) & set(HARD_KINDS), violations
    assert kinds(violations) <= set(SHORTFALL_KINDS), violations
    assert bool(result.problems) == bool(violations)
    assert len(stalls(result)) == 6
