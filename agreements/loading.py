"""Load the agreements of the seed network (the second step of `manage.py load_network`).

On top of the gardens and networks gardens.loading has written: each network's umbrella
agreement, the cooperation agreements in network_seed.yaml with their parties, signatories
and areas, and the obligations those agreements state.
"""

import datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from core.audit import audit_record
from core.loading import Tally, check_top_level, malformed_as_load_error, one_line, stated_text, upsert
from core.text import slugify_nb
from gardens.loading import SEED_FILE, TEXTS_FILE, LoadedGardens

from .models import Agreement, AgreementParty, CooperationArea, Obligation, Signatory
from .services import obligation_generate_meetings

# What load_agreements writes, in the order load_network reports the row counts (obligations
# and meetings are counted and audited by load_agreement_obligations itself).
LOADED_MODELS: list[type[models.Model]] = [Agreement, AgreementParty, Signatory, CooperationArea]

HEDMARK_AGREEMENT = "Samarbeidsavtale mellom næringshagene i Hedmark"
HEDMARK_MEETINGS = "Felles samhandlingsmøte hvert kvartal"
# The article states quarterly meetings but no start date: the portal starts counting
# at the beginning of the year the data was loaded, and says so.
UNKNOWN_START_NOTE = (
    "Start date not stated in the source (press article); the portal counts from 1 January "
    "of the year the data was loaded."
)


@transaction.atomic
def load_agreement_obligations(*, today: datetime.date | None = None) -> int:
    """Create the stated obligations and this year's expected meetings; returns meetings created."""
    today = today or timezone.localdate()
    agreement = Agreement.objects.filter(name=HEDMARK_AGREEMENT).first()
    if agreement is None:
        return 0
    obligation, created = Obligation.objects.get_or_create(
        agreement=agreement,
        description=HEDMARK_MEETINGS,
        defaults={
            "recurrence": Obligation.Recurrence.QUARTERLY,
            "starts_on": datetime.date(today.year, 1, 1),
            "note": UNKNOWN_START_NOTE,
        },
    )
    if created:
        audit_record(action="agreements.obligation.created", target=obligation, actor_label="load_network",
                     changes={"description": [None, obligation.description]})
    return len(obligation_generate_meetings(obligation=obligation, until=datetime.date(today.year, 12, 31)))


@transaction.atomic
def load_agreements(*, loaded: LoadedGardens, tally: Tally) -> None:
    """Load the umbrella and cooperation agreements of the seed, then the obligations they state."""
    seed, texts = loaded.seed, loaded.texts
    check_top_level(seed, SEED_FILE, lists=["networks", "cooperation_agreements", "people"])
    check_top_level(texts, TEXTS_FILE, mappings=["umbrella_agreements", "agreements", "people"])
    with malformed_as_load_error(SEED_FILE):
        for data in seed["networks"]:
            _load_umbrella(data, loaded, texts["umbrella_agreements"].get(data["id"], {}), tally)
        people = {person["id"]: person for person in seed["people"]}
        for data in seed["cooperation_agreements"]:
            _load_agreement(data, loaded, people, tally)
    load_agreement_obligations()


def _load_umbrella(data: dict[str, Any], loaded: LoadedGardens, umbrella_texts: dict[str, str], tally: Tally) -> None:
    """The network as the gardens' agreement with each other (kind "umbrella").

    So it shows with the other agreements and can carry meetings and documents.
    """
    umbrella = upsert(
        Agreement,
        tally,
        lookup={"name": data["name"]},
        values={
            "slug": slugify_nb(data["name"])[:100],
            "kind": Agreement.Kind.UMBRELLA,
            "purpose": loaded.networks[data["id"]].description,
            "signed_when_note": umbrella_texts.get("signed_when_note", ""),
            "source": loaded.cite(data.get("source")),
        },
    )
    for garden_id in data["members"]:
        upsert(AgreementParty, tally, lookup={"agreement": umbrella, "garden": loaded.gardens[garden_id]})


def _load_agreement(data: dict[str, Any], loaded: LoadedGardens, people: dict[str, Any], tally: Tally) -> None:
    """One cooperation agreement: its parties (gardens), signatories and areas.

    What users read (purpose, when and where it was signed, the areas, the signatories'
    titles) comes in bokmål from network_texts.yaml; the seed's English notes are the
    fallback for an agreement the texts do not cover yet.
    """
    gardens = loaded.gardens
    texts = loaded.texts["agreements"].get(data["id"], {})
    purpose_parts = [data.get("nature"), data.get("context"), data.get("main_goal")]
    if data.get("possible_areas"):
        purpose_parts.append("Possible areas: " + "; ".join(data["possible_areas"]) + ".")
    if data.get("terms"):
        purpose_parts.append("Terms: " + "; ".join(data["terms"]) + ".")
    purpose = (
        "\n\n".join(one_line(part) for part in texts["purpose"])
        if texts.get("purpose")
        else "\n\n".join(one_line(part) for part in purpose_parts if part)
    )
    agreement = upsert(
        Agreement,
        tally,
        lookup={"name": data["name"]},
        values={
            "slug": slugify_nb(data["name"])[:100],
            "kind": Agreement.Kind.NETWORK,
            "purpose": purpose,
            "signed_when_note": one_line(texts.get("signed_when_note") or stated_text(data.get("date")))[:200],
            "signed_place": one_line(texts.get("signed_place") or stated_text(data.get("place")))[:200],
            "source": loaded.cite(data.get("source")),
        },
    )
    parties = {
        garden_id: upsert(
            AgreementParty, tally, lookup={"agreement": agreement, "garden": gardens[garden_id]}
        )
        for garden_id in data["parties"]
    }
    source = loaded.cite(data.get("source"))
    titles = loaded.texts["people"]
    for block_name, role in (("signed_by", Signatory.Role.SIGNED), ("also_present", Signatory.Role.PRESENT)):
        block = data.get(block_name)
        if not isinstance(block, dict):  # "not stated"
            continue
        for person_id in block["people"]:
            person = people[person_id]
            # Those present (county, Siva) are not recorded as parties: the article does not
            # say they signed as such.
            party = parties.get(person.get("organisation")) if role == Signatory.Role.SIGNED else None
            upsert(
                Signatory,
                tally,
                lookup={"agreement": agreement, "name": person["name"]},
                values={
                    "title": one_line(titles.get(person_id, {}).get("title") or stated_text(person.get("title")))[:200],
                    "role": role,
                    "party": party,
                    "source": source,
                    "is_inferred": block["status"] != "stated",
                },
            )
    # Keyed on the position, so a reworded area updates its row instead of adding one.
    for position, description in enumerate(texts.get("areas") or data.get("covers") or []):
        upsert(
            CooperationArea,
            tally,
            lookup={"agreement": agreement, "position": position},
            values={"description": one_line(description)[:300]},
        )
