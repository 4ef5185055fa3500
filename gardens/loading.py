"""Load the reference data and the seed network (`manage.py load_network`).

Reads data/reference/: the counties and municipalities of 2024 plus the numbers they had
before the 2018–2020 mergers, the SN2007 industry codes, and the gardens, network,
agreements and project described in the seed press articles (network_seed.yaml).
Everything is written in one transaction and keyed on natural keys, so a second run
changes nothing and a broken file leaves the database as it was.
"""

import csv
import datetime
import re
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import models, transaction
from django.utils.text import slugify

from agreements.models import Agreement, AgreementParty, CooperationArea, Organisation, Signatory
from projects.models import FundingCall, Grant, Project, ProjectPartner

from .audit import audit_record
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
)

DEFAULT_DATA_DIR = Path(settings.BASE_DIR) / "data" / "reference"

KOMMUNER_FILE = "kommuner.csv"
HISTORIC_FILE = "kommuner_historic.csv"
NACE_FILE = "nace_sn2007.csv"
SEED_FILE = "network_seed.yaml"

AUDIT_ACTION = "gardens.network.loaded"

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

# Short bokmål texts for the portal, written from the facts in network_seed.yaml
# (the yaml itself records the facts in English).
ORGANISATION_DESCRIPTIONS = {
    "siva": (
        "Det nasjonale selskapet for industrivekst, i Trondheim. Driver det nasjonale "
        "næringshageprogrammet og gir prosjektmidler på vegne av Kommunal- og moderniseringsdepartementet."
    ),
    "kmd": "Departementet som Siva bevilget prosjektmidler til næringshagene på vegne av.",
    "hedmark_fylkeskommune": (
        "Fylkeskommunen i Hedmark, slått sammen med Oppland til Innlandet 1. januar 2020. Var til stede "
        "da næringshagene i Hedmark signerte samarbeidsavtalen."
    ),
    "sintef": (
        "Forskningsinstitutt. Rørosregionen Næringshage samarbeider tett med SINTEF Teknologi i Trondheim."
    ),
    "naeringshageprogrammet": "Det nasjonale programmet for næringshager, drevet av Siva.",
    "blatt_kompetansesenter": (
        "Samlokalisering av næringsliv, akademia og innovasjonsmiljø på Frøya; Trøndersk Kystkompetanse "
        "var med og realiserte det."
    ),
}
GARDEN_DESCRIPTIONS = {
    "solor_naeringshage": (
        "Næringshage i sørfylket i daværende Hedmark. Hadde i mange år kontrakt med Siva som "
        "utviklingsmiljø i sine kommuner, men går ut av Siva-ordningene. Har lagt vekt på "
        "målbedriftsarbeid og starthjelp til gründere; arbeidet videreføres i Sør-Hedmark Næringspark "
        "sammen med Magnor og Odal."
    ),
    "magnor_naeringshage": (
        "Næringshage i sørfylket i daværende Hedmark. Fikk fra 2017 en regional rolle fra Siva: "
        "utviklingsmidler til målbedrifts- og klyngearbeid i regionen kanaliseres gjennom Magnor. "
        "Med i Sør-Hedmark Næringspark."
    ),
    "odal_naeringshage": (
        "Næringshage i sørfylket i daværende Hedmark, i mange år med kontrakt med Siva som "
        "utviklingsmiljø. Med i Sør-Hedmark Næringspark."
    ),
    "sor_osterdal_naeringshage": (
        "Næringshage i daværende Hedmark; en av de fire næringshagene som inngikk samarbeidsavtalen "
        "mellom næringshagene i Hedmark."
    ),
    "rorosregionen_naeringshage": (
        "Et kompetansenettverk, ikke et hus. Dekket først Røros og Holtålen og har utvidet til "
        "Nord-Østerdalen. Siva er medeier. Samarbeider tett med lokalmatmiljøet, industribedrifter og "
        "gründere i regionen, og med SINTEF Teknologi og andre FoU-miljøer."
    ),
    "trondersk_kystkompetanse": (
        "Sentral aktør i næringsutviklingen på Hitra og Frøya; var med og realiserte Blått "
        "kompetansesenter på Frøya."
    ),
    "naeringshagen_i_orkdalsregionen": (
        "Har i flere år lykkes med kompetansebygging i næringslivet i regionen og har attraktiv "
        "kompetanse i forretningsutvikling."
    ),
    "nasjonalparken_naeringshage": (
        "Har hele regionen Oppdal, Rennebu og Midtre Gauldal som arbeidsområde, og god kompetanse på å "
        "koble næringsliv og forskning."
    ),
}
_SIVA_CONTRACT = "Hadde i mange år kontrakt med Siva som utviklingsmiljø."
_SIVA_PARTNER = "En av Sivas næringshager («Siva-partnere») bak Regionalt Kraftsenter Midt-Norge."
STATUS_DESCRIPTIONS = {
    ("solor_naeringshage", GardenStatus.Kind.IN_PROGRAMME): _SIVA_CONTRACT,
    ("solor_naeringshage", GardenStatus.Kind.LEFT_PROGRAMME): (
        "Går ut av Siva-ordningene; målbedriftene fikk derfor et alternativ i Sør-Hedmark Næringspark. "
        "Datoen for utmeldingen er ikke oppgitt."
    ),
    ("magnor_naeringshage", GardenStatus.Kind.IN_PROGRAMME): _SIVA_CONTRACT,
    ("magnor_naeringshage", GardenStatus.Kind.REGIONAL_ROLE): (
        "Fra 2017 regional rolle fra Siva: utviklingsmidler til målbedrifts- og klyngearbeid i regionen "
        "kanaliseres gjennom Magnor. Hvor stor «regionen» er, står ikke i artikkelen."
    ),
    ("odal_naeringshage", GardenStatus.Kind.IN_PROGRAMME): _SIVA_CONTRACT,
    ("sor_osterdal_naeringshage", GardenStatus.Kind.IN_PROGRAMME): "Ikke oppgitt i artiklene (antatt).",
    ("rorosregionen_naeringshage", GardenStatus.Kind.IN_PROGRAMME): f"{_SIVA_PARTNER} Siva er medeier.",
    ("trondersk_kystkompetanse", GardenStatus.Kind.IN_PROGRAMME): _SIVA_PARTNER,
    ("naeringshagen_i_orkdalsregionen", GardenStatus.Kind.IN_PROGRAMME): _SIVA_PARTNER,
    ("nasjonalparken_naeringshage", GardenStatus.Kind.IN_PROGRAMME): _SIVA_PARTNER,
}
STATUS_NOT_STATED_NOTE = (
    "The articles do not say whether the garden had Siva status (listed under not_stated in "
    "network_seed.yaml). Assumed in the programme because it is one of the four Hedmark gardens that "
    "signed a cooperation agreement at Sivanett, with Siva's section head for business gardens present."
)
SPLIT_CANDIDATE_NOTE = (
    "A municipality split in 2020 (Snillfjord) is not added on its own: which part belonged to the "
    "garden cannot be told."
)
NETWORK_TEXTS = {
    "sor_hedmark_naeringspark": (
        "Paraply for næringshager",
        "Næringshagene i sørfylket av Hedmark – Solør, Magnor og Odal – formaliserte et tettere samarbeid "
        "under paraplyen Sør-Hedmark Næringspark. Formålet er å samle ressursene og tilby bred kompetanse "
        "til næringslivet i hele regionen; seks personer skal jobbe i nettverket. Nettverket viderefører "
        "Solørs målbedriftsarbeid når Solør går ut av Siva-ordningene.",
    ),
}
# The lead garden is not stated for any project in the articles; where the portal needs
# one, it is inferred and says why.
PROJECT_LEADS = {
    "regionalt_kraftsenter_midt_norge": (
        "rorosregionen_naeringshage",
        "The lead garden is not stated. Rørosregionen Næringshage is assumed because Sigrid M. Jansen, "
        "its daglig leder, is the named contact and speaks for the project.",
    ),
}
PROJECT_DURATION_YEARS = {"regionalt_kraftsenter_midt_norge": 3}  # yaml: 'three years ("treårsperiode")'
FUNDING_CALL = {
    "name": "Sivas utlysning av utviklingsprosjekter i næringshageprogrammet",
    "total_amount": Decimal("30000000.00"),
    "description": (
        "Siva utfordret i mai næringshagene i sitt nettverk til å foreslå utviklingsprosjekter for økt "
        "verdiskaping og tettere regionalt samarbeid. Fem prosjekter ble realisert og deler en "
        "ekstrabevilgning på 30 millioner kroner over tre år, på vegne av Kommunal- og "
        "moderniseringsdepartementet."
    ),
}
GRANT_NOTE = "fordelt over tre år"


# What the loader writes; load_network returns a row count for each.
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
    Agreement,
    AgreementParty,
    Signatory,
    CooperationArea,
    FundingCall,
    Project,
    ProjectPartner,
    Grant,
]


class LoadError(Exception):
    """A reference data file is missing or malformed; nothing was written."""


def slugify_nb(value: str) -> str:
    """A slug that keeps Norwegian letters readable (Rørosregionen → rorosregionen).

    Django's slugify drops æ and ø, which do not decompose to ASCII; Django's admin
    (urlify.js) writes them as ae and o, and so do we.
    """
    table = str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "å": "a", "Å": "A"})
    return slugify(value.translate(table))


def load_network(*, data_dir: Path | None = None) -> dict[str, int]:
    """Load municipalities, industry codes and the seed network; return row counts per model."""
    data_dir = Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR
    if not data_dir.is_dir():
        raise LoadError(f"Data directory not found: {data_dir}")
    # Read and check every file before writing anything.
    current_rows = _read_kommuner(data_dir / KOMMUNER_FILE)
    historic_rows = _read_historic(
        data_dir / HISTORIC_FILE, current_numbers={r["kommunenummer"] for r in current_rows}
    )
    nace_rows = _read_nace(data_dir / NACE_FILE)
    seed = _read_seed(data_dir / SEED_FILE)

    tally = _Tally()
    with transaction.atomic():
        counties = _load_counties(current_rows, historic_rows, tally)
        current = _load_municipalities(current_rows, historic_rows, counties, tally)
        _load_industry_codes(nace_rows, tally)
        try:
            _load_seed(seed, current, tally)
        except KeyError as exc:
            raise LoadError(f"{SEED_FILE} is malformed: missing key or id {exc.args[0]!r}") from exc
        except (TypeError, ValueError, AttributeError) as exc:
            raise LoadError(f"{SEED_FILE} is malformed: {exc}") from exc
        # The agreements' obligations and this year's expected meetings (idempotent; audited there).
        from agreements.loading import load_agreement_obligations

        load_agreement_obligations()
        counts = {model._meta.label: model.objects.count() for model in LOADED_MODELS}
        if tally.changed:
            audit_record(
                action=AUDIT_ACTION,
                actor_label="load_network",
                changes={"counts": counts, "created": dict(tally.created), "updated": dict(tally.updated)},
            )
    return counts


# --- reading and checking the files ---------------------------------------------------------


def _read_csv(path: Path, columns: Iterable[str]) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV file as dicts of stripped strings, with the required columns."""
    if not path.is_file():
        raise LoadError(f"Data file not found: {path}")
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = set(columns) - set(reader.fieldnames or [])
            if missing:
                raise LoadError(f"{path.name}: missing column(s) {', '.join(sorted(missing))}")
            rows = []
            for row in reader:
                if None in row or None in row.values():
                    raise LoadError(f"{path.name}, line {reader.line_num}: wrong number of fields")
                rows.append({key: value.strip() for key, value in row.items()})
    except (UnicodeDecodeError, csv.Error) as exc:
        raise LoadError(f"{path.name}: cannot be read as UTF-8 CSV ({exc})") from exc
    if not rows:
        raise LoadError(f"{path.name}: no rows")
    return rows


def _require(condition: bool, path_name: str, line: int, message: str) -> None:
    if not condition:
        raise LoadError(f"{path_name}, line {line}: {message}")


def _read_kommuner(path: Path) -> list[dict[str, str]]:
    rows = _read_csv(path, ["kommunenummer", "name", "county_number", "county_name", "official_name"])
    seen: set[str] = set()
    county_names: dict[str, str] = {}
    for line, row in enumerate(rows, start=2):
        number = row["kommunenummer"]
        _require(re.fullmatch(r"\d{4}", number) is not None, path.name, line, f"bad kommunenummer {number!r}")
        _require(number not in seen, path.name, line, f"kommunenummer {number} occurs twice")
        _require(
            row["county_number"] == number[:2], path.name, line, "county_number is not the first two digits"
        )
        _require(bool(row["name"] and row["county_name"]), path.name, line, "empty name")
        known = county_names.setdefault(row["county_number"], row["county_name"])
        _require(known == row["county_name"], path.name, line, f"county {row['county_number']} has two names")
        seen.add(number)
    return rows


def _read_historic(path: Path, *, current_numbers: set[str]) -> list[dict[str, Any]]:
    rows = _read_csv(
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
            _require(re.fullmatch(r"\d{4}", row[key]) is not None, path.name, line, f"bad {key} {row[key]!r}")
        for key in ("old_valid_to", "new_valid_from"):
            _require(re.fullmatch(r"\d{4}", row[key]) is not None, path.name, line, f"bad year {row[key]!r}")
        _require(
            row["change_type"] in MunicipalityChange.Kind.values,
            path.name,
            line,
            f"unknown change_type {row['change_type']!r}",
        )
        _require(
            row["old_number"] not in current_numbers,
            path.name,
            line,
            f"old number {row['old_number']} is also a current number",
        )
        for part in row["number_2024"].split("|"):
            _require(
                part in current_numbers, path.name, line, f"number_2024 {part} is not in {KOMMUNER_FILE}"
            )
        parsed.append(
            {**row, "old_valid_to": int(row["old_valid_to"]), "new_valid_from": int(row["new_valid_from"])}
        )
    # A number that is neither current nor ended in some row has no row to point at.
    old_numbers = {row["old_number"] for row in parsed}
    for line, row in enumerate(parsed, start=2):
        _require(
            row["new_number"] in current_numbers or row["new_number"] in old_numbers,
            path.name,
            line,
            f"new number {row['new_number']} is neither current nor ended in a later change",
        )
    return parsed


def _read_nace(path: Path) -> list[dict[str, Any]]:
    rows = _read_csv(path, ["code", "level", "parent_code", "section", "name", "short_name"])
    levels: dict[str, int] = {}
    parsed = []
    for line, row in enumerate(rows, start=2):
        code = row["code"]
        _require(0 < len(code) <= 6, path.name, line, f"bad code {code!r}")
        _require(code not in levels, path.name, line, f"code {code} occurs twice")
        _require(row["level"] in {"1", "2", "3", "4", "5"}, path.name, line, f"bad level {row['level']!r}")
        level = int(row["level"])
        if level == 1:
            _require(not row["parent_code"], path.name, line, "a section has no parent")
        else:
            # Parents come before their children in the file; checked so the load can go level by level.
            _require(
                levels.get(row["parent_code"]) == level - 1,
                path.name,
                line,
                f"parent {row['parent_code']!r} is not a known code one level up",
            )
        _require(len(row["section"]) == 1 and bool(row["name"]), path.name, line, "bad section or empty name")
        levels[code] = level
        parsed.append({**row, "level": level})
    return parsed


def _read_seed(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise LoadError(f"Data file not found: {path}")
    try:
        seed = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise LoadError(f"{path.name}: not valid YAML ({exc})") from exc
    required = ["organisations", "gardens", "networks", "cooperation_agreements", "projects", "people"]
    if not isinstance(seed, dict) or any(not isinstance(seed.get(key), list) for key in required):
        raise LoadError(f"{path.name}: expected the top-level lists {', '.join(required)}")
    return seed


# --- writing: natural keys, create what is missing, update what differs -----------------------


class _Tally:
    """What a run created and updated, per model, for the audit entry."""

    def __init__(self) -> None:
        self.created: Counter[str] = Counter()
        self.updated: Counter[str] = Counter()

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _attname_values(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    """`values` with foreign keys as ids, so comparing them costs no query."""
    result = {}
    for name, value in values.items():
        field = model._meta.get_field(name)
        if field.many_to_one:
            result[field.attname] = value.pk if isinstance(value, models.Model) else value
        else:
            result[name] = value
    return result


def _upsert(
    model: type[models.Model], tally: _Tally, *, lookup: dict[str, Any], values: dict[str, Any] | None = None
):
    """get_or_create on the natural key `lookup`, then update only the fields that differ.

    Unlike update_or_create this saves nothing when nothing changed, so a second run is
    a true no-op. `lookup` may hold None: filter() turns it into IS NULL, which a unique
    constraint alone would not (NULLs are distinct in SQL).
    """
    values = _attname_values(model, values or {})
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        tally.created[model._meta.label] += 1
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        tally.updated[model._meta.label] += 1
    return obj


def _sync_bulk(
    model: type[models.Model],
    tally: _Tally,
    *,
    key: tuple[str, ...],
    rows: list[dict[str, Any]],
    existing: dict[tuple, models.Model],
) -> dict[tuple, models.Model]:
    """Bulk version of `_upsert` for the big tables; `rows` use attnames (county_id).

    Returns every row by natural key, including the existing ones.
    """
    to_create, to_update, changed_fields = [], [], set()
    result = {}
    for values in rows:
        natural_key = tuple(values[name] for name in key)
        obj = existing.get(natural_key)
        if obj is None:
            obj = model(**values)
            to_create.append(obj)
        else:
            changed = [name for name, value in values.items() if getattr(obj, name) != value]
            if changed:
                for name in changed:
                    setattr(obj, name, values[name])
                to_update.append(obj)
                changed_fields.update(changed)
        result[natural_key] = obj
    if to_create:
        model.objects.bulk_create(to_create, batch_size=500)
        tally.created[model._meta.label] += len(to_create)
        if to_create[0].pk is None:  # a database that cannot return ids from a bulk insert
            fresh = {tuple(getattr(o, name) for name in key): o for o in model.objects.all()}
            result = {natural_key: fresh[natural_key] for natural_key in result}
    if to_update:
        model.objects.bulk_update(to_update, sorted(changed_fields), batch_size=500)
        tally.updated[model._meta.label] += len(to_update)
    return result


def _jan1(year: int) -> datetime.date:
    return datetime.date(year, 1, 1)


def _dec31(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


# --- counties, municipalities, industry codes --------------------------------------------------


def _load_counties(current_rows, historic_rows, tally: _Tally) -> dict[str, County]:
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
        counties[name] = _upsert(
            County,
            tally,
            lookup={"number": number, "name": name},
            values={"valid_from": valid_from, "valid_to": valid_to},
        )
    return counties


def _load_municipalities(current_rows, historic_rows, counties, tally: _Tally) -> dict[str, Municipality]:
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
    by_key = _sync_bulk(Municipality, tally, key=("number", "name"), rows=rows, existing=existing)
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
    _sync_bulk(
        MunicipalityChange, tally, key=("old_id", "new_id"), rows=change_rows, existing=existing_changes
    )
    return current


def _load_industry_codes(nace_rows, tally: _Tally) -> None:
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
        loaded = _sync_bulk(IndustryCode, tally, key=("code",), rows=rows, existing=existing)
        ids.update({code: obj.pk for (code,), obj in loaded.items()})


# --- the seed network -----------------------------------------------------------------------


def _sources(*values: Any) -> str:
    """The seed file names in `values` (strings or lists), in order, without repeats."""
    names: list[str] = []
    for value in values:
        for name in [value] if isinstance(value, str) else value or []:
            if name not in names:
                names.append(name)
    return ", ".join(names)[:300]


def _stated_text(value: Any) -> str:
    """A free-text field from the yaml, or '' where it says the fact is not stated."""
    if not isinstance(value, str) or value.strip().lower().startswith("not stated"):
        return ""
    return " ".join(value.split())


def _load_seed(seed: dict[str, Any], current: dict[str, Municipality], tally: _Tally) -> None:
    people = {person["id"]: person for person in seed["people"]}

    organisations = {}
    for org in seed["organisations"]:
        organisations[org["id"]] = _upsert(
            Organisation,
            tally,
            lookup={"name": org["name"]},
            values={
                "short_name": org.get("short_name", ""),
                "slug": slugify_nb(org["name"]),
                "kind": ORGANISATION_KINDS.get(org["id"], Organisation.Kind.OTHER),
                "description": ORGANISATION_DESCRIPTIONS.get(org["id"], ""),
            },
        )

    gardens: dict[str, Garden] = {}
    named_municipalities: dict[str, list[str]] = {}
    for data in seed["gardens"]:
        garden = _upsert(
            Garden,
            tally,
            lookup={"name": data["name"]},
            values={
                "slug": slugify_nb(data["name"]),
                "legal_form": data.get("legal_form", ""),
                "description": GARDEN_DESCRIPTIONS.get(data["id"], ""),
                "source": _sources(data.get("source")),
            },
        )
        gardens[data["id"]] = garden
        _load_statuses(garden, data, tally)
        named_municipalities[data["id"]] = _load_coverage(garden, data, current, tally)

    for data in seed["networks"]:
        kind, description = NETWORK_TEXTS.get(data["id"], (data.get("type", ""), ""))
        network = _upsert(
            Network,
            tally,
            lookup={"name": data["name"]},
            values={
                "slug": slugify_nb(data["name"]),
                "kind": kind,
                "description": description,
                "source": _sources(data.get("source")),
            },
        )
        for garden_id in data["members"]:
            _upsert(NetworkMembership, tally, lookup={"network": network, "garden": gardens[garden_id]})
        # The umbrella is also the gardens' agreement with each other (kind "umbrella"), so it
        # shows with the other agreements and can carry meetings and documents.
        umbrella = _upsert(
            Agreement,
            tally,
            lookup={"name": data["name"]},
            values={
                "slug": slugify_nb(data["name"])[:100],
                "kind": Agreement.Kind.UMBRELLA,
                "purpose": description,
                "signed_when_note": "kunngjort på en pressekonferanse en tirsdag (dato ikke oppgitt)",
                "source": _sources(data.get("source")),
            },
        )
        for garden_id in data["members"]:
            _upsert(AgreementParty, tally, lookup={"agreement": umbrella, "garden": gardens[garden_id]})

    for data in seed["cooperation_agreements"]:
        _load_agreement(data, gardens, people, tally)

    for data in seed["projects"]:
        _load_project(data, gardens, organisations, named_municipalities, current, tally)


def _load_statuses(garden: Garden, data: dict[str, Any], tally: _Tally) -> None:
    """In the programme for every garden; a regional role (from_year) and leaving where stated."""
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
    _upsert(
        GardenStatus,
        tally,
        lookup={"garden": garden, "kind": GardenStatus.Kind.IN_PROGRAMME, "valid_from": None},
        values={
            "description": _status_description(data["id"], GardenStatus.Kind.IN_PROGRAMME, in_programme),
            "source": _sources(*(fact.get("source") for fact in in_programme))
            or _sources(data.get("source")),
            "is_inferred": not stated,
            "inference_note": "" if stated else STATUS_NOT_STATED_NOTE,
        },
    )
    for kind in (GardenStatus.Kind.REGIONAL_ROLE, GardenStatus.Kind.LEFT_PROGRAMME):
        for fact in by_kind.get(kind, []):
            # Only the regional role has a start; Solør's exit date is not stated.
            valid_from = _jan1(int(fact["from_year"])) if fact.get("from_year") else None
            _upsert(
                GardenStatus,
                tally,
                lookup={"garden": garden, "kind": kind, "valid_from": valid_from},
                values={
                    "description": _status_description(data["id"], kind, [fact]),
                    "source": _sources(fact.get("source")),
                    "is_inferred": fact["status"] != "stated",
                    "inference_note": " ".join(str(fact.get("reasoning", "")).split()),
                },
            )


def _status_description(garden_id: str, kind: str, facts: list[dict[str, Any]]) -> str:
    return STATUS_DESCRIPTIONS.get((garden_id, kind)) or " ".join(fact["fact"] for fact in facts)


def _load_coverage(
    garden: Garden, data: dict[str, Any], current: dict[str, Municipality], tally: _Tally
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
        note = " ".join(str(block.get("reasoning", "")).split())
        if inferred and block.get("confidence"):
            note = f"{note} (confidence: {block['confidence']})"
        items = block.get("list") or block.get("candidates") or []
        if any("|" in item["kommunenummer_2024"] for item in items):
            note = f"{note} {SPLIT_CANDIDATE_NOTE}"
        source = _sources(block.get("source")) or _sources(data.get("source"))
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
    history_sources = _sources(*(phase.get("source") for phase in history))
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
        note = " ".join(str(phase.get("reasoning", "")).split())
        if inferred and phase.get("confidence"):
            note = f"{note} (confidence: {phase['confidence']})"
        # The inferred phase has no source of its own: it rests on the stated phases.
        source = _sources(phase.get("source")) or history_sources
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
        _upsert(
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


def _load_agreement(
    data: dict[str, Any], gardens: dict[str, Garden], people: dict[str, Any], tally: _Tally
) -> None:
    purpose_parts = [data.get("nature"), data.get("context"), data.get("main_goal")]
    if data.get("possible_areas"):
        purpose_parts.append("Possible areas: " + "; ".join(data["possible_areas"]) + ".")
    if data.get("terms"):
        purpose_parts.append("Terms: " + "; ".join(data["terms"]) + ".")
    agreement = _upsert(
        Agreement,
        tally,
        lookup={"name": data["name"]},
        values={
            "slug": slugify_nb(data["name"])[:100],
            "kind": Agreement.Kind.NETWORK,
            "purpose": "\n\n".join(" ".join(part.split()) for part in purpose_parts if part),
            "signed_when_note": _stated_text(data.get("date"))[:200],
            "signed_place": _stated_text(data.get("place"))[:200],
            "source": _sources(data.get("source")),
        },
    )
    parties = {
        garden_id: _upsert(
            AgreementParty, tally, lookup={"agreement": agreement, "garden": gardens[garden_id]}
        )
        for garden_id in data["parties"]
    }
    source = _sources(data.get("source"))
    for block_name, role in (("signed_by", Signatory.Role.SIGNED), ("also_present", Signatory.Role.PRESENT)):
        block = data.get(block_name)
        if not isinstance(block, dict):  # "not stated"
            continue
        for person_id in block["people"]:
            person = people[person_id]
            # Those present (county, Siva) are not recorded as parties: the article does not
            # say they signed as such.
            party = parties.get(person.get("organisation")) if role == Signatory.Role.SIGNED else None
            _upsert(
                Signatory,
                tally,
                lookup={"agreement": agreement, "name": person["name"]},
                values={
                    "title": _stated_text(person.get("title"))[:200],
                    "role": role,
                    "party": party,
                    "source": source,
                    "is_inferred": block["status"] != "stated",
                },
            )
    for position, description in enumerate(data.get("covers") or []):
        _upsert(
            CooperationArea,
            tally,
            lookup={"agreement": agreement, "description": description[:300]},
            values={"position": position},
        )


def _load_project(
    data: dict[str, Any],
    gardens: dict[str, Garden],
    organisations: dict[str, Organisation],
    named_municipalities: dict[str, list[str]],
    current: dict[str, Municipality],
    tally: _Tally,
) -> None:
    siva, kmd = organisations["siva"], organisations["kmd"]
    call = _upsert(
        FundingCall,
        tally,
        lookup={"name": FUNDING_CALL["name"]},
        values={
            "funder": siva,
            "total_amount": FUNDING_CALL["total_amount"],
            "description": FUNDING_CALL["description"],
            "source": _sources(data.get("source")),
        },
    )
    coverage = data["coverage"]
    identified = coverage.get("identified_in_articles") or {}
    lead_id, lead_note = PROJECT_LEADS.get(data["id"], (None, ""))
    notes = [lead_note, " ".join(str(identified.get("reasoning", "")).split())]
    project = _upsert(
        Project,
        tally,
        lookup={"name": data["name"]},
        values={
            "slug": slugify_nb(data["name"])[:100],
            "purpose": "\n".join(f"– {line}" for line in data.get("purpose") or []),
            "lead_garden": gardens[lead_id] if lead_id else None,
            "municipality_count_stated": coverage.get("municipalities_total"),
            "duration_years": PROJECT_DURATION_YEARS.get(data["id"]),
            "call": call,
            "source": _sources(data.get("source")),
            "is_inferred": bool(lead_id) or identified.get("status") == "inferred",
            "inference_note": " ".join(note for note in notes if note),
        },
    )
    for garden_id in data["partners"]:
        _upsert(ProjectPartner, tally, lookup={"project": project, "garden": gardens[garden_id]})

    # The municipalities the articles name for the partner gardens (13 of the stated 25).
    numbers = list(
        dict.fromkeys(n for garden_id in data["partners"] for n in named_municipalities[garden_id])
    )
    wanted = {current[number].pk for number in numbers}
    have = set(project.municipalities.values_list("pk", flat=True))
    if not wanted <= have:
        project.municipalities.add(*(wanted - have))
        tally.created["projects.Project.municipalities"] += len(wanted - have)

    funding = data["funding"]
    # One grant for the whole period: the articles give no yearly split, so none is invented.
    # If a partner admin has since split it into years from the grant letter, loading again
    # must not add the whole-period grant back (that would count the money twice).
    if Grant.objects.filter(project=project, funder=siva, year__isnull=False).exists():
        return
    _upsert(
        Grant,
        tally,
        lookup={"project": project, "funder": siva, "year": None},
        values={
            "on_behalf_of": kmd,
            "amount": Decimal(str(funding["amount_nok"])).quantize(Decimal("0.01")),
            "note": GRANT_NOTE,
        },
    )
