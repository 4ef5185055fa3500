"""One way to find a municipality: a number or a name, old or new, on a date.

    answer = municipality_resolve("3003", on=datetime.date(2021, 6, 1))
    answer.municipalities   # valid on that date: [3003 Sarpsborg (Viken)]
    answer.now              # what it is today:   [3105 Sarpsborg (Østfold)]
    answer.former           # why an old number or name leads elsewhere, in words

Find-your-garden, the import, the admin's search and the reports all ask this. Numbers and
counties changed in 2018, 2019, 2020 and 2024 (and a few municipalities split: Snillfjord and
Tysfjord in 2020, Ålesund in 2024), so the answer can be several municipalities, and says so.
Two queries whatever the query and however long the chain of changes.
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .models import Municipality, MunicipalityChange

NUMBER = re.compile(r"\b(\d{3,4})\b")


@dataclass
class ChangeGraph:
    """Every change event as old period → new periods and back, loaded in one query."""

    forward: dict[int, list[Municipality]] = field(default_factory=lambda: defaultdict(list))
    backward: dict[int, list[Municipality]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls) -> "ChangeGraph":
        graph = cls()
        for change in MunicipalityChange.objects.select_related("old__county", "new__county"):
            graph.forward[change.old_id].append(change.new)
            graph.backward[change.new_id].append(change.old)
        return graph

    def follow(self, start: list[Municipality], on: datetime.date) -> list[Municipality]:
        """The periods valid on `on` that `start` leads to, following changes forwards or backwards."""
        found: dict[int, Municipality] = {}
        seen: set[int] = set()
        frontier = list(start)
        while frontier:
            following = []
            for municipality in frontier:
                if municipality.pk in seen:
                    continue
                seen.add(municipality.pk)
                if municipality.is_valid_on(on):
                    found[municipality.pk] = municipality
                elif municipality.valid_to and municipality.valid_to < on:
                    following.extend(self.forward[municipality.pk])
                elif municipality.valid_from and municipality.valid_from > on:
                    following.extend(self.backward[municipality.pk])
            frontier = following
        return sorted(found.values(), key=lambda m: (m.name, m.number))

    def _closure(self, start: Municipality, edges: dict[int, list[Municipality]]) -> set[int]:
        seen: set[int] = set()
        frontier = [start]
        while frontier:
            municipality = frontier.pop()
            if municipality.pk not in seen:
                seen.add(municipality.pk)
                frontier.extend(edges[municipality.pk])
        return seen

    def same_place(self, municipality: Municipality) -> set[int]:
        """Ids of the periods that were this municipality or became it, and that it became.

        1640 Røros and 5025 Røros are the same place; Orkland includes old Orkdal and Meldal
        (and Snillfjord, a part of which it took). Not siblings: Heim is not Orkland.
        """
        return self._closure(municipality, self.backward) | self._closure(municipality, self.forward)


def period_text(municipality: Municipality) -> str:
    """'2020–2023', or 'until 2019' when the start is before our records (2017)."""
    end = municipality.valid_to.year if municipality.valid_to else ""
    if municipality.valid_from is None:
        return _("until %(year)s") % {"year": end}
    if municipality.valid_from.year == end:
        return str(end)
    return f"{municipality.valid_from.year}–{end}"


def label(municipality: Municipality) -> str:
    """'3105 Sarpsborg, Østfold': number, name and the county of that period."""
    return f"{municipality.number} {municipality.name}, {municipality.county.name}"


def _joined(municipalities: list[Municipality]) -> str:
    labels = [label(m) for m in municipalities]
    if len(labels) < 2:
        return "".join(labels)
    return _("%(first)s and %(last)s") % {"first": ", ".join(labels[:-1]), "last": labels[-1]}


@dataclass
class Former:
    """A number (or name) the query matched that was not in use on the date, and where it leads.

    The explanation is kept as a message id and its values, so that what is stored (an
    import's row notes) is translated when shown.
    """

    old: Municipality
    leads_to: list[Municipality]
    message: str
    params: dict[str, str]

    @property
    def sentence(self) -> str:
        return _(self.message) % self.params

    @property
    def is_split(self) -> bool:
        return len(self.leads_to) > 1


@dataclass
class MunicipalityAnswer:
    query: str
    on: datetime.date
    municipalities: list[Municipality]  # valid on `on`
    now: list[Municipality]  # valid today
    former: list[Former]

    @property
    def is_split(self) -> bool:
        """One old unit that is several municipalities now (Snillfjord → Heim, Hitra, Orkland)."""
        return any(f.is_split for f in self.former) or (len(self.now) > 1 and len(self.municipalities) == 1)


def _explain(old: Municipality, leads_to: list[Municipality], on: datetime.date, graph: ChangeGraph
             ) -> tuple[str, dict[str, str]]:
    """The message id for how `old` became `leads_to`, and its values."""
    values = {"number": old.number, "name": old.name, "period": period_text(old), "today": _joined(leads_to),
              "date": on.strftime("%d.%m.%Y")}
    if old.valid_from is not None and old.valid_from > on:
        return gettext_noop("%(number)s was not in use on %(date)s; %(name)s then was %(today)s."), values
    if len(leads_to) > 1:
        return gettext_noop(
            "%(number)s was %(name)s's number %(period)s; today its area is divided between %(today)s."), values
    if len(leads_to) == 1 and len(graph.backward[leads_to[0].pk]) > 1 and leads_to[0].number != old.number:
        return gettext_noop("%(number)s was %(name)s's number %(period)s; today it is part of %(today)s."), values
    if leads_to and leads_to[0].number == old.number:
        return gettext_noop("%(name)s (%(number)s) is today %(today)s."), values
    return gettext_noop("%(number)s was %(name)s's number %(period)s; today it is %(today)s."), values


def municipality_resolve(query: str, on: datetime.date | None = None, *, exact_name: bool = False,
                         graph: ChangeGraph | None = None) -> MunicipalityAnswer:
    """The municipalities `query` means on `on` (default today) and today, with old numbers explained.

    `query` is a number (old or new, "437" for 0437) or a name, or both ("Våler 3419": the number
    settles it). A name matches any name the municipality has had, in part unless `exact_name`.
    Pass a loaded `graph` to resolve many queries with one query each (the import).
    """
    today = timezone.localdate()
    on = on or today
    query = " ".join((query or "").split())[:100]
    empty = MunicipalityAnswer(query, on, [], [], [])
    if not query:
        return empty
    if number := NUMBER.search(query):
        rows = Municipality.objects.filter(number=number.group(1).zfill(4))
        by_number = True
    else:
        names = Q(name__iexact=query) | Q(official_name__iexact=query) if exact_name else Q(name__icontains=query)
        rows = Municipality.objects.filter(number__in=Municipality.objects.filter(names).values("number"))
        by_number = False
    start = list(rows.select_related("county").order_by("number", "valid_from")[:80])
    if not start:
        return empty
    graph = graph or ChangeGraph.load()
    then = graph.follow(start, on)
    former = []
    for row in start:
        if row.is_valid_on(on) or (by_number and any(m.is_valid_on(on) for m in start)):
            continue  # in use on the date: nothing to explain
        if not by_number and query.casefold() not in row.name.casefold():
            continue  # matched through another name the number had
        leads_to = graph.follow([row], on)
        # By name, "Røros" (1640) leading to "Røros" (5025) needs no explanation; "Orkdal" does.
        if leads_to and (by_number or any(m.name.casefold() != row.name.casefold() for m in leads_to)):
            former.append(Former(row, leads_to, *_explain(row, leads_to, on, graph)))
    if not by_number:  # by name, the last number an old name had says enough (Orkdal: 5024, not 1638)
        latest: dict[str, Former] = {}
        for item in sorted(former, key=lambda f: f.old.valid_to or datetime.date.max):
            latest[item.old.name.casefold()] = item
        former = sorted(latest.values(), key=lambda f: f.old.name)
    else:  # by number, one sentence per number: the last period explains the chain
        former = former[-1:] if former and all(f.old.number == former[0].old.number for f in former) else former
    now = then if on == today else graph.follow(then, today)
    return MunicipalityAnswer(query, on, then, now, former)
