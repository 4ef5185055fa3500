"""Load the reference data and the seed network (`manage.py load_network`).

Each app loads its own part of data/reference/, bottom up: gardens (counties,
municipalities, SN2007, organisations, gardens, networks) → agreements → projects. All of
it runs in one transaction, so an error in a later step leaves the database as it was, and
every row is keyed on a natural key, so a second run changes nothing.
"""

from pathlib import Path

from django.db import models, transaction

from agreements.loading import LOADED_MODELS as AGREEMENT_MODELS
from agreements.loading import load_agreements
from core.audit import audit_record
from core.loading import Tally, data_directory
from gardens.loading import LOADED_MODELS as GARDEN_MODELS
from gardens.loading import load_gardens
from projects.loading import LOADED_MODELS as PROJECT_MODELS
from projects.loading import load_projects

# The code keeps the name it was first written under, so older entries and the sentence
# in gardens/audit_sentences.py still match.
AUDIT_ACTION = "network_portal.network.loaded"

# What the loaders write; load_network returns a row count for each, in this order.
LOADED_MODELS: list[type[models.Model]] = [*GARDEN_MODELS, *AGREEMENT_MODELS, *PROJECT_MODELS]


def load_network(*, data_dir: Path | None = None) -> dict[str, int]:
    """Load municipalities, industry codes and the seed network; return row counts per model."""
    data_dir = data_directory(data_dir)
    tally = Tally()
    with transaction.atomic():
        loaded = load_gardens(data_dir=data_dir, tally=tally)
        load_agreements(loaded=loaded, tally=tally)
        load_projects(loaded=loaded, tally=tally)
        counts = {model._meta.label: model.objects.count() for model in LOADED_MODELS}
        if tally.changed:
            audit_record(
                action=AUDIT_ACTION,
                actor_label="load_network",
                changes={"counts": counts, "created": dict(tally.created), "updated": dict(tally.updated)},
            )
    return counts
