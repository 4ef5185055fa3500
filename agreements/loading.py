"""The obligations the seed agreements state, loaded after gardens.loading.load_network's agreements."""

import datetime

from django.db import transaction
from django.utils import timezone

from gardens.audit import audit_record

from .models import Agreement, Obligation
from .services import obligation_generate_meetings

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
