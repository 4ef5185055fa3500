"""Load the projects of the seed network (the last step of `manage.py load_network`).

On top of the gardens gardens.loading has written: each project in network_seed.yaml with
its partner gardens and municipalities, the funding call it came from and its grant. What
the articles leave open (the lead garden, the length) comes from network_texts.yaml.
"""

from decimal import Decimal
from typing import Any

from django.db import models, transaction

from core.loading import Tally, check_top_level, malformed_as_load_error, one_line, upsert
from core.text import slugify_nb
from gardens.loading import SEED_FILE, TEXTS_FILE, LoadedGardens

from .models import FundingCall, Grant, Project, ProjectPartner

# What load_projects writes, in the order load_network reports the row counts.
LOADED_MODELS: list[type[models.Model]] = [FundingCall, Project, ProjectPartner, Grant]


@transaction.atomic
def load_projects(*, loaded: LoadedGardens, tally: Tally) -> None:
    """Load the seed's projects, their partners, municipalities, funding call and grant."""
    check_top_level(loaded.seed, SEED_FILE, lists=["projects"])
    check_top_level(loaded.texts, TEXTS_FILE, mappings=["projects", "funding_call"])
    with malformed_as_load_error(TEXTS_FILE):
        texts = loaded.texts["funding_call"]
        call = {
            "name": texts["name"],
            "total_amount": _nok(texts["total_amount_nok"]),
            "description": texts["description"],
        }
    with malformed_as_load_error(SEED_FILE):
        for data in loaded.seed["projects"]:
            _load_project(data, loaded, call, tally)


def _nok(amount: Any) -> Decimal:
    """An amount in kroner from the yaml (a number) as the Decimal the money fields hold."""
    return Decimal(str(amount)).quantize(Decimal("0.01"))


def _load_project(data: dict[str, Any], loaded: LoadedGardens, call_values: dict[str, Any], tally: Tally) -> None:
    """One project, funded from Siva's call; lead garden, length and grant note from network_texts.yaml."""
    texts = loaded.texts["projects"].get(data["id"], {})
    siva, kmd = loaded.organisations["siva"], loaded.organisations["kmd"]
    call = upsert(
        FundingCall,
        tally,
        lookup={"name": call_values["name"]},
        values={
            "funder": siva,
            "total_amount": call_values["total_amount"],
            "description": call_values["description"],
            "source": loaded.cite(data.get("source")),
        },
    )
    coverage = data["coverage"]
    identified = coverage.get("identified_in_articles") or {}
    # The lead garden is not stated for any project in the articles; where the portal
    # needs one, it is inferred and says why.
    lead_id = texts.get("lead_garden")
    notes = [texts.get("lead_note", ""), one_line(identified.get("reasoning", ""))]
    project = upsert(
        Project,
        tally,
        lookup={"name": data["name"]},
        values={
            "slug": slugify_nb(data["name"])[:100],
            # The purpose in bokmål from network_texts.yaml; the seed's English notes as fallback.
            "purpose": "\n".join(f"– {one_line(line)}" for line in texts.get("purpose") or data.get("purpose") or []),
            "lead_garden": loaded.gardens[lead_id] if lead_id else None,
            "municipality_count_stated": coverage.get("municipalities_total"),
            "duration_years": texts.get("duration_years"),
            "call": call,
            "source": loaded.cite(data.get("source")),
            "is_inferred": bool(lead_id) or identified.get("status") == "inferred",
            "inference_note": " ".join(note for note in notes if note),
        },
    )
    for garden_id in data["partners"]:
        upsert(ProjectPartner, tally, lookup={"project": project, "garden": loaded.gardens[garden_id]})

    # The municipalities the articles name for the partner gardens (13 of the stated 25).
    numbers = list(
        dict.fromkeys(n for garden_id in data["partners"] for n in loaded.named_municipalities[garden_id])
    )
    wanted = {loaded.current[number].pk for number in numbers}
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
    upsert(
        Grant,
        tally,
        lookup={"project": project, "funder": siva, "year": None},
        values={
            "on_behalf_of": kmd,
            "amount": _nok(funding["amount_nok"]),
            "note": texts.get("grant_note", ""),
        },
    )
