"""Load what gardens owns from data/reference/ (the first step of `manage.py load_network`).

The counties and municipalities of 2024 plus the numbers they had before the 2018–2020
mergers, the SN2007 industry codes, and from the seed press articles (network_seed.yaml)
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
    GardenStatus,
    IndustryCode,
    Municipality,
    MunicipalityChange,
    Network,
    NetworkMembership,
    Organisation,
)

KOMMUNER_FILE = "kommuner.csv"
HISTORIC_FILE = "kommuner_historic.csv"
NACE_FILE = "nace_sn2007.csv"
SEED_FILE = "network_seed.yaml"
TEXTS_FILE = "network_texts.yaml"

# Counties created or re-established by the county reforms. The others (Oslo, Rogaland,
# Møre og Romsdal, Nordland) kept their number throughout; their start is unknown to us.
COUNTY_VALID_FROM = {
    **dict.fromkeys(["31", "32", "33", "39", "40", "55", "56"], datetime.date(2024, 1, 1)),
    **dict.fromkeys(["34", "42", "46"], datetime.date(2020, 1, 1)),
    "50": datetime.date(2018, 1, 1),
}
# Counties that no longer exist but that kommuner_historic.csv names: number and last day.
HISTORIC_COUNTIES = {
    "Hedmark": ("04", datetime.date(2019, 12, 31)),
    "Sør-Trøndelag": ("16", datetime.date(2017, 12, 31)),
    "Nord-Trøndelag": ("17", datetime.date(2017, 12, 31)),
}
# Municipalities whose number is new in 2024 although kommuner_historic.csv does not
# cover them: everything in the re-established counties, and Ålesund/Haram (split 2024).
NEW_IN_2024_COUNTIES = {"31", "32", "33", "39", "40", "55", "56"}
NEW_IN_2024_MUNICIPALITIES = {"1508", "1580"}
JAN_1_2024 = datetime.date(2024, 1, 1)

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


@transaction.atomic
def load_gardens(*, data_dir: Path, tally: Tally) -> LoadedGardens:
    """Load municipalities, industry codes and the seed's organisations, gardens and networks."""
    # Read and check every file before writing anything.
    current_rows = _read_kommuner(data_dir / KOMMUNER_FILE)
    historic_rows = _read_historic(
        data_dir / HISTORIC_FILE, current_numbers={r["kommunenummer"] for r in current_rows}
    )
    nace_rows = _read_nace(data_dir / NACE_FILE)
    seed = read_yaml(data_dir / SEED_FILE, lists=["organisations", "gardens", "networks"])
    texts = read_yaml(data_dir / TEXTS_FILE, mappings=["organisations", "gardens", "networks", "notes"])

    counties = _load_counties(current_rows, historic_rows, tally)
    current = _load_municipalities(current_rows, historic_rows, counties, tally)
    _load_industry_codes(nace_rows, tally)
    with malformed_as_load_error(SEED_FILE):
        return _load_seed(seed, texts, current, tally)


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


def _read_historic(path: Path, *, current_numbers: set[str]) -> list[dict[str, Any]]:
    rows = read_csv(
        path,
        [
            "old_number",
            "old_name",
            "old_county",
            "old_valid_to",
            "new_number",
            "new_name",
            "new_county",
            "new_valid_from",
            "change_type",
            "number_2024",
            "name_2024",
            "note",
        ],
    )
    parsed = []
    for line, row in enumerate(rows, start=2):
        for key in ("old_number", "new_number"):
            require(re.fullmatch(r"\d{4}", row[key]) is not None, path.name, line, f"bad {key} {row[key]!r}")
        for key in ("old_valid_to", "new_valid_from"):
            require(re.fullmatch(r"\d{4}", row[key]) is not None, path.name, line, f"bad year {row[key]!r}")
        require(
            row["change_type"] in MunicipalityChange.Kind.values,
            path.name,
            line,
            f"unknown change_type {row['change_type']!r}",
        )
        require(
            row["old_number"] not in current_numbers,
            path.name,
            line,
            f"old number {row['old_number']} is also a current number",
        )
        for part in row["number_2024"].split("|"):
            require(
                part in current_numbers, path.name, line, f"number_2024 {part} is not in {KOMMUNER_FILE}"
            )
        parsed.append(
            {**row, "old_valid_to": int(row["old_valid_to"]), "new_valid_from": int(row["new_valid_from"])}
        )
    # A number that is neither current nor ended in some row has no row to point at.
    old_numbers = {row["old_number"] for row in parsed}
    for line, row in enumerate(parsed, start=2):
        require(
            row["new_number"] in current_numbers or row["new_number"] in old_numbers,
            path.name,
            line,
            f"new number {row['new_number']} is neither current nor ended in a later change",
        )
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


def _dec31(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


def _load_counties(current_rows, historic_rows, tally: Tally) -> dict[str, County]:
    """Current and historic counties, by name (the historic CSV names counties, not numbers)."""
    wanted: dict[str, tuple[str, datetime.date | None, datetime.date | None]] = {}
    for row in current_rows:
        number = row["county_number"]
        wanted[row["county_name"]] = (number, COUNTY_VALID_FROM.get(number), None)
    for row in historic_rows:
        for name in (row["old_county"], row["new_county"]):
            if name in wanted:
                continue
            if name not in HISTORIC_COUNTIES:
                raise LoadError(f"{HISTORIC_FILE}: unknown county {name!r}")
            number, valid_to = HISTORIC_COUNTIES[name]
            wanted[name] = (number, None, valid_to)
    counties = {}
    for name, (number, valid_from, valid_to) in sorted(wanted.items(), key=lambda item: item[1][0]):
        counties[name] = upsert(
            County,
            tally,
            lookup={"number": number, "name": name},
            values={"valid_from": valid_from, "valid_to": valid_to},
        )
    return counties


def _load_municipalities(current_rows, historic_rows, counties, tally: Tally) -> dict[str, Municipality]:
    """Every current municipality and every number one has had; the changes between them.

    Returns the current rows by number.
    """
    first_new_year: dict[str, int] = {}
    for row in historic_rows:
        year = first_new_year.get(row["new_number"], row["new_valid_from"])
        first_new_year[row["new_number"]] = min(year, row["new_valid_from"])

    rows = []
    for row in current_rows:
        number = row["kommunenummer"]
        if number in first_new_year:
            valid_from = _jan1(first_new_year[number])
        elif row["county_number"] in NEW_IN_2024_COUNTIES or number in NEW_IN_2024_MUNICIPALITIES:
            valid_from = JAN_1_2024
        else:
            valid_from = None  # unchanged since before our records
        rows.append(
            {
                "number": number,
                "name": row["name"],
                "official_name": row["official_name"],
                "county_id": counties[row["county_name"]].pk,
                "valid_from": valid_from,
                "valid_to": None,
            }
        )

    # An old number may end in several rows (a split); it is one municipality row.
    historic: dict[str, dict[str, Any]] = {}
    for row in historic_rows:
        number = row["old_number"]
        values = {
            "number": number,
            "name": row["old_name"],
            "official_name": "",
            "county_id": counties[row["old_county"]].pk,
            "valid_from": _jan1(first_new_year[number]) if number in first_new_year else None,
            "valid_to": _dec31(row["old_valid_to"]),
        }
        if historic.setdefault(number, values) != values:
            raise LoadError(f"{HISTORIC_FILE}: old number {number} is described in two different ways")
    rows.extend(historic.values())

    existing = {(m.number, m.name): m for m in Municipality.objects.all()}
    by_key = sync_bulk(Municipality, tally, key=("number", "name"), rows=rows, existing=existing)
    current = {row["kommunenummer"]: by_key[(row["kommunenummer"], row["name"])] for row in current_rows}
    old = {number: by_key[(number, values["name"])] for number, values in historic.items()}

    change_rows = []
    for row in historic_rows:
        # new_name is SSB's form of the year ("Våler (Innlandet)"); a current number always
        # means the current row, so the name is not used to find it.
        new = current.get(row["new_number"]) or old[row["new_number"]]
        change_rows.append(
            {
                "old_id": old[row["old_number"]].pk,
                "new_id": new.pk,
                "effective": _jan1(row["new_valid_from"]),
                "kind": row["change_type"],
                "note": row["note"],
            }
        )
    existing_changes = {(c.old_id, c.new_id): c for c in MunicipalityChange.objects.all()}
    sync_bulk(
        MunicipalityChange, tally, key=("old_id", "new_id"), rows=change_rows, existing=existing_changes
    )
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
                "source": sources(data.get("source")),
            },
        )
        gardens[data["id"]] = garden
        _load_statuses(garden, data, garden_texts.get("statuses", {}), texts["notes"], tally)
        named_municipalities[data["id"]] = _load_coverage(garden, data, current, texts["notes"], tally)

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
                "source": sources(data.get("source")),
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
    )


def _load_statuses(
    garden: Garden, data: dict[str, Any], descriptions: dict[str, str], notes: dict[str, str], tally: Tally
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
            "source": sources(*(fact.get("source") for fact in in_programme))
            or sources(data.get("source")),
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
                    "source": sources(fact.get("source")),
                    "is_inferred": fact["status"] != "stated",
                    "inference_note": one_line(fact.get("reasoning", "")),
                },
            )


def _status_description(descriptions: dict[str, str], kind: str, facts: list[dict[str, Any]]) -> str:
    """The portal's text for the status, or else the seed's facts."""
    return descriptions.get(kind) or " ".join(fact["fact"] for fact in facts)


def _load_coverage(
    garden: Garden, data: dict[str, Any], current: dict[str, Municipality], notes: dict[str, str], tally: Tally
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
        source = sources(block.get("source")) or sources(data.get("source"))
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
    history_sources = sources(*(phase.get("source") for phase in history))
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
        source = sources(phase.get("source")) or history_sources
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
