"""Bokmål is the portal's first language: every string has a translation, and the compiled catalogue matches."""

import gettext
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "nb" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def parse_po(path: Path) -> list[dict]:
    """A small .po reader: entries with msgid, msgid_plural, msgstr[n] and flags."""
    entries, entry, key = [], None, None

    def unquote(text: str) -> str:
        return text.strip()[1:-1].encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if entry is not None:
                entries.append(entry)
            entry, key = None, None
            continue
        if line.startswith("#~"):
            continue
        entry = entry if entry is not None else {"flags": "", "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            key, entry["msgctxt"] = "msgctxt", unquote(line[8:])
        elif line.startswith("msgid_plural "):
            key, entry["msgid_plural"] = "msgid_plural", unquote(line[13:])
        elif line.startswith("msgid "):
            key, entry["msgid"] = "msgid", unquote(line[6:])
        elif line.startswith("msgstr["):
            index = int(line[7 : line.index("]")])
            key = ("msgstr", index)
            entry["msgstr"][index] = unquote(line[line.index("]") + 2 :])
        elif line.startswith("msgstr "):
            key = ("msgstr", 0)
            entry["msgstr"][0] = unquote(line[7:])
        elif line.startswith('"') and key is not None:
            if isinstance(key, tuple):
                entry["msgstr"][key[1]] += unquote(line)
            else:
                entry[key] += unquote(line)
    return [e for e in entries if e.get("msgid")]


def test_every_string_has_a_bokmal_translation():
    entries = parse_po(PO)
    assert len(entries) > 300
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []


def test_compiled_catalogue_matches_the_source():
    catalogue = gettext.GNUTranslations(MO.open("rb"))
    stale = []
    for entry in parse_po(PO):
        if "msgctxt" in entry:
            got = catalogue.pgettext(entry["msgctxt"], entry["msgid"])
        elif "msgid_plural" in entry:
            got = catalogue.ngettext(entry["msgid"], entry["msgid_plural"], 1)
        else:
            got = catalogue.gettext(entry["msgid"])
        if got != entry["msgstr"][0]:
            stale.append(entry["msgid"])
    assert stale == [], "run `make messages` (compilemessages) after editing the .po file"
