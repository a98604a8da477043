"""The weekly outreach planner: factory talks on working days, street stalls on weekend evenings.

`plan_week` is a pure function of its `PlanInput` (no clock, no database, no I/O). It builds one CP-SAT model:

* `slot[o, d]`   officer o gives a factory talk on working day d (at most one a day, by the one-event rule);
* `chosen[f]`    factory f gets this week's talk; as many factories as talk slots. Which factory goes to which
  slot, and the talk window, are settled afterwards: factories have no day constraints, so the solver only
  has to pick the set (the top ones by priority, unless stability says otherwise);
* `helps[p, d]`  auxiliary/patrol member p goes along to a talk on day d; per day there are between
  helpers_min and helpers_max helpers per talk, so they can always be shared out afterwards;
* `held[s, d]`   the stall at site s is held on stall day d: then with stall_min_crew to stall_staff people, a
  patrol or officer lead among them; not held, nobody is there (fewer stalls fully staffed, not one person
  standing alone at each);
* `stall[p, s, d]` person p staffs the stall at site s on stall day d.

Events already held (before `plan_from`) or recorded are `frozen`: kept exactly, their people busy that day,
their shifts and talks counted, their factories taken.

Hard: availability, one event per person per day, max shifts per week, at most talks_max per officer, at most
stall_staff per stall and a lead at every stall held, at least helpers_min per talk. Soft, strongest first:
officers' talk minimum (the station's rule: it beats every stall); stalls held, heavier sites first, then
staffed to stall_staff; talks at the most urgent factories (recent incidents at the factory or its grid first,
then the longest unvisited weighted by headcount, so that over the weeks every factory gets its turn; a factory
talked to within the cooldown goes after the others); keeping the previous plan when re-planning; volunteers
and patrol rather than officers at the stalls; fairness per team over the rolling weeks and of officers' talk
counts; and a convex cost on each person's rolling total (exact in the LP) that hands a shift to whoever has
had fewer.

Solver: one worker (plans are then the same for the same input even on a busy machine; two workers were not),
linearization level 2, a fixed seed, and a deterministic time limit (`rules.time_limit_seconds` of CP-SAT's
deterministic time, so a busy machine gets the same answer, only later).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import date, time, timedelta

from ortools.sat.python import cp_model

from ..lib.words import cn_weekday
from ..vocab import HELPER_ROLES, LEAD_ROLES, EventKind
from .model import Event, FactoryInfo, PersonInfo, PlanInput, PlanResult

TALK = EventKind.FACTORY_TALK
STALL = EventKind.STREET_STALL

# Objective weights (minimised). Each tier dominates the sum of everything below it in practice.
MISSING_TALK = 10_000_000  # per talk an officer is short of the minimum: the station's rule comes first
MISSING_PERSON = 10_000  # per place short of stall_staff at a stall held, times the site's weight x10;
# a stall not held costs stall_staff + 1 places: with enough people for its minimum crew, every site is
# staffed before any stall gets more than the minimum
TALK_REWARD = 10_000  # per talk held ...
URGENT = 20_000  # ... plus this at a factory with recent incidents ...
PRIORITY_SPAN = 5_000  # ... plus up to this much by priority rank among the candidate factories ...
COOLING = 8_000  # ... minus this at a factory talked to within the cooldown (a preference, not a rule)
EXTRA_TALK = 20_000  # per talk above an officer's minimum: only worth it for a factory with recent incidents,
# so the others are left for the coming weeks
KEEP_FACTORY = 6_000  # per factory kept from the previous plan: beats rank, not urgency
KEEP = 1_000  # per (person, event) assignment and officer/day talk slot kept from the previous plan
ADD = 500  # per assignment the previous plan did not have (only when re-planning): fairness does not reshuffle
OFFICER_AT_STALL = 2_000  # per stall place taken by an officer: patrol and volunteers first
NON_VOLUNTEER = 300  # per stall place taken by someone other than a volunteer: volunteers fill the stalls
TALK_SPREAD = 100  # per unit of (max - min) of officers' talk counts
SPREAD = 100  # per unit of (max - min) rolling shifts within a team
CONVEX = 1  # per unit of (history + shifts)^2, a tie-breaker towards whoever has had fewer shifts


def plan_week(inp: PlanInput) -> PlanResult:
    return _Planner(inp).run()


def cooling(factory: FactoryInfo, week_start: date, cooldown_weeks: int) -> bool:
    """Talked to within the cooldown weeks before this week, with no incidents since: it may wait."""
    if factory.last_talk is None or factory.incidents_since_last_talk > 0:
        return False
    return factory.last_talk >= week_start - timedelta(weeks=cooldown_weeks)


def new_incidents(factory: FactoryInfo) -> int:
    """Incidents among its workers or in its grid that no talk has answered yet."""
    return factory.incidents_since_last_talk if factory.last_talk else factory.recent_incidents


NEVER_VISITED_WEEKS = 26


def rotation_scale(factories, talks_per_week: int) -> float:
    """How much "weeks since the last talk x sqrt(headcount)" makes a factory due.

    With talks_per_week talks and every factory coming back after scale / sqrt(headcount) weeks, the talks
    needed each week equal the talks there are: big factories come back sooner, every factory's turn comes.
    """
    return sum(math.sqrt(f.headcount) for f in factories) / max(1, talks_per_week)


def urgency(factory: FactoryInfo, week_start: date, scale: float) -> float:
    """1.0 when the factory is due in the rotation, more when overdue.

    A factory never talked to counts as last visited half a year ago, and as due at the least.
    """
    if factory.last_talk is None:
        weeks = NEVER_VISITED_WEEKS
    else:
        weeks = max(0, (week_start - factory.last_talk).days // 7)
    due = weeks * math.sqrt(factory.headcount) / max(scale, 1e-9)
    return max(1.0, due) if factory.last_talk is None else due


def factory_priority_key(factory: FactoryInfo, week_start: date, cooldown_weeks: int, scale: float) -> tuple:
    """Sort key, most urgent first: incidents since its last talk, then not cooling, then the rotation's urgency,
    then the bigger factory."""
    return (
        -new_incidents(factory),
        cooling(factory, week_start, cooldown_weeks),
        -urgency(factory, week_start, scale),
        -factory.headcount,
        factory.name,
    )


def _day_label(day: date) -> str:
    return f"{day.isoformat()} {cn_weekday(day)}"


class _Planner:
    def __init__(self, inp: PlanInput):
        self.inp = inp
        self.rules = inp.rules
        seen: dict[str, PersonInfo] = {}
        for p in inp.people:
            seen.setdefault(p.name, p)
        self.people = list(seen.values())
        self.order = {p.name: i for i, p in enumerate(self.people)}
        self.by_name = seen
        week = set(inp.days)
        start = inp.plan_from or inp.week_start
        self.workdays = sorted(d for d in set(inp.workdays) if d in week and d >= start)
        self.all_workdays = sorted(d for d in set(inp.workdays) if d in week)
        self.stall_days = [d for d in inp.stall_days if d >= start]
        if inp.plan_from and inp.plan_from_time is not None:
            # Re-planning during the day: no new talk once the earliest talk window has begun (a factory needs
            # notice anyway), no stall once it has begun.
            first_window = min((w[0] for f in inp.factories for w in f.talk_windows), default=time(23, 59))
            if inp.plan_from_time >= first_window:
                self.workdays = [d for d in self.workdays if d != inp.plan_from]
            if inp.plan_from_time >= self.rules.stall_start:
                self.stall_days = [d for d in self.stall_days if d != inp.plan_from]
        self.sites = list({s.name: s for s in inp.sites}.values())
        self.officers = [p for p in self.people if p.role == "officer"]
        self.helpers = [p for p in self.people if p.role in HELPER_ROLES]
        # What held or recorded events already settle: who is busy when, shifts and talks used, factories taken.
        self.frozen = list(inp.frozen)
        self.busy_days = {(name, e.date) for e in self.frozen for name, _ in e.people}
        self.frozen_shifts = Counter(name for e in self.frozen for name in {n for n, _ in e.people})
        self.frozen_talks = Counter(e.people[0][0] for e in self.frozen if e.kind == TALK and e.people)
        self.frozen_factories = {e.site for e in self.frozen if e.kind == TALK}
        self.frozen_stalls = {(e.site, e.date) for e in self.frozen if e.kind == STALL}
        self.model = cp_model.CpModel()

    def free(self, p: PersonInfo, d: date) -> bool:
        """Free for a new assignment on d: available, not on a frozen event that day, shifts left."""
        return p.free_on(d) and (p.name, d) not in self.busy_days and self.shifts_left(p) > 0

    def shifts_left(self, p: PersonInfo) -> int:
        return max(0, p.max_shifts_per_week - self.frozen_shifts[p.name])

    # ------------------------------------------------------------------ model

    def _candidates(self) -> list[FactoryInfo]:
        """Factories with a talk window, most urgent first, cut to the most that could get a talk this week."""
        r, inp = self.rules, self.inp
        found = {}
        for f in inp.factories:
            if f.name not in found and f.talk_windows and f.name not in self.frozen_factories:
                found[f.name] = f
        capacity = sum(
            min(
                max(0, r.talks_per_officer_max - self.frozen_talks[o.name]),
                self.shifts_left(o),
                sum(self.free(o, d) for d in self.workdays),
            )
            for o in self.officers
        )
        # The rotation's pace from the usual week (every officer their minimum), not this week's gaps.
        everyone = {f.name: f for f in inp.factories if f.talk_windows}.values()
        scale = rotation_scale(everyone, len(self.officers) * r.talks_per_officer_min)
        ranked = sorted(
            found.values(), key=lambda f: factory_priority_key(f, inp.week_start, r.factory_cooldown_weeks, scale)
        )
        previous = {e.site for e in inp.previous if e.kind == TALK}
        self.factory_count = len(ranked)
        return [f for i, f in enumerate(ranked) if i < capacity or f.name in previous]

    def build(self) -> None:
        self.day_vars: dict[tuple[str, date], list] = defaultdict(list)  # (person, day) -> their variables
        self.person_vars: dict[str, list] = defaultdict(list)
        self.objective: list = []
        self._talk_slots()
        self._factory_choice()
        self._talk_helpers()
        self._talk_counts()
        self._stalls()
        self._person_limits()
        self._stability()
        self._fairness()
        self.model.Minimize(sum(self.objective))

    def _var(self, name: str, person: str, d: date):
        """A yes/no for one person on one day, counted towards their one-a-day and weekly limits."""
        v = self.model.NewBoolVar(name)
        self.day_vars[person, d].append(v)
        self.person_vars[person].append(v)
        return v

    def _talk_slots(self) -> None:
        """slot[o, d]: officer o gives a factory talk on working day d."""
        self.slot = {}
        for o in self.officers:
            for d in self.workdays:
                if self.free(o, d):
                    self.slot[o.name, d] = self._var(f"slot[{o.name},{d}]", o.name, d)

    def _factory_choice(self) -> None:
        """chosen[f]: factory f gets a talk; as many factories as slots, the most urgent rewarded most."""
        m, inp, r = self.model, self.inp, self.rules
        self.factories = self._candidates()
        n = len(self.factories)
        self.chosen = {f.name: m.NewBoolVar(f"chosen[{f.name}]") for f in self.factories}
        m.Add(sum(self.chosen.values()) == sum(self.slot.values()))
        step = max(1, PRIORITY_SPAN // max(1, n))
        for rank, f in enumerate(self.factories):
            reward = TALK_REWARD + (URGENT if new_incidents(f) > 0 else 0) + step * (n - rank)
            if cooling(f, inp.week_start, r.factory_cooldown_weeks):
                reward -= COOLING
            self.objective.append(-reward * self.chosen[f.name])
        # Symmetry breaking: with rewards decreasing by rank, a lower-ranked factory is only chosen if every
        # higher one is, except where the previous plan's factories get a keep bonus.
        previous_talk_sites = {e.site for e in inp.previous if e.kind == TALK}
        plain = [f for f in self.factories if f.name not in previous_talk_sites]
        for a, b in zip(plain, plain[1:]):
            m.AddImplication(self.chosen[b.name], self.chosen[a.name])

    def _talk_helpers(self) -> None:
        """helps[p, d]: auxiliary/patrol member p goes along to a talk on day d, between min and max per talk."""
        m, r = self.model, self.rules
        self.helps = {}
        for d in self.workdays:
            talks_today = [v for (o, day), v in self.slot.items() if day == d]
            helpers_today = []
            for p in self.helpers:
                if self.free(p, d) and talks_today:
                    v = self._var(f"helps[{p.name},{d}]", p.name, d)
                    self.helps[p.name, d] = v
                    helpers_today.append(v)
            m.Add(sum(helpers_today) >= r.talk_helpers_min * sum(talks_today))
            m.Add(sum(helpers_today) <= r.talk_helpers_max * sum(talks_today))

    def _talk_counts(self) -> None:
        """Each officer's talks (held ones count): at most the maximum, a soft minimum, extras costly, even."""
        m, r = self.model, self.rules
        self.talk_short = {}
        self.talk_target = {}
        talk_counts = []
        for o in self.officers:
            held = self.frozen_talks[o.name]
            count = sum(v for (name, _), v in self.slot.items() if name == o.name) + held
            m.Add(count <= r.talks_per_officer_max)
            # The minimum asks only for what the week allows: days the officer is here at all.
            possible = held + sum(o.free_on(d) and (o.name, d) not in self.busy_days for d in self.workdays)
            target = min(r.talks_per_officer_min, possible)
            self.talk_target[o.name] = target
            short = m.NewIntVar(0, r.talks_per_officer_min, f"talk_short[{o.name}]")
            m.Add(count + short >= target)
            self.talk_short[o.name] = short
            self.objective.append(MISSING_TALK * short)
            if r.talks_per_officer_max > r.talks_per_officer_min:
                extra = m.NewIntVar(0, r.talks_per_officer_max - r.talks_per_officer_min, f"talk_extra[{o.name}]")
                m.Add(extra >= count - r.talks_per_officer_min)
                self.objective.append(EXTRA_TALK * extra)
            talk_counts.append(count)
        if len(talk_counts) > 1:
            spread = self._spread(talk_counts, talk_counts, r.talks_per_officer_max, "talks")
            self.objective.append(TALK_SPREAD * spread)

    def _spread(self, upper: list, lower: list, top: int, name: str):
        """max(upper) - min(lower) as a variable, with the mean bounds that tighten the LP relaxation."""
        m = self.model
        hi = m.NewIntVar(0, top, f"{name}_max")
        lo = m.NewIntVar(0, top, f"{name}_min")
        for c in upper:
            m.Add(hi >= c)
        for c in lower:
            m.Add(lo <= c)
        # Redundant (max >= mean >= min), for a tighter LP relaxation.
        m.Add(len(upper) * hi >= sum(upper))
        m.Add(len(lower) * lo <= sum(lower))
        return hi - lo

    def _stalls(self) -> None:
        """held[s, d] and stall[p, s, d]: a stall is held with its minimum crew and a lead, or not at all."""
        m, r = self.model, self.rules
        self.stall, self.held, self.stall_short = {}, {}, {}
        for d in self.stall_days:
            free = [p for p in self.people if self.free(p, d)]
            for s in self.sites:
                if (s.name, d) in self.frozen_stalls:
                    continue
                members, leads = [], []
                for p in free:
                    v = self._var(f"stall[{p.name},{s.name},{d}]", p.name, d)
                    self.stall[p.name, s.name, d] = v
                    members.append(v)
                    if p.role in LEAD_ROLES:
                        leads.append(v)
                    if p.role == "officer":
                        self.objective.append(OFFICER_AT_STALL * v)
                    if p.role != "volunteer":
                        self.objective.append(NON_VOLUNTEER * v)
                held = m.NewBoolVar(f"held[{s.name},{d}]")
                m.Add(sum(members) <= r.stall_staff * held)
                m.Add(sum(members) >= r.stall_min_crew * held)
                m.Add(sum(leads) >= held)
                weight = max(1, round(s.weight * 10))
                short = m.NewIntVar(0, r.stall_staff, f"stall_short[{s.name},{d}]")
                m.Add(short == r.stall_staff * held - sum(members))
                self.held[s.name, d] = held
                self.stall_short[s.name, d] = short
                self.objective.append(MISSING_PERSON * (r.stall_staff + 1) * weight * (1 - held))
                self.objective.append(MISSING_PERSON * weight * short)

    def _person_limits(self) -> None:
        """Hard rules per person: one event a day, at most their shifts a week (held ones counted)."""
        m = self.model
        for vs in self.day_vars.values():
            if len(vs) > 1:
                m.AddAtMostOne(vs)
        self.shifts, self.caps = {}, {}
        for p in self.people:
            vs = self.person_vars.get(p.name, [])
            cap = max(0, min(self.shifts_left(p), len({d for (name, d) in self.day_vars if name == p.name})))
            total = m.NewIntVar(0, cap, f"shifts[{p.name}]")
            m.Add(total == sum(vs))
            self.shifts[p.name] = total
            self.caps[p.name] = cap

    def _stability(self) -> None:
        """Keep the previous plan's choices; when there is one, adding people to it costs too."""
        inp = self.inp
        kept = set()
        for e in inp.previous:
            if e.kind == TALK and e.people:
                kept.add(("slot", e.people[0][0], e.date))
                kept.update(("helps", name, e.date) for name, _ in e.people[1:])
                if e.site in self.chosen:
                    self.objective.append(-KEEP_FACTORY * self.chosen[e.site])
            elif e.kind == STALL:
                kept.update(("stall", name, e.site, e.date) for name, _ in e.people)
        if inp.previous:
            for tag, table in (("slot", self.slot), ("helps", self.helps), ("stall", self.stall)):
                for key, v in table.items():
                    self.objective.append((-KEEP if (tag, *key) in kept else ADD) * v)

    def _fairness(self) -> None:
        """Fairness per team over the rolling weeks, and a convex cost on each person's rolling total."""
        m, inp = self.model, self.inp
        teams: dict[str, list[PersonInfo]] = defaultdict(list)
        for p in self.people:
            teams[p.team].append(p)
        for team, members in teams.items():
            workable = [p for p in members if self.caps[p.name] > 0]
            if len(members) < 2 or not workable:
                continue
            past = {p.name: inp.history.get(p.name, 0) + self.frozen_shifts[p.name] for p in members}
            totals = {p.name: past[p.name] + self.shifts[p.name] for p in members}
            top = max(past[p.name] + p.max_shifts_per_week for p in members)
            spread = self._spread(list(totals.values()), [totals[p.name] for p in workable], top, f"team[{team}]")
            self.objective.append(SPREAD * spread)
        for p in self.people:
            cap = self.caps[p.name]
            if cap == 0:
                continue
            # (h + shifts)^2 as increasing marginal costs on "at least k shifts" steps: exact in the LP relaxation.
            h = max(0, inp.history.get(p.name, 0) + self.frozen_shifts[p.name])
            steps = [m.NewBoolVar(f"shift_step[{p.name},{k}]") for k in range(1, cap + 1)]
            for a, b in zip(steps, steps[1:]):
                m.AddImplication(b, a)
            m.Add(sum(steps) == self.shifts[p.name])
            self.objective.extend(CONVEX * (2 * (h + k) - 1) * step for k, step in enumerate(steps, 1))

    # ------------------------------------------------------------------ solve

    def run(self) -> PlanResult:
        self.build()
        solver = cp_model.CpSolver()
        # Deterministic time, so that the same input gives the same plan however busy the machine is;
        # the wall-clock limit is only a safety net far above it.
        solver.parameters.max_deterministic_time = float(self.rules.time_limit_seconds)
        solver.parameters.max_time_in_seconds = 10 * float(self.rules.time_limit_seconds) + 10
        # One worker: with two, equally good plans came back in a different order when the machine was busy
        # (measured), and the same input must give the same rota. Linearization level 2 (the "max_lp" LP)
        # closes the fairness/convex-cost gap quickly.
        solver.parameters.num_workers = 1
        solver.parameters.linearization_level = 2
        solver.parameters.random_seed = 1
        status = solver.Solve(self.model)
        name = solver.StatusName(status)
        seconds = solver.WallTime()
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return PlanResult(
                events=list(self.frozen),
                objective=0.0,
                optimal=False,
                status=name,
                problems=[f"排班求解没有找到方案（{name}），请放宽规则或延长求解时间"],
                solve_seconds=seconds,
            )
        events = self._events(solver)
        problems, notes = self._problems(solver, events)
        return PlanResult(
            events=events,
            objective=float(solver.ObjectiveValue()),
            optimal=status == cp_model.OPTIMAL,
            status=name,
            problems=problems,
            solve_seconds=seconds,
            notes=notes,
        )

    # ------------------------------------------------------------------ read the solution

    def _role_pair(self, name: str) -> tuple[str, str]:
        return (name, self.by_name[name].role)

    def _events(self, solver: cp_model.CpSolver) -> list[Event]:
        slots = sorted(
            ((d, o) for (o, d), v in self.slot.items() if solver.BooleanValue(v)),
            key=lambda s: (s[0], self.order[s[1]]),
        )
        previous_talks = [e for e in self.inp.previous if e.kind == TALK and e.people]
        assignment = self._factories_to_slots(solver, slots, previous_talks)
        helpers_of = self._helpers_to_talks(solver, slots, previous_talks)
        busy: dict[tuple[str, date], list[tuple[time, time]]] = defaultdict(list)
        for e in self.frozen:
            for name, _ in e.people:
                busy[name, e.date].append((e.start, e.end))
        planned = self._stall_events(solver, busy) + self._talk_events(slots, assignment, helpers_of, busy)
        planned.sort(key=lambda e: (e.date, e.start, e.kind, e.site))
        events = self.frozen + self._with_topics(planned)
        return sorted(events, key=lambda e: (e.date, e.start, e.kind, e.site))

    def _factories_to_slots(self, solver, slots, previous_talks) -> dict[tuple[date, str], FactoryInfo]:
        """Keep the previous (factory, officer, day) where possible, then by priority."""
        chosen = [f for f in self.factories if solver.BooleanValue(self.chosen[f.name])]
        assignment: dict[tuple[date, str], FactoryInfo] = {}
        free_factories = list(chosen)
        for e in previous_talks:
            key = (e.date, e.people[0][0])
            f = next((f for f in free_factories if f.name == e.site), None)
            if f is not None and key in slots and key not in assignment:
                assignment[key] = f
                free_factories.remove(f)
        for key in slots:
            if key not in assignment and free_factories:
                assignment[key] = free_factories.pop(0)
        return assignment

    def _helpers_to_talks(self, solver, slots, previous_talks) -> dict[tuple[date, str], list[str]]:
        """Keep previous pairings, then fill each talk to the minimum, then share the rest out."""
        r = self.rules
        helpers_of: dict[tuple[date, str], list[str]] = {key: [] for key in slots}
        for d in self.workdays:
            today = [key for key in slots if key[0] == d]
            pool = [
                p.name for p in self.helpers if (p.name, d) in self.helps and solver.BooleanValue(self.helps[p.name, d])
            ]
            for e in previous_talks:
                key = (e.date, e.people[0][0])
                if key not in helpers_of or e.date != d:
                    continue
                for name, _ in e.people[1:]:
                    if name in pool and len(helpers_of[key]) < r.talk_helpers_max:
                        helpers_of[key].append(name)
                        pool.remove(name)
            for key in today:
                while len(helpers_of[key]) < r.talk_helpers_min:
                    if pool:
                        helpers_of[key].append(pool.pop(0))
                        continue
                    donor = next((k for k in today if len(helpers_of[k]) > r.talk_helpers_min), None)
                    if donor is None:
                        break
                    helpers_of[key].append(helpers_of[donor].pop())
            while pool:
                open_talks = [k for k in today if len(helpers_of[k]) < r.talk_helpers_max]
                if not open_talks:
                    break
                target = min(open_talks, key=lambda k: (len(helpers_of[k]), today.index(k)))
                helpers_of[target].append(pool.pop(0))
        return helpers_of

    def _stall_events(self, solver, busy) -> list[Event]:
        """One event per stall held, its lead first (the previous lead where still on it), patrol before
        officers and volunteers after them: an officer is never a member under a patrol lead."""
        r, events = self.rules, []
        for d in self.stall_days:
            previous_leads = {
                e.site: e.people[0][0] for e in self.inp.previous if e.kind == STALL and e.date == d and e.people
            }
            for s in self.sites:
                held = self.held.get((s.name, d))
                if held is None or not solver.BooleanValue(held):
                    continue
                members = [
                    p.name
                    for p in self.people
                    if (p.name, s.name, d) in self.stall and solver.BooleanValue(self.stall[p.name, s.name, d])
                ]
                lead = self._pick_lead(members, previous_leads.get(s.name))
                rank = {"officer": 0, "patrol": 1, "auxiliary": 2, "volunteer": 3}
                rest = sorted((n for n in members if n != lead), key=lambda n: rank.get(self.by_name[n].role, 9))
                ordered = [lead, *rest]
                for name in ordered:
                    busy[name, d].append((r.stall_start, r.stall_end))
                people = tuple(self._role_pair(name) for name in ordered)
                events.append(Event(d, r.stall_start, r.stall_end, STALL, s.name, None, people))
        return events

    def _talk_events(self, slots, assignment, helpers_of, busy) -> list[Event]:
        """One event per officer slot that got a factory, at the first talk window its people are free."""
        events = []
        for key in slots:
            f = assignment.get(key)
            if f is None:
                continue
            d, officer = key
            names = [officer] + sorted(helpers_of[key], key=self.order.__getitem__)
            start, end = self._window(f, names, d, busy)
            for name in names:
                busy[name, d].append((start, end))
            events.append(Event(d, start, end, TALK, f.name, None, tuple(map(self._role_pair, names))))
        return events

    def _with_topics(self, events: list[Event]) -> list[Event]:
        """A talk takes its factory's own topic (its or its grid's incidents) first, else the station's recent
        topics in turn; the stalls of a weekend take the station's topics in turn, not all the same one."""
        station = list(self.inp.topics)
        stall_topics = list(self.inp.stall_topics) or station
        factories = {f.name: f for f in self.inp.factories}
        stall_days = sorted({e.date for e in events if e.kind != TALK})
        result, talk_index, stall_index, day = [], 0, 0, None
        for e in events:
            if e.kind != TALK and e.date != day:
                # Each stall day starts one topic further on: a site does not repeat Saturday's on Sunday.
                day, stall_index = e.date, stall_days.index(e.date)
            own = factories[e.site].topics if e.kind == TALK and e.site in factories else ()
            if own:
                topic = own[0]
            elif not (station if e.kind == TALK else stall_topics):
                topic = None
            elif e.kind == TALK:
                topic = station[talk_index % len(station)]
                talk_index += 1
            else:
                topic = stall_topics[stall_index % len(stall_topics)]
                stall_index += 1
            result.append(Event(e.date, e.start, e.end, e.kind, e.site, topic, e.people))
        return result

    def _pick_lead(self, members: list[str], previous: str | None) -> str | None:
        capable = [name for name in members if self.by_name[name].role in LEAD_ROLES]
        if not capable:
            return None
        if previous in capable:
            return previous
        officers = [name for name in capable if self.by_name[name].role == "officer"]
        patrol = [name for name in capable if self.by_name[name].role == "patrol"]
        # An officer at a stall leads it: a patrol lead never has an officer under them.
        return (officers or patrol)[0]

    @staticmethod
    def _window(f: FactoryInfo, names: list[str], d: date, busy) -> tuple[time, time]:
        """The first talk window that does not overlap anything else those people do that day."""
        for start, end in f.talk_windows:
            if all(not (start < e and s < end) for name in names for s, e in busy[name, d]):
                return start, end
        return f.talk_windows[0]

    # ------------------------------------------------------------------ in plain words

    def _problems(self, solver: cp_model.CpSolver, events: list[Event]) -> tuple[list[str], list[str]]:
        """Rules the plan falls short of (problems), and what is so by design (notes), in true plain words."""
        r, inp = self.rules, self.inp
        problems, notes = [], []
        placed: dict[date, set[str]] = defaultdict(set)
        for e in events:
            placed[e.date].update(name for name, _ in e.people)
        shifts = Counter(name for e in events for name in {n for n, _ in e.people})
        for d in self.stall_days:
            free = [p for p in self.people if p.free_on(d) and p.max_shifts_per_week > 0]
            for s in self.sites:
                if (s.name, d) in self.frozen_stalls:
                    continue
                event = next((e for e in events if e.kind == STALL and e.site == s.name and e.date == d), None)
                staffed = len(event.people) if event else 0
                if staffed >= r.stall_staff:
                    continue
                where = f"{_day_label(d)} {s.name}"
                why = self._why_short(free, placed[d], shifts, event, d)
                if event is None:
                    problems.append(f"{where} 未能安排摆摊：需要至少{r.stall_min_crew}人（含1名带队），{why}")
                else:
                    need = f"需要{r.stall_staff}人（含1名带队）"
                    problems.append(f"{where} {need}，只排了{staffed}人（缺{r.stall_staff - staffed}人），{why}")
        week_end = inp.week_start + timedelta(days=6)
        span = f"{inp.week_start.isoformat()}~{week_end:%m-%d}"
        if not self.all_workdays and inp.days_off:
            holiday = "、".join(dict.fromkeys(inp.days_off.values()))
            notes.append(f"{span} 本周为{holiday}假期，没有工作日，不安排下工厂宣讲")
        for d in inp.days:
            if d.weekday() in r.stall_weekdays and d in inp.no_stall:
                notes.append(f"{_day_label(d)} 不安排摆摊（除夕至初二，或 outreach.no_stall_dates）")
        talks = Counter(e.people[0][0] for e in events if e.kind == TALK and e.people)
        short = False
        for o in self.officers:
            count, target = talks[o.name], self.talk_target[o.name]
            if count >= r.talks_per_officer_min:
                continue
            if count >= target:  # the week itself allows no more: leave or holidays, not a shortfall
                if self.all_workdays and all(not o.free_on(d) for d in self.all_workdays):
                    reason = f"（{o.away_reason}）" if o.away_reason else ""
                    notes.append(f"{span} {o.name} 本周请假{reason}，不安排下工厂宣讲")
                elif self.all_workdays:
                    days = sum(o.free_on(d) for d in self.all_workdays)
                    notes.append(f"{span} {o.name} 本周只有{days}个工作日有空，安排{count}场下工厂宣讲")
                continue
            short = True
            problems.append(f"{span} {o.name} 只能安排{count}场下工厂宣讲（规则要求至少{r.talks_per_officer_min}场）")
        if short and self.factory_count + len(self.frozen_factories) < sum(self.talk_target.values()):
            problems.append(
                f"{span} 只有{self.factory_count + len(self.frozen_factories)}家工厂可以安排宣讲"
                "（请在config.yaml里添加工厂或宣讲时段）"
            )
        return problems, notes

    def _why_short(self, free: list[PersonInfo], placed: set[str], shifts: Counter, event, d: date) -> str:
        """Why a stall has fewer people than wanted, as it is: nobody free, all placed, shifts used up."""
        if not free:
            return "当天没有人有空"
        on_it = {name for name, _ in event.people} if event else set()
        elsewhere = [p for p in free if p.name in placed and p.name not in on_it]
        used_up = [p for p in free if p.name not in placed and shifts[p.name] >= p.max_shifts_per_week]
        leads = [p for p in free if p.role in LEAD_ROLES and p.name not in placed]
        parts = [f"当天有空的共{len(free)}人"]
        if elsewhere:
            parts.append(f"其中{len(elsewhere)}人已排在其他摊位或宣讲")
        if used_up:
            parts.append(f"{len(used_up)}人本周班次已满")
        if event is None and not leads:
            parts.append("没有空闲的综管机动或民警带队")
        return "，".join(parts)
