"""Demo accounts and demo companies for trying the portal (`manage.py demo_accounts`).

Every person is fictional and marked as such: `is_demo=True`, a name starting with
"Demo", an address under the reserved domain .invalid (RFC 2606, can never receive
mail), and one shared password that is printed on purpose. Needs the gardens and
municipalities from `manage.py load_network`.
"""

import datetime

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction

from core.audit import audit_record
from core.models import User
from core.services import user_create
from core.text import slugify_nb
from gardens.access import mfa_required_for
from gardens.models import CompetenceArea, Garden, IndustryCode, Municipality, StaffMembership, StaffProfile

from .models import Company, EntrepreneurProfile, TargetCompany

DEMO_PASSWORD = "demo-passord-123"
# Garden admins and network readers must sign in with two factors: the demo ones share this
# authenticator-app key (printed by `manage.py demo_accounts`; add it to any TOTP app, or run
# `manage.py demo_accounts --code` for the current code). Demonstrations only, like the password.
DEMO_TOTP_SECRET = "NBQXEZLEMVXG4ZLUORWGK5DUMVZGK5DF"
DEMO_START = datetime.date(2024, 1, 1)
HOME_GARDEN = "rorosregionen-naeringshage"
OUTSIDER_GARDEN = "magnor-naeringshage"

COMPETENCE_AREAS = [
    "Forretningsutvikling",
    "Kommersialisering",
    "Lokalmat",
    "Innovasjon og FoU-kobling",
    "Finansiering og søknader",
    "Markedsføring",
]

# (role label, e-mail, full name, garden slug, membership role, title, competence areas)
STAFF_ACCOUNTS = [
    (
        "garden admin, Rørosregionen",
        "demo.admin.roros@demo.invalid",
        "Demo Admin (Rørosregionen)",
        HOME_GARDEN,
        StaffMembership.Role.ADMIN,
        "Daglig leder (demo)",
        ["Forretningsutvikling", "Finansiering og søknader"],
    ),
    (
        "garden staff, Rørosregionen",
        "demo.radgiver.roros@demo.invalid",
        "Demo Rådgiver (Rørosregionen)",
        HOME_GARDEN,
        StaffMembership.Role.STAFF,
        "Rådgiver (demo)",
        ["Lokalmat", "Kommersialisering", "Markedsføring"],
    ),
    (
        "garden staff, Magnor (outsider)",
        "demo.radgiver.magnor@demo.invalid",
        "Demo Rådgiver (Magnor)",
        OUTSIDER_GARDEN,
        StaffMembership.Role.STAFF,
        "Rådgiver (demo)",
        ["Innovasjon og FoU-kobling", "Forretningsutvikling"],
    ),
]
READER = ("network reader, Siva", "demo.leser.siva@demo.invalid", "Demo Leser (Siva)", "Siva (demo)")
ENTREPRENEUR = ("entrepreneur, Tynset", "demo.grunder.tynset@demo.invalid", "Demo Gründer (Tynset)", "3427")

# Fictional target companies of the home garden. The numbers pass the MOD11 check
# (stem 9999990n + the check digit stdnum accepts) and sit at the very top of the
# 9-series, far above the numbers Brønnøysund has handed out.
DEMO_COMPANIES = [
    ("999999018", "Demo Fjellmat AS", "10.130", "5025"),  # meat products, Røros
    ("999999026", "Demo Gruvemekanikk AS", "25.620", "5026"),  # metal working, Holtålen
    ("999999034", "Demo Vidda Opplevelser AS", "93.291", "3430"),  # experiences, Os
]


class DemoSetupError(Exception):
    """The reference data the demo needs is not loaded."""


@transaction.atomic
def create_demo_accounts() -> list[tuple[str, str, str]]:
    """Create (or bring back to their documented state) the demo accounts; return (role, e-mail, password)."""
    gardens = {
        garden.slug: garden for garden in Garden.objects.filter(slug__in=[HOME_GARDEN, OUTSIDER_GARDEN])
    }
    municipalities = {
        m.number: m for m in Municipality.objects.current().filter(number__in=_municipality_numbers())
    }
    industries = {c.code: c for c in IndustryCode.objects.filter(code__in=[row[2] for row in DEMO_COMPANIES])}
    if (
        len(gardens) < 2
        or len(municipalities) < len(_municipality_numbers())
        or len(industries) < len(DEMO_COMPANIES)
    ):
        raise DemoSetupError(
            "The gardens, municipalities and industry codes are not loaded. "
            "Run `manage.py load_network` first."
        )

    created: list[str] = []
    areas = {}
    for name in COMPETENCE_AREAS:
        areas[name], was_created = CompetenceArea.objects.get_or_create(
            name=name, defaults={"slug": slugify_nb(name)}
        )
        if was_created:
            created.append(f"competence area {name}")

    logins = []
    home_adviser = None
    for label, email, full_name, garden_slug, role, title, competence in STAFF_ACCOUNTS:
        user = _demo_user(email=email, full_name=full_name, created=created)
        membership = StaffMembership.objects.filter(
            user=user, garden=gardens[garden_slug], valid_to__isnull=True
        ).first()
        if membership is None:
            StaffMembership.objects.create(
                user=user, garden=gardens[garden_slug], role=role, title=title, valid_from=DEMO_START
            )
            created.append(f"membership {email}")
        elif (membership.role, membership.title, membership.valid_from) != (role, title, DEMO_START):
            membership.role, membership.title, membership.valid_from = role, title, DEMO_START
            membership.save(update_fields=["role", "title", "valid_from"])
        _demo_totp(user)  # now that the admin's membership exists
        # Profiles stay private: publishing in the competence directory is the person's own choice.
        profile, _ = StaffProfile.objects.get_or_create(
            user=user, defaults={"headline": f"{title} – demoprofil", "languages": "norsk, engelsk"}
        )
        profile.competence_areas.add(*(areas[name] for name in competence))
        if garden_slug == HOME_GARDEN and role == StaffMembership.Role.STAFF:
            home_adviser = user
        logins.append((label, email, DEMO_PASSWORD))

    label, email, full_name, organisation = READER
    _demo_user(
        email=email,
        full_name=full_name,
        created=created,
        is_network_reader=True,
        reader_organisation=organisation,
    )
    logins.append((label, email, DEMO_PASSWORD))

    label, email, full_name, number = ENTREPRENEUR
    user = _demo_user(email=email, full_name=full_name, created=created)
    EntrepreneurProfile.objects.update_or_create(user=user, defaults={"municipality": municipalities[number]})
    logins.append((label, email, DEMO_PASSWORD))

    home = gardens[HOME_GARDEN]
    for org_number, name, code, number in DEMO_COMPANIES:
        target = TargetCompany.objects.filter(garden=home, org_number=org_number).select_related("company").first()
        facts = {"name": name, "industry": industries[code], "municipality": municipalities[number]}
        if target is not None:
            Company.objects.filter(pk=target.company_id).update(**facts)
            continue
        company = Company.objects.create(org_number=org_number, **facts)
        created.append(f"company {name}")
        TargetCompany.objects.get_or_create(
            garden=home,
            company=company,
            org_number=org_number,
            defaults={
                "contract_start": DEMO_START,
                "status": TargetCompany.Status.ACTIVE,
                "adviser": home_adviser,
            },
        )

    if created:
        audit_record(action="members.demo.created", actor_label="demo_accounts", changes={"created": created})
    return logins


def _municipality_numbers() -> set[str]:
    return {ENTREPRENEUR[3], *(row[3] for row in DEMO_COMPANIES)}


def _demo_user(*, email: str, full_name: str, created: list[str], **flags) -> User:
    """The demo user with this e-mail, created or reset to the documented name, flags and password."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = user_create(email=email, full_name=full_name, password=DEMO_PASSWORD, is_demo=True, **flags)
        created.append(f"user {email}")
        _demo_verified(user)
        _demo_totp(user)
        return user
    wanted = {"full_name": full_name, "is_demo": True, "is_active": True, **flags}
    changed = [field for field, value in wanted.items() if getattr(user, field) != value]
    for field in changed:
        setattr(user, field, wanted[field])
    # Someone may have changed the shared password while trying things; put it back.
    if not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        changed.append("password")
    if changed:
        user.save()
    _demo_totp(user)
    _demo_verified(user)
    return user


def _demo_verified(user: User) -> None:
    """allauth's mandatory verification would otherwise stop the demo login."""
    if not EmailAddress.objects.filter(user=user, email=user.email, verified=True, primary=True).exists():
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )


def _demo_totp(user: User) -> None:
    """Those who must use two-factor sign-in get the shared demo key (after their membership exists)."""
    if mfa_required_for(user) and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)
