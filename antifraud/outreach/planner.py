"""The weekly outreach planner: factory talks on working days, street stalls on weekend evenings.

`plan_week` is a pure function of its `PlanInput` (no clock, no database, no I/O). It builds one CP-SAT model:

* `slot[o, d]`   officer o gives a factory talk on working day d (at most one a day, by the one-event rule);
* `chosen[f]`    factory f gets this week's talk; as many factories as talk slots. Which factory goes to which
  slot, and the talk window, are settled afterwards: factories have no day constraints, so the solver only
  has to pick the set (the top ones by priority, unless stability says otherwise);
* `helps[p, d]`  auxiliary/patrol member p goes along to a talk on day d; per day there are between
  helpers_min and helpers_max helpers per talk, so they can always be shared out afterwards;
* `stall[p, s, d]` person p staffs the stall at site s on stall day d.

Hard: availability, one event per person per day, max shifts per week, at most talks_max per officer, at most
stall_staff per stall, at least helpers_min per talk. Soft (big penalties, reported in `problems` in plain Chinese):
officers' talk minimum, stall staffing and a patrol/officer lead (heavier sites first). Objective, strongest first:
shortfalls; talks at the most urgent factories (recent incidents, then headcount, then weeks since the last talk;
a talk above an officer's minimum only for a factory with recent incidents, so the rest stay available for the
coming weeks); keeping the previous plan when re-planning (and not adding to it); volunteers rather than staff
filling the stalls; fairness per team over the rolling weeks (spread of history + this week's shifts) and of
officers' talk counts; and a convex cost on each person's rolling total (exact in the LP) that hands a shift to
whoever has had fewer.

Solver: one worker (plans are then the same for the same input even on a busy machine; two workers were not),
linearization level 2, a fixed seed and `rules.time_limit_seconds`. A 60-person station solves to proven
optimality in well under a second (benchmarks/bench_rota.py).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, time, timedelta

from ortools.sat.python import cp_model

from ..lib.words import cn_weekday
from ..vocab import HELPER_ROLES, LEAD_ROLES, EventKind
from .model import Event, FactoryInfo, PersonInfo, PlanInput, PlanResult

TALK = EventKind.FACTORY_TALK
STALL = EventKind.STREET_STALL

# Objective weights (minimised). Each tier dominates the sum of everything below it in practice.
MISSING_PERSON = 10_000  # per missing stall person, times the site's weight x10
MISSING_LEAD = 15_000  # per stall without a patrol/officer lead, times the site's weight x10
MISSING_TALK = 200_000  # per talk an officer is short of the minimum
TALK_REWARD = 10_000  # per talk held ...
URGENT = 20_000  # ... plus this at a factory with recent incidents ...
PRIORITY_SPAN = 5_000  # ... plus up to this much by priority rank among the candidate factories
EXTRA_TALK = 20_000  # per talk above an officer's minimum: only worth it for a factory with recent incidents,
# so the others are left for the coming weeks (the cooldown makes factories a scarce resource)
KEEP_FACTORY = 6_000  # per factory kept from the previous plan: beats rank, not urgency
KEEP = 1_000  # per (person, event) assignment and officer/day talk slot kept from the previous plan
ADD = 500  # per assignment the previous plan did not have (only when re-planning): fairness does not reshuffle
NON_VOLUNTEER = 300  # per stall place taken by someone other than a volunteer (the lead's place costs this too,
# unavoidably): volunteers fill the stalls, staff lead them and give the talks
TALK_SPREAD = 100  # per unit of (max - min) of officers' talk counts
SPREAD = 100  # per unit of (max - min) rolling shifts within a team
CONVEX = 1  # per unit of (history + shifts)^2, a tie-breaker towards whoever has had fewer shifts


def plan_week(inp: PlanInput) -> PlanResult:
    return _Planner(inp).run()


def factory_eligible(factory: FactoryInfo, week_start: date, cooldown_weeks: int) -> bool:
    """Not talked to within the cooldown weeks before this week, unless there were incidents since."""
    if not factory.talk_windows:
        return False
    if factory.last_talk is None or factory.incidents_since_last_talk > 0:
        return True
    return factory.last_talk < week_start - timedelta(weeks=cooldown_weeks)


def factory_priority_key(factory: FactoryInfo, week_start: date) -> tuple:
    """Sort key, most urgent first: recent incidents, then headcount, then weeks since the last talk."""
    weeks_since = (week_start - factory.last_talk).days // 7 if factory.last_talk else 10**6
    return (-factory.recent_incidents, -factory.headcount, -weeks_since, factory.name)


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
        self.workdays = sorted(d for d in set(inp.workdays) if d in week)
        self.stall_days = list(inp.stall_days)
        self.sites = list({s.name: s for s in inp.sites}.values())
        self.officers = [p for p in self.people if p.role == "officer"]
        self.helpers = [p for p in self.people if p.role in HELPER_ROLES]
        self.model = cp_model.CpModel()

    # ------------------------------------------------------------------ model

    def _candidates(self) -> list[FactoryInfo]:
        """Eligible factories, most urgent first, cut to the most that could get a talk this week."""
        r, inp = self.rules, self.inp
        eligible = {}
        for f in inp.factories:
            if f.name not in eligible and factory_eligible(f, inp.week_start, r.factory_cooldown_weeks):
                eligible[f.name] = f
        ranked = sorted(eligible.values(), key=lambda f: factory_priority_key(f, inp.week_start))
        capacity = sum(
            min(r.talks_per_officer_max, o.max_shifts_per_week, sum(o.free_on(d) for d in self.workdays))
            for o in self.officers
        )
        previous = {e.site for e in inp.previous if e.kind == TALK}
        keep = [f for i, f in enumerate(ranked) if i < capacity or f.name in previous]
        self.eligible_count = len(ranked)
        return keep

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
                if o.free_on(d) and o.max_shifts_per_week > 0:
                    self.slot[o.name, d] = self._var(f"slot[{o.name},{d}]", o.name, d)

    def _factory_choice(self) -> None:
        """chosen[f]: factory f gets a talk; as many factories as slots, the most urgent rewarded most."""
        m, inp = self.model, self.inp
        self.factories = self._candidates()
        n = len(self.factories)
        self.chosen = {f.name: m.NewBoolVar(f"chosen[{f.name}]") for f in self.factories}
        m.Add(sum(self.chosen.values()) == sum(self.slot.values()))
        step = max(1, PRIORITY_SPAN // max(1, n))
        for rank, f in enumerate(self.factories):
            reward = TALK_REWARD + (URGENT if f.recent_incidents > 0 else 0) + step * (n - rank)
            self.objective.append(-reward * self.chosen[f.name])
        # Symmetry breaking: with strictly decreasing rewards, a lower-ranked factory is only chosen if every
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
                if p.free_on(d) and p.max_shifts_per_week > 0 and talks_today:
                    v = self._var(f"helps[{p.name},{d}]", p.name, d)
                    self.helps[p.name, d] = v
                    helpers_today.append(v)
            m.Add(sum(helpers_today) >= r.talk_helpers_min * sum(talks_today))
            m.Add(sum(helpers_today) <= r.talk_helpers_max * sum(talks_today))

    def _talk_counts(self) -> None:
        """Each officer's talks: at most the maximum, a soft minimum, extras costly, counts kept even."""
        m, r = self.model, self.rules
        self.talk_short = {}
        talk_counts = []
        for o in self.officers:
            count = sum(v for (name, _), v in self.slot.items() if name == o.name)
            m.Add(count <= r.talks_per_officer_max)
            short = m.NewIntVar(0, r.talks_per_officer_min, f"talk_short[{o.name}]")
            m.Add(count + short >= r.talks_per_officer_min)
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
        """stall[p, s, d]: person p staffs site s on stall day d; shortfalls and a missing lead cost by weight."""
        m, r = self.model, self.rules
        self.stall = {}
        self.stall_short, self.stall_nolead = {}, {}
        for d in self.stall_days:
            free = [p for p in self.people if p.free_on(d) and p.max_shifts_per_week > 0]
            for s in self.sites:
                members, leads = [], []
                for p in free:
                    v = self._var(f"stall[{p.name},{s.name},{d}]", p.name, d)
                    self.stall[p.name, s.name, d] = v
                    members.append(v)
                    if p.role in LEAD_ROLES:
                        leads.append(v)
                    if p.role != "volunteer":
                        self.objective.append(NON_VOLUNTEER * v)
                weight = max(1, round(s.weight * 10))
                m.Add(sum(members) <= r.stall_staff)
                short = m.NewIntVar(0, r.stall_staff, f"stall_short[{s.name},{d}]")
                m.Add(sum(members) + short >= r.stall_staff)
                nolead = m.NewBoolVar(f"stall_nolead[{s.name},{d}]")
                m.Add(sum(leads) + nolead >= 1)
                self.stall_short[s.name, d] = short
                self.stall_nolead[s.name, d] = nolead
                self.objective.append(MISSING_PERSON * weight * short)
                self.objective.append(MISSING_LEAD * weight * nolead)

    def _person_limits(self) -> None:
        """Hard rules per person: one event a day, at most their shifts a week."""
        m = self.model
        for vs in self.day_vars.values():
            if len(vs) > 1:
                m.AddAtMostOne(vs)
        self.shifts, self.caps = {}, {}
        for p in self.people:
            vs = self.person_vars.get(p.name, [])
            cap = max(0, min(p.max_shifts_per_week, len({d for (name, d) in self.day_vars if name == p.name})))
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
            totals = {p.name: inp.history.get(p.name, 0) + self.shifts[p.name] for p in members}
            top = max(inp.history.get(p.name, 0) + p.max_shifts_per_week for p in members)
            spread = self._spread(list(totals.values()), [totals[p.name] for p in workable], top, f"team[{team}]")
            self.objective.append(SPREAD * spread)
        for p in self.people:
            cap = self.caps[p.name]
            if cap == 0:
                continue
            # (h + shifts)^2 as increasing marginal costs on "at least k shifts" steps: exact in the LP relaxation.
            h = max(0, inp.history.get(p.name, 0))
            steps = [m.NewBoolVar(f"shift_step[{p.name},{k}]") for k in range(1, cap + 1)]
            for a, b in zip(steps, steps[1:]):
                m.AddImplication(b, a)
            m.Add(sum(steps) == self.shifts[p.name])
            self.objective.extend(CONVEX * (2 * (h + k) - 1) * step for k, step in enumerate(steps, 1))

    # ------------------------------------------------------------------ solve

    def run(self) -> PlanResult:
        self.build()
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = float(self.rules.time_limit_seconds)
        # One worker: with two, equally good plans came back in a different order when the machine was busy
        # (measured), and the same input must give the same rota. Linearization level 2 (the "max_lp" LP)
        # closes the fairness/convex-cost gap quickly; level 1 on the default 2-worker portfolio could not
        # prove optimality within 10 s on the large benchmark station.
        solver.parameters.num_workers = 1
        solver.parameters.linearization_level = 2
        solver.parameters.random_seed = 1
        status = solver.Solve(self.model)
        name = solver.StatusName(status)
        seconds = solver.WallTime()
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return PlanResult(
                events=[],
                objective=0.0,
                optimal=False,
                status=name,
                problems=[f"排班求解没有找到方案（{name}），请放宽规则或延长求解时间"],
                solve_seconds=seconds,
            )
        events = self._events(solver)
        problems = self._problems(solver, events)
        return PlanResult(
            events=events,
            objective=float(solver.ObjectiveValue()),
            optimal=status == cp_model.OPTIMAL,
            status=name,
            problems=problems,
            solve_seconds=seconds,
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
        events = self._stall_events(solver, busy) + self._talk_events(slots, assignment, helpers_of, busy)
        events.sort(key=lambda e: (e.date, e.start, e.kind, e.site))
        return self._with_topics(events)

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
        """One event per stall site and day, its lead first (the previous lead where still on it)."""
        r, events = self.rules, []
        for d in self.stall_days:
            previous_leads = {
                e.site: e.people[0][0] for e in self.inp.previous if e.kind == STALL and e.date == d and e.people
            }
            for s in self.sites:
                members = [
                    p.name
                    for p in self.people
                    if (p.name, s.name, d) in self.stall and solver.BooleanValue(self.stall[p.name, s.name, d])
                ]
                lead = self._pick_lead(members, previous_leads.get(s.name))
                ordered = ([lead] if lead else []) + [name for name in members if name != lead]
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
        """Talks take the recent topics in turn; stalls carry the first."""
        topics = list(self.inp.topics)
        result, talk_index = [], 0
        for e in events:
            if not topics:
                topic = None
            elif e.kind == TALK:
                topic = topics[talk_index % len(topics)]
                talk_index += 1
            else:
                topic = topics[0]
            result.append(Event(e.date, e.start, e.end, e.kind, e.site, topic, e.people))
        return result

    def _pick_lead(self, members: list[str], previous: str | None) -> str | None:
        capable = [name for name in members if self.by_name[name].role in LEAD_ROLES]
        if not capable:
            return None
        if previous in capable:
            return previous
        patrol = [name for name in capable if self.by_name[name].role == "patrol"]
        return (patrol or capable)[0]

    @staticmethod
    def _window(f: FactoryInfo, names: list[str], d: date, busy) -> tuple[time, time]:
        """The first talk window that does not overlap anything else those people do that day."""
        for start, end in f.talk_windows:
            if all(not (start < e and s < end) for name in names for s, e in busy[name, d]):
                return start, end
        return f.talk_windows[0]

    def _problems(self, solver: cp_model.CpSolver, events: list[Event]) -> list[str]:
        r, inp = self.rules, self.inp
        problems = []
        for d in self.stall_days:
            free = sum(1 for p in self.people if p.free_on(d) and p.max_shifts_per_week > 0)
            for s in self.sites:
                staffed = sum(
                    1
                    for p in self.people
                    if (p.name, s.name, d) in self.stall and solver.BooleanValue(self.stall[p.name, s.name, d])
                )
                where = f"{_day_label(d)} {s.name}"
                if staffed < r.stall_staff:
                    need = f"{where} 需要{r.stall_staff}人（含1名带队），"
                    if staffed == 0:
                        problems.append(need + ("当天没有人有空" if free == 0 else f"当天有空的{free}人已排满"))
                    else:
                        problems.append(need + f"只有{staffed}人有空")
                if staffed and solver.BooleanValue(self.stall_nolead[s.name, d]):
                    problems.append(f"{where} 没有综管机动或民警带队")
        week_end = inp.week_start + timedelta(days=6)
        span = f"{inp.week_start.isoformat()}~{week_end:%m-%d}"
        talks = defaultdict(int)
        for e in events:
            if e.kind == TALK and e.people:
                talks[e.people[0][0]] += 1
        short = False
        for o in self.officers:
            if talks[o.name] < r.talks_per_officer_min:
                short = True
                problems.append(
                    f"{span} {o.name} 只能安排{talks[o.name]}场下工厂宣讲（规则要求至少{r.talks_per_officer_min}场）"
                )
        if short and self.eligible_count < r.talks_per_officer_min * len(self.officers):
            problems.append(
                f"{span} 只有{self.eligible_count}家工厂可以安排宣讲"
                f"（其余在{r.factory_cooldown_weeks}周内已去过且没有新案件）"
            )
        return problems
