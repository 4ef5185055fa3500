"""Verbs for entrepreneurs' own accounts: the short profile on /min-side/."""

from django.db import transaction

from core.audit import audit_record, diff
from core.models import User
from gardens.models import Municipality

from .models import EntrepreneurProfile


@transaction.atomic
def entrepreneur_profile_save(
    *, user: User, full_name: str, org_number: str = "", municipality: Municipality | None = None
) -> EntrepreneurProfile:
    """Create or update the entrepreneur's profile and name; audited."""
    profile, _created = EntrepreneurProfile.objects.select_for_update().get_or_create(user=user)
    before = {"full_name": user.full_name, "org_number": profile.org_number,
              "municipality": str(profile.municipality) if profile.municipality else None}
    user.full_name = full_name.strip()
    user.save(update_fields=["full_name"])
    profile.org_number = org_number
    profile.municipality = municipality
    profile.full_clean(exclude=["user"])
    profile.save()
    after = {"full_name": user.full_name, "org_number": org_number,
             "municipality": str(municipality) if municipality else None}
    audit_record(action="members.entrepreneurprofile.updated", target=profile, actor=user,
                 changes=diff(before, after))
    return profile
