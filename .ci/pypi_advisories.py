#!/usr/bin/env python3
"""Known vulnerabilities of the locked packages, from PyPI's project pages, when pip-audit cannot ask.

pip-audit asks OSV (api.osv.dev) or PyPI's per-release JSON (/pypi/NAME/VERSION/json). Where neither
is reachable but PyPI's project JSON is (/pypi/NAME/json, the page pip's own tooling reads), this
reads the same advisories (PyPI takes them from OSV) from there. That page lists the advisories of
the project's newest release only, so a package is checked:

- exactly, when the lock has the newest release: its advisories are the page's;
- by series, when the lock has the newest release of an older series that was published on or after
  the day of the newest release (a project like Django publishes its security fixes for every
  supported series together): the page's advisories are listed, and a fix the older series lacks
  would show there as one fixed only in a newer version;
- not at all, otherwise: named as unchecked, so that someone upgrades it or checks it by hand.

Exit status: 1 if any advisory is found, 2 if PyPI cannot be reached at all, else 0.
Usage: pypi_advisories.py requirements.lock   (PYPI_JSON_URL overrides https://pypi.org/pypi)
"""

import concurrent.futures
import json
import os
import re
import sys
import urllib.error
import urllib.request

BASE = os.environ.get("PYPI_JSON_URL", "https://pypi.org/pypi").rstrip("/")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;#]+)")


def pins(path: str) -> list[tuple[str, str]]:
    found = []
    with open(path, encoding="utf-8") as lock:
        for line in lock:
            if match := PIN.match(line.strip()):
                found.append((match.group(1), match.group(2)))
    return found


def series(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


def release_day(project: dict, version: str) -> str:
    files = project.get("releases", {}).get(version) or []
    return min((f.get("upload_time_iso_8601") or f.get("upload_time") or "")[:10] for f in files) if files else ""


def check(pin: tuple[str, str]) -> tuple[str, str, str, list[dict] | None, str]:
    """(name, version, how, advisories, note): how is exact, series, unchecked or unreachable."""
    name, version = pin
    try:
        with urllib.request.urlopen(f"{BASE}/{name}/json", timeout=30) as answer:  # nosec B310 (https, fixed host)
            project = json.load(answer)
    except (urllib.error.URLError, OSError, ValueError) as error:
        return name, version, "unreachable", None, str(error)
    latest = project["info"]["version"]
    advisories = [a for a in project.get("vulnerabilities") or [] if not a.get("withdrawn")]
    if version == latest:
        return name, version, "exact", advisories, ""
    same_series = [v for v in project.get("releases", {}) if series(v) == series(version)
                   and re.fullmatch(r"[0-9.]+", v)]
    newest_of_series = max(same_series, key=lambda v: tuple(int(p) for p in v.split(".")), default="")
    if newest_of_series == version and release_day(project, version) >= release_day(project, latest):
        return name, version, "series", advisories, f"newest of {'.'.join(series(version))}, newest is {latest}"
    return name, version, "unchecked", None, f"newest is {latest}"


def main(path: str) -> int:
    locked = pins(path)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(check, locked))
    found = [(n, v, a) for n, v, how, advisories, _ in results if advisories for a in advisories]
    for name, version, advisory in found:
        fixed = ", ".join(advisory.get("fixed_in") or []) or "no fix yet"
        print(f"VULNERABLE {name} {version}: {advisory.get('id')} (fixed in {fixed}) {advisory.get('link', '')}")
    by_how = {how: [r for r in results if r[2] == how] for how in ("exact", "series", "unchecked", "unreachable")}
    for name, version, _how, _a, note in by_how["series"]:
        print(f"checked by series: {name} {version} ({note})")
    for name, version, _how, _a, note in by_how["unchecked"]:
        print(f"NOT checked: {name} {version} ({note}): upgrade it, or check its advisories by hand")
    for name, version, _how, _a, note in by_how["unreachable"]:
        print(f"NOT checked: {name} {version} (PyPI: {note})")
    print(f"PyPI advisories: {len(locked)} packages, {len(by_how['exact'])} checked exactly, "
          f"{len(by_how['series'])} by series, {len(by_how['unchecked']) + len(by_how['unreachable'])} not checked, "
          f"{len(found)} known vulnerabilities")
    if found:
        return 1
    return 2 if len(by_how["unreachable"]) == len(locked) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "requirements.lock"))
