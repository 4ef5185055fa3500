"""Norwegian text helpers: folding for search, alphabet order, readable slugs."""

import re
import unicodedata

from django.utils.text import slugify

_DIGRAPHS = (("ae", "a"), ("oe", "o"), ("aa", "a"))


def fold_norwegian(text: str) -> str:
    """Lower-case `text` with æ/ø/å and their spellings ae/oe/aa folded to one form.

    People type "naeringsutvikling" or "naringsutvikling" when they mean "næringsutvikling";
    all three fold to "naringsutvikling". Both the stored text and the query are folded the
    same way, so folding "ae" in a name like "Michael" as well does no harm.
    """
    text = (text or "").lower().replace("æ", "a").replace("ø", "o")
    # NFKD splits å, ä, ö, é into a letter and a mark; dropping the mark leaves a, a, o, e.
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    for digraph, letter in _DIGRAPHS:
        text = text.replace(digraph, letter)
    return " ".join(search_terms_raw(text))


def search_terms_raw(folded: str) -> list[str]:
    """The words (letters and digits) of already folded text."""
    return re.findall(r"[a-z0-9]+", folded)


def search_terms(query: str) -> list[str]:
    """The folded words of a search query, at most ten."""
    return fold_norwegian(query).split()[:10]


# Norwegian alphabet order: æ, ø, å come after z. "{", "|", "}" sort right after "z".
_SORT_LETTERS = str.maketrans({"æ": "z{", "ä": "z{", "ø": "z|", "ö": "z|", "å": "z}"})


def name_sort_key(name: str) -> str:
    """A key that orders names as Norwegian does: Zara < Ærlend < Øystein < Åse."""
    text = (name or "").lower().translate(_SORT_LETTERS)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def slugify_nb(value: str) -> str:
    """A slug that keeps Norwegian letters readable (Rørosregionen → rorosregionen).

    Django's slugify drops æ and ø, which do not decompose to ASCII; Django's admin
    (urlify.js) writes them as ae and o, and so do we.
    """
    table = str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "å": "a", "Å": "A"})
    return slugify(value.translate(table))
