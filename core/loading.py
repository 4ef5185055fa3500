"""What every app's data loader shares: reading the files strictly and writing idempotently.

Each app loads its own part of data/reference/ (gardens → agreements → projects, called by
`manage.py load_network` in one transaction). The loaders read and check their files before
writing, key every row on a natural key, and save only what differs, so a second run changes
nothing and a broken file raises LoadError. This module knows no app of ours.
"""

import csv
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import models

DEFAULT_DATA_DIR = Path(settings.BASE_DIR) / "data" / "reference"


class LoadError(Exception):
    """A reference data file is missing or malformed; nothing was written."""


def data_directory(data_dir: Path | str | None) -> Path:
    """`data_dir`, or data/reference/ when None; a LoadError when it is not a folder."""
    path = Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR
    if not path.is_dir():
        raise LoadError(f"Data directory not found: {path}")
    return path


# --- reading and checking the files ---------------------------------------------------------


def read_csv(path: Path, columns: Iterable[str]) -> list[dict[str, str]]:
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


def require(condition: bool, path_name: str, line: int, message: str) -> None:
    """A LoadError naming the file and line unless `condition` holds."""
    if not condition:
        raise LoadError(f"{path_name}, line {line}: {message}")


def read_yaml(path: Path, *, lists: Iterable[str] = (), mappings: Iterable[str] = ()) -> dict[str, Any]:
    """A UTF-8 YAML file whose top level is a mapping with (at least) these lists and mappings."""
    if not path.is_file():
        raise LoadError(f"Data file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise LoadError(f"{path.name}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise LoadError(f"{path.name}: expected a mapping at the top level")
    check_top_level(data, path.name, lists=lists, mappings=mappings)
    return data


def check_top_level(
    data: dict[str, Any], file_name: str, *, lists: Iterable[str] = (), mappings: Iterable[str] = ()
) -> None:
    """A LoadError unless the YAML `data` has these top-level lists and mappings.

    A file several apps load from is checked part by part: each loader names what it reads.
    """
    lists, mappings = list(lists), list(mappings)
    if any(not isinstance(data.get(key), list) for key in lists):
        raise LoadError(f"{file_name}: expected the top-level lists {', '.join(lists)}")
    if any(not isinstance(data.get(key), dict) for key in mappings):
        raise LoadError(f"{file_name}: expected the top-level mappings {', '.join(mappings)}")


@contextmanager
def malformed_as_load_error(file_name: str) -> Iterator[None]:
    """Turn a missing key or a value of the wrong shape met while loading `file_name` into a LoadError.

    The YAML files are read as plain dicts and lists, so a typo in them surfaces as a
    KeyError or TypeError deep in a loader; the person running the load needs the file.
    """
    try:
        yield
    except KeyError as exc:
        raise LoadError(f"{file_name} is malformed: missing key or id {exc.args[0]!r}") from exc
    except (TypeError, ValueError, AttributeError) as exc:
        raise LoadError(f"{file_name} is malformed: {exc}") from exc


def sources(*values: Any, titles: dict[str, str] | None = None) -> str:
    """The seed sources in `values` (file names: strings or lists), in order, without repeats.

    With `titles` (file name → readable title) each is given by its title: the file names are
    the data preparer's internal names and are never shown to users.
    """
    names: list[str] = []
    for value in values:
        for name in [value] if isinstance(value, str) else value or []:
            shown = titles.get(name, name) if titles is not None else name
            if shown not in names:
                names.append(shown)
    return ("; " if titles is not None else ", ").join(names)[:300]


def stated_text(value: Any) -> str:
    """A free-text field from the yaml, or '' where it says the fact is not stated."""
    if not isinstance(value, str) or value.strip().lower().startswith("not stated"):
        return ""
    return one_line(value)


def one_line(value: Any) -> str:
    """`value` as text on one line with single spaces (YAML folded blocks keep line breaks)."""
    return " ".join(str(value).split())


# --- writing: natural keys, create what is missing, update what differs -----------------------


class Tally:
    """What a run created and updated, per model, for the audit entry."""

    def __init__(self) -> None:
        self.created: Counter[str] = Counter()
        self.updated: Counter[str] = Counter()

    @property
    def changed(self) -> bool:
        """Whether the run created or updated anything."""
        return bool(self.created or self.updated)


def attname_values(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    """`values` with foreign keys as ids, so comparing them costs no query."""
    result = {}
    for name, value in values.items():
        field = model._meta.get_field(name)
        if field.many_to_one:
            result[field.attname] = value.pk if isinstance(value, models.Model) else value
        else:
            result[name] = value
    return result


def upsert(
    model: type[models.Model], tally: Tally, *, lookup: dict[str, Any], values: dict[str, Any] | None = None
):
    """get_or_create on the natural key `lookup`, then update only the fields that differ.

    Unlike update_or_create this saves nothing when nothing changed, so a second run is
    a true no-op. `lookup` may hold None: filter() turns it into IS NULL, which a unique
    constraint alone would not (NULLs are distinct in SQL).
    """
    values = attname_values(model, values or {})
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


def sync_bulk(
    model: type[models.Model],
    tally: Tally,
    *,
    key: tuple[str, ...],
    rows: list[dict[str, Any]],
    existing: dict[tuple, models.Model],
) -> dict[tuple, models.Model]:
    """Bulk version of `upsert` for the big tables; `rows` use attnames (county_id).

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
