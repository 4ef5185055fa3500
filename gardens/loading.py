"""Load what gardens owns from data/reference/ (the first step of `manage.py load_network`).

Every municipality number and county in use since 2017 with every change between them
(SSB's classification, nationwide), the SN2007 industry codes, and from the seed press articles (network_seed.yaml)
the organisations, gardens, their Siva statuses and coverage, and the networks of gardens;
the portal's own texts about them come from network_texts.yaml. Agreements and projects
load their parts of the seed on top of what `load_gardens` returns.
"""

import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import models, transaction

from core.loading import (
    LoadError,
    Tally,
    malformed_as_load_error,
    one_line,
    read_csv,
    read_yaml,
    require,
    sources,
    sync_bulk,
    upsert,
)
from core.text import slugify_nb

from .models import (
    County,
    Coverage,
    Garden,
    GardenContact,
    GardenStatus,
    IndustryCode,
    Municipality,
    MunicipalityChange,
    Network,
    NetworkMembership,
    Organisation,
)

KOMMUNER_FILE = "kommuner.csv"
HISTORY_FILE = "kommuner_history_national.csv"
CHANGES_FILE = "kommuner_changes_national.csv"
NACE_FILE = "nace_sn2007.csv"
SEED_FILE = "network_seed.yaml"
TEXTS_FILE = "network_texts.yaml"
CONTACTS_FILE = "garden_contacts.yaml"

# The national history starts here: a period that starts on this day may have started long
# before, so it is stored with an unknown start ("since before our records").
HISTORY_START = datetime.date(2017, 1, 1)
ONE_DAY = datetime.timedelta(days=1)

ORGANISATION_KINDS = {
    "siva": Organisation.Kind.STATE,
    "kmd": Organisation.Kind.MINISTRY,
    "hedmark_fylkeskommune": Organisation.Kind.COUNTY,
    "sintef": Organisation.Kind.RESEARCH,
}

# What load_gardens writes, in the order load_network reports the row counts.
LOADED_MODELS: list[type[models.Model]] = [
    County,
    Municipality,
    MunicipalityChange,
    IndustryCode,
    Organisation,
    Garden,
    GardenContact,
    GardenStatus,
    Coverage,
    Network,
    NetworkMembership,
]


@dataclass(frozen=True)
class LoadedGardens:
    """What load_gardens wrote and read, for the loaders above it (agreements, projects)."""

    seed: dict[str, Any]  # network_seed.yaml as read
    texts: dict[str, Any]  # network_texts.yaml as read
    current: dict[str, Municipality]  # today's municipalities by number
    organisations: dict[str, Organisation]  # by seed id
    gardens: dict[str, Garden]  # by seed id
    networks: dict[str, Network]  # by seed id
    # The 2024 numbers the articles name for each garden (stated lists), by garden seed id:
    # what a project's municipality list is built from.
    named_municipalities: dict[str, list[str]]
    # Seed file name → the readable title users see (network_texts.yaml `sources`).
    source_titles: dict[str, str]

    def cite(self, *values: Any) -> str:
        """The sources in `values` (seed file names) by their readable titles."""
        return sources(*values, titles=self.source_titles)


@transaction.atomic
def load_gardens(*, data_dir: Path, tally: Tally) -> LoadedGardens:
    """Load municipalities, industry codes and the seed's organisations, gardens and networks."""
    # Read and check every file before writing anything.
    current_rows = _read_kommuner(data_dir / KOMMUNER_FILE)
    history = _read_history(data_dir / HISTORY_FILE, current_rows)
    changes = _read_changes(data_dir / CHANGES_FILE, history)
    nace_rows = _read_nace(data_dir / NACE_FILE)
    seed = read_yaml(data_dir / SEED_FILE, lists=["organisations", "gardens", "networks"])
    texts = read_yaml(data_dir / TEXTS_FILE, mappings=["organisations", "gardens", "networks", "notes"])
    contacts = read_yaml(data_dir / CONTACTS_FILE)

    counties = _load_counties(history, tally)
    current = _load_municipalities(current_rows, history, changes, counties, tally)
    _load_industry_codes(nace_rows, tally)
    with malformed_as_load_error(SEED_FILE):
        loaded = _load_seed(seed, texts, current, tally)
    with malformed_as_load_error(CONTACTS_FILE):
        _load_contacts(contacts, loaded.gardens, loaded.source_titles, tally)
    return loaded


def _load_contacts(contacts: dict[str, Any], gardens: dict[str, Garden], titles: dict[str, str],
                   tally: Tally) -> None:
    """Each garden's contact details from garden_contacts.yaml, in the file's order (a reload rewrites them).

    A source is a seed article (shown by its title) or a public page {url, title}.
    """
    kinds = set(GardenContact.Kind.values)
    for garden_id, entries in contacts.items():
        if garden_id not in gardens:
            raise LoadError(f"{CONTACTS_FILE}: {garden_id} is not a garden of {SEED_FILE}")
        garden = gardens[garden_id]
        for position, entry in enumerate(entries):
            if entry["kind"] not in kinds or entry["status"] not in ("stated", "inferred"):
                raise LoadError(f"{CONTACTS_FILE}: {garden_id} #{position + 1}: unknown kind or status")
            pages = [item for item in entry["source"] if isinstance(item, dict)]
            articles = [item for item in entry["source"] if isinstance(item, str)]
            cited = [sources(articles, titles=titles)] if articles else []
            source = "; ".join(cited + [f"{page['title']}, {page['url']}" for page in pages])
            inferred = entry["status"] == "inferred"
            upsert(GardenContact, tally, lookup={"garden": garden, "position": position}, values={
                "kind": entry["kind"], "value": entry["value"], "title": entry.get("title", ""),
                "source": source[:300], "is_inferred": inferred,
                "inference_note": one_line(entry.get("reasoning", "")) if inferred else "",
            })
        GardenContact.objects.filter(garden=garden, position__gte=len(entries)).delete()


# --- reading and checking the files ---------------------------------------------------------


def _read_kommuner(path: Path) -> list[dict[str, str]]:
    rows = read_csv(path, ["kommunenummer", "name", "county_number", "county_name", "official_name"])
    seen: set[str] = set()
    county_names: dict[str, str] = {}
    for line, row in enumerate(rows, start=2):
        number = row["kommunenummer"]
        require(re.fullmatch(r"\d{4}", number) is not None, path.name, line, f"bad kommunenummer {number!r}")
        require(number not in seen, path.name, line, f"kommunenummer {number} occurs twice")
        require(
            row["county_number"] == number[:2], path.name, line, "county_number is not the first two digits"
        )
        require(bool(row["name"] and row["county_name"]), path.name, line, "empty name")
        known = county_names.setdefault(row["county_number"], row["county_name"])
        require(known == row["county_name"], path.name, line, f"county {row['county_number']} has two names")
        seen.add(number)
    return rows


def _date(text: str, path_name: str, line: int, column: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise LoadError(f"{path_name}, line {line}: bad {column} {text!r}") from None


def _read_history(path: Path, current_rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    """One row per (number, period) since 2017, checked against the 2024 list and for overlaps."""
    rows = read_csv(path, ["kommunenummer", "name", "county_number", "county_name", "valid_from", "valid_to",
                           "numbers_2024", "note"])
    current = {row["kommunenummer"]: row for row in current_rows}
    parsed = []
    for line, row in enumerate(rows, start=2):
        number = row["kommunenummer"]
        require(re.fullmatch(r"\d{4}", number) is not None, path.name, line, f"bad kommunenummer {number!r}")
        require(row["county_number"] == number[:2], path.name, line, "county_number is not the first two digits")
        require(bool(row["name"] and row["county_name"]), path.name, line, "empty name")
        valid_from = _date(row["valid_from"], path.name, line, "valid_from")
        valid_to = _date(row["valid_to"], path.name, line, "valid_to") if row["valid_to"] else None
        require(valid_to is None or valid_to >= valid_from, path.name, line, "valid_to before valid_from")
        successors = row["numbers_2024"].split("|")
        for successor in successors:
            require(successor in current, path.name, line, f"numbers_2024 {successor} is not in {KOMMUNER_FILE}")
        if valid_to is None:
            require(number in current and current[number]["name"] == row["name"], path.name, line,
                    f"{number} {row['name']} is open but not so in {KOMMUNER_FILE}")
        parsed.append({**row, "line": line, "valid_from": valid_from, "valid_to": valid_to,
                       "numbers_2024": successors})
    by_number: dict[str, list[dict[str, Any]]] = {}
    for row in parsed:
        by_number.setdefault(row["kommunenummer"], []).append(row)
    for number, periods in by_number.items():
        periods.sort(key=lambda r: r["valid_from"])
        for before, after in zip(periods, periods[1:], strict=False):
            require(before["valid_to"] is not None and before["valid_to"] < after["valid_from"], path.name,
                    after["line"], f"periods of {number} overlap")
    missing = set(current) - {row["kommunenummer"] for row in parsed if row["valid_to"] is None}
    if missing:
        raise LoadError(f"{path.name}: no open period for {', '.join(sorted(missing))} of {KOMMUNER_FILE}")
    return parsed


def _read_changes(path: Path, history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per change event; each links a period ending the day before to one starting that day."""
    rows = read_csv(path, ["date", "change_type", "old_number", "new_number", "share_note", "note"])
    ends = {(r["kommunenummer"], r["valid_to"]) for r in history if r["valid_to"]}
    starts = {(r["kommunenummer"], r["valid_from"]) for r in history}
    parsed = []
    for line, row in enumerate(rows, start=2):
        date = _date(row["date"], path.name, line, "date")
        require(row["change_type"] in MunicipalityChange.Kind.values, path.name, line,
                f"unknown change_type {row['change_type']!r}")
        require((row["old_number"], date - ONE_DAY) in ends, path.name, line,
                f"no period of {row['old_number']} ends on {date - ONE_DAY}")
        require((row["new_number"], date) in starts, path.name, line,
                f"no period of {row['new_number']} starts on {date}")
        parsed.append({**row, "date": date})
    return parsed


def _read_nace(path: Path) -> list[dict[str, Any]]:
    rows = read_csv(path, ["code", "level", "parent_code", "section", "name", "short_name"])
    levels: dict[str, int] = {}
    parsed = []
    for line, row in enumerate(rows, start=2):
        code = row["code"]
        require(0 < len(code) <= 6, path.name, line, f"bad code {code!r}")
        require(code not in levels, path.name, line, f"code {code} occurs twice")
        require(row["level"] in {"1", "2", "3", "4", "5"}, path.name, line, f"bad level {row['level']!r}")
        level = int(row["level"])
        if level == 1:
            require(not row["parent_code"], path.name, line, "a section has no parent")
        else:
            # Parents come before their children in the file; checked so the load can go level by level.
            require(
                levels.get(row["parent_code"]) == level - 1,
                path.name,
                line,
                f"parent {row['parent_code']!r} is not a known code one level up",
            )
        require(len(row["section"]) == 1 and bool(row["name"]), path.name, line, "bad section or empty name")
        levels[code] = level
        parsed.append({**row, "level": level})
    return parsed


# --- counties, municipalities, industry codes --------------------------------------------------


def _jan1(year: int) -> datetime.date:
    return datetime.date(year, 1, 1)


def _stored_start(day: datetime.date) -> datetime.date | None:
    """The first day of the history means 'at least since then': stored as an unknown start."""
    return None if day <= HISTORY_START else day


def _load_counties(history: list[dict[str, Any]], tally: Tally) -> dict[tuple[str, str], County]:
    """Every county since 2017, each (number, name) with the span of its municipalities' periods."""
    spans: dict[tuple[str, str], list] = {}
    for row in history:
        key = (row["county_number"], row["county_name"])
        span = spans.setdefault(key, [row["valid_from"], row["valid_to"]])
        span[0] = min(span[0], row["valid_from"])
        span[1] = None if span[1] is None or row["valid_to"] is None else max(span[1], row["valid_to"])
    counties = {}
    for (number, name), (valid_from, valid_to) in sorted(spans.items()):
        counties[(number, name)] = upsert(
            County, tally, lookup={"number": number, "name": name},
            values={"valid_from": _stored_start(valid_from), "valid_to": valid_to},
        )
    return counties


def _shared_names(history: list[dict[str, Any]]) -> set[tuple[str, datetime.date]]:
    """(number, valid_from) of every period whose name another number had at the same time."""
    by_name: dict[str, list[dict[str, Any]]] = {}
    for row in history:
        by_name.setdefault(row["name"], []).append(row)
    shared = set()
    for rows in by_name.values():
        for a in rows:
            for b in rows:
                overlap = a["valid_from"] <= (b["valid_to"] or datetime.date.max) and b["valid_from"] <= (
                    a["valid_to"] or datetime.date.max)
                if a["kommunenummer"] != b["kommunenummer"] and overlap:
                    shared.add((a["kommunenummer"], a["valid_from"]))
    return shared


def _load_municipalities(current_rows, history, changes, counties, tally: Tally) -> dict[str, Municipality]:
    """Every period of every number since 2017 and the change events between them.

    Returns the current rows by number.
    """
    official = {row["kommunenummer"]: row["official_name"] for row in current_rows}
    shared = _shared_names(history)
    rows = [
        {
            "number": row["kommunenummer"],
            "name": row["name"],
            "official_name": official.get(row["kommunenummer"], "") if row["valid_to"] is None else "",
            "county_id": counties[(row["county_number"], row["county_name"])].pk,
            "valid_from": _stored_start(row["valid_from"]),
            "valid_to": row["valid_to"],
            "shares_name": (row["kommunenummer"], row["valid_from"]) in shared,
        }
        for row in history
    ]
    existing = {(m.number, m.valid_from): m for m in Municipality.objects.all()}
    by_key = sync_bulk(Municipality, tally, key=("number", "valid_from"), rows=rows, existing=existing)
    current = {row["number"]: by_key[(row["number"], row["valid_from"])] for row in rows if row["valid_to"] is None}

    ending = {(r["kommunenummer"], r["valid_to"]): by_key[(r["kommunenummer"], _stored_start(r["valid_from"]))]
              for r in history if r["valid_to"]}
    change_rows = [
        {
            "old_id": ending[(row["old_number"], row["date"] - ONE_DAY)].pk,
            "new_id": by_key[(row["new_number"], _stored_start(row["date"]))].pk,
            "effective": row["date"],
            "kind": row["change_type"],
            "share_note": row["share_note"],
            "note": row["note"],
        }
        for row in changes
    ]
    existing_changes = {(c.old_id, c.new_id): c for c in MunicipalityChange.objects.all()}
    sync_bulk(MunicipalityChange, tally, key=("old_id", "new_id"), rows=change_rows, existing=existing_changes)
    return current


def _load_industry_codes(nace_rows, tally: Tally) -> None:
    """SN2007, one level at a time so every parent has an id before its children."""
    existing = {(c.code,): c for c in IndustryCode.objects.all()}
    ids: dict[str, int] = {}
    for level in range(1, 6):
        rows = [
            {
                "code": row["code"],
                "level": level,
                "parent_id": ids[row["parent_code"]] if level > 1 else None,
                "section": row["section"],
                "name": row["name"],
                "short_name": row["short_name"],
            }
            for row in nace_rows
            if row["level"] == level
        ]
        loaded = sync_bulk(IndustryCode, tally, key=("code",), rows=rows, existing=existing)
        ids.update({code: obj.pk for (code,), obj in loaded.items()})


# --- the seed network -----------------------------------------------------------------------


def _load_seed(
    seed: dict[str, Any], texts: dict[str, Any], current: dict[str, Municipality], tally: Tally
) -> LoadedGardens:
    """Organisations, gardens (statuses, coverage) and networks; the portal's texts by seed id."""
    titles = _source_titles(seed, texts)
    organisations = {}
    for org in seed["organisations"]:
        organisations[org["id"]] = upsert(
            Organisation,
            tally,
            lookup={"name": org["name"]},
            values={
                "short_name": org.get("short_name", ""),
                "slug": slugify_nb(org["name"]),
                "kind": ORGANISATION_KINDS.get(org["id"], Organisation.Kind.OTHER),
                "description": texts["organisations"].get(org["id"], {}).get("description", ""),
            },
        )

    gardens: dict[str, Garden] = {}
    named_municipalities: dict[str, list[str]] = {}
    for data in seed["gardens"]:
        garden_texts = texts["gardens"].get(data["id"], {})
        garden = upsert(
            Garden,
            tally,
            lookup={"name": data["name"]},
            values={
                "slug": slugify_nb(data["name"]),
                "legal_form": data.get("legal_form", ""),
                "description": garden_texts.get("description", ""),
                "source": sources(data.get("source"), titles=titles),
            },
        )
        gardens[data["id"]] = garden
        _load_statuses(garden, data, garden_texts.get("statuses", {}), texts["notes"], titles, tally)
        named_municipalities[data["id"]] = _load_coverage(garden, data, current, texts["notes"], titles, tally)

    networks: dict[str, Network] = {}
    for data in seed["networks"]:
        network_texts = texts["networks"].get(data["id"], {})
        networks[data["id"]] = network = upsert(
            Network,
            tally,
            lookup={"name": data["name"]},
            values={
                "slug": slugify_nb(data["name"]),
                "kind": network_texts.get("kind", data.get("type", "")),
                "description": network_texts.get("description", ""),
                "source": sources(data.get("source"), titles=titles),
            },
        )
        for garden_id in data["members"]:
            upsert(NetworkMembership, tally, lookup={"network": network, "garden": gardens[garden_id]})

    return LoadedGardens(
        seed=seed,
        texts=texts,
        current=current,
        organisations=organisations,
        gardens=gardens,
        networks=networks,
        named_municipalities=named_municipalities,
        source_titles=titles,
    )


def _source_titles(seed: dict[str, Any], texts: dict[str, Any]) -> dict[str, str]:
    """Each seed source file's readable title: network_texts.yaml `sources`, else its headline.

    A file with neither is shown as "presseartikkel": its internal name never reaches a page.
    """
    titles = texts.get("sources") or {}
    if not isinstance(titles, dict):
        raise LoadError(f"{TEXTS_FILE}: expected `sources` to map seed file names to titles")
    result = {}
    for source in seed.get("sources") or []:
        headline = source.get("headline")
        result[source["file"]] = titles.get(source["file"]) or (f"«{headline}»" if headline else "presseartikkel")
    return result


def _load_statuses(
    garden: Garden,
    data: dict[str, Any],
    descriptions: dict[str, str],
    notes: dict[str, str],
    titles: dict[str, str],
    tally: Tally,
) -> None:
    """In the programme for every garden; a regional role (from_year) and leaving where stated.

    `descriptions` are the garden's status texts by kind, from network_texts.yaml.
    """
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for fact in data.get("siva_status") or []:
        if fact.get("from_year"):
            kind = GardenStatus.Kind.REGIONAL_ROLE
        elif "går ut av" in fact["fact"].lower():
            kind = GardenStatus.Kind.LEFT_PROGRAMME
        else:
            kind = GardenStatus.Kind.IN_PROGRAMME
        by_kind.setdefault(kind, []).append(fact)

    in_programme = by_kind.get(GardenStatus.Kind.IN_PROGRAMME, [])
    stated = any(fact["status"] == "stated" for fact in in_programme)
    upsert(
        GardenStatus,
        tally,
        lookup={"garden": garden, "kind": GardenStatus.Kind.IN_PROGRAMME, "valid_from": None},
        values={
            "description": _status_description(descriptions, GardenStatus.Kind.IN_PROGRAMME, in_programme),
            "source": sources(*(fact.get("source") for fact in in_programme), titles=titles)
            or sources(data.get("source"), titles=titles),
            "is_inferred": not stated,
            "inference_note": "" if stated else notes["status_not_stated"],
        },
    )
    for kind in (GardenStatus.Kind.REGIONAL_ROLE, GardenStatus.Kind.LEFT_PROGRAMME):
        for fact in by_kind.get(kind, []):
            # Only the regional role has a start; Solør's exit date is not stated.
            valid_from = _jan1(int(fact["from_year"])) if fact.get("from_year") else None
            upsert(
                GardenStatus,
                tally,
                lookup={"garden": garden, "kind": kind, "valid_from": valid_from},
                values={
                    "description": _status_description(descriptions, kind, [fact]),
                    "source": sources(fact.get("source"), titles=titles),
                    "is_inferred": fact["status"] != "stated",
                    "inference_note": one_line(fact.get("reasoning", "")),
                },
            )


def _status_description(descriptions: dict[str, str], kind: str, facts: list[dict[str, Any]]) -> str:
    """The portal's text for the status, or else the seed's facts."""
    return descriptions.get(kind) or " ".join(fact["fact"] for fact in facts)


def _load_coverage(
    garden: Garden,
    data: dict[str, Any],
    current: dict[str, Municipality],
    notes: dict[str, str],
    titles: dict[str, str],
    tally: Tally,
) -> list[str]:
    """Coverage of current municipalities, inferred where the yaml infers it.

    Returns the 2024 numbers the articles name for the garden (stated lists), which is
    what the project's municipality list is built from.
    """
    entries: list[tuple[str, bool, str, str]] = []  # number, inferred, note, source
    named: list[str] = []
    block = data.get("municipalities")
    if block:
        inferred = block["status"] != "stated"
        note = one_line(block.get("reasoning", ""))
        if inferred and block.get("confidence"):
            note = f"{note} (confidence: {block['confidence']})"
        items = block.get("list") or block.get("candidates") or []
        if any("|" in item["kommunenummer_2024"] for item in items):
            note = f"{note} {notes['split_candidate']}"
        source = sources(block.get("source"), titles=titles) or sources(data.get("source"), titles=titles)
        for item in items:
            number = item["kommunenummer_2024"]
            if "|" in number:
                continue
            entries.append((number, inferred, note, source))
            if not inferred:
                named.append(number)

    # Rørosregionen: stated phases give the numbers; the inferred phase lists names only
    # (which municipalities the extension to Nord-Østerdalen comprised).
    numbers_by_name: dict[str, str] = {}
    history = data.get("coverage_history") or []
    history_sources = sources(*(phase.get("source") for phase in history), titles=titles)
    for phase in history:
        for item in phase.get("municipalities") or []:
            if isinstance(item, dict):
                numbers_by_name[item["name"]] = item["kommunenummer_2024"]
                if phase["status"] == "stated":
                    named.append(item["kommunenummer_2024"])
    for phase in history:
        if phase["status"] == "stated" and phase["phase"].startswith("planned"):
            continue  # a plan is not coverage; the inferred phase says what became of it
        inferred = phase["status"] != "stated"
        note = one_line(phase.get("reasoning", ""))
        if inferred and phase.get("confidence"):
            note = f"{note} (confidence: {phase['confidence']})"
        # The inferred phase has no source of its own: it rests on the stated phases.
        source = sources(phase.get("source"), titles=titles) or history_sources
        for item in phase.get("municipalities") or []:
            name = item["name"] if isinstance(item, dict) else item
            entries.append((numbers_by_name[name], inferred, note, source))

    done: set[str] = set()
    for number, inferred, note, source in entries:
        if number in done:  # the first (stated) mention wins; candidates repeat Orkland
            continue
        done.add(number)
        if number not in current:
            raise LoadError(
                f"{SEED_FILE}: {garden.name} covers {number}, which is not a current municipality"
            )
        upsert(
            Coverage,
            tally,
            lookup={"garden": garden, "municipality": current[number], "valid_from": None},
            values={
                "valid_to": None,
                "source": source,
                "is_inferred": inferred,
                "inference_note": note if inferred else "",
            },
        )
    return list(dict.fromkeys(named))
