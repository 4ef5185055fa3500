"""Gardens and the geography they work in.

Municipalities and counties are time-aware because their numbers change: Røros was 1640
until 2017 and is 5025; Tynset was 0437 until 2019 and is 3427; Tromsø was 1902, 5401 and is
5501. Each period a number was in use (with its name and county then) is one `Municipality`
row, and `MunicipalityChange` links the period that ended to the one that began (a merger
links several to one, a split one to several). Everything the portal records today
(coverage, companies, projects) points at a current row; the older rows let an old number,
an old name or an old date find the municipality (see gardens/geography.py).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.orgnr import validate_org_number


def valid_on_q(day: datetime.date, prefix: str = "") -> Q:
    """'Valid on `day`' as a condition, for rows or (with `prefix`, e.g. "coverages__") related rows.

    An unknown start counts as 'since before our records', an unknown end as 'still valid'.
    """
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


class ValidityQuerySet(models.QuerySet):
    """Rows that carry `valid_from`/`valid_to` (either may be unknown, i.e. null)."""

    def valid_on(self, day: datetime.date) -> "ValidityQuerySet":
        """Rows valid on `day`."""
        return self.filter(valid_on_q(day))

    def not_ended(self, day: datetime.date) -> "ValidityQuerySet":
        """Rows valid on `day` or starting later (an invitation must not duplicate either)."""
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))

    def current(self) -> "ValidityQuerySet":
        """Rows valid today."""
        return self.valid_on(timezone.localdate())


class ValidityMixin(models.Model):
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end date cannot be before the start date.")})

    def is_valid_on(self, day: datetime.date) -> bool:
        """True if the row is valid on `day`."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to >= day
        )

    @property
    def is_current(self) -> bool:
        return self.is_valid_on(timezone.localdate())


class SourcedMixin(models.Model):
    """Facts loaded from the press articles say where they come from and whether
    the article states them or they were inferred (shown as such in the portal)."""

    source = models.CharField(_("source"), max_length=300, blank=True)
    is_inferred = models.BooleanField(
        _("inferred"), default=False, help_text=_("Not stated in the sources; derived and unverified.")
    )
    inference_note = models.TextField(_("why it was inferred"), blank=True)

    class Meta:
        abstract = True


class County(ValidityMixin):
    number = models.CharField(_("county number"), max_length=2)
    name = models.CharField(_("name"), max_length=100)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("county")
        verbose_name_plural = _("counties")
        ordering = ["number", "valid_from"]
        constraints = [models.UniqueConstraint(fields=["number", "name"], name="county_number_name_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"


class MunicipalityQuerySet(ValidityQuerySet):
    def with_county(self) -> "MunicipalityQuerySet":
        return self.select_related("county")


class Municipality(ValidityMixin):
    """One period a municipality number was in use, with its name and county then.

    A number keeps its row across a change that does not touch it, but gets a new period
    when SSB records an event for it (1103 Stavanger took in Finnøy and Rennesøy in 2020).
    """

    number = models.CharField(_("municipality number"), max_length=4, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    official_name = models.CharField(_("official name"), max_length=150, blank=True)
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="municipalities")
    shares_name = models.BooleanField(
        _("name shared with another municipality"), default=False, editable=False,
        help_text=_("Another municipality had the same name at the same time (Våler, Herøy, Os, Nes, Bø, Sande)."),
    )
    successors = models.ManyToManyField(
        "self", through="MunicipalityChange", symmetrical=False, related_name="predecessors", blank=True
    )

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name", "number"]
        constraints = [
            models.UniqueConstraint(fields=["number", "valid_from"], name="municipality_number_period_unique"),
            # valid_from is empty for "since before 2017"; only one such period per number.
            models.UniqueConstraint(fields=["number"], condition=Q(valid_from__isnull=True),
                                    name="municipality_number_first_period_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"

    def get_absolute_url(self) -> str:
        return reverse("network_portal:find") + f"?q={self.number}"

    @property
    def display_name(self) -> str:
        """Name with the county where the name alone is ambiguous (Våler, Herøy)."""
        return f"{self.name} ({self.county.name})" if self.shares_name else self.name


class MunicipalityChange(models.Model):
    """An old number ending and a new one taking over (renumbering, merger, split)."""

    class Kind(models.TextChoices):
        RENUMBERED = "renumbered", _("renumbered")
        MERGED = "merged", _("merger")
        SPLIT = "split", _("split")
        MOVED_COUNTY = "moved_county", _("moved to another county")
        RENAMED = "renamed", _("renamed")

    old = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="changes_out")
    new = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="changes_in")
    effective = models.DateField(_("effective from"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    share_note = models.TextField(_("which part went where"), blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("municipality change")
        verbose_name_plural = _("municipality changes")
        ordering = ["effective", "old__number"]
        constraints = [models.UniqueConstraint(fields=["old", "new"], name="municipality_change_unique")]

    def __str__(self) -> str:
        return f"{self.old} → {self.new} ({self.effective.year})"


class IndustryCode(models.Model):
    """SN2007 (Standard for næringsgruppering, NACE Rev. 2), all five levels."""

    code = models.CharField(_("code"), max_length=6, unique=True)
    level = models.PositiveSmallIntegerField(_("level"))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    section = models.CharField(_("section"), max_length=1, db_index=True)
    name = models.CharField(_("name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("industry code (SN2007)")
        verbose_name_plural = _("industry codes (SN2007)")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.short_name or self.name}"


class Garden(models.Model):
    name = models.CharField(_("name"), max_length=150, unique=True)
    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    org_number = models.CharField(
        _("organisasjonsnummer"), max_length=9, blank=True, help_text=_("Nine digits, MOD11-checked.")
    )
    legal_form = models.CharField(_("legal form"), max_length=20, blank=True)
    description = models.TextField(_("description"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    municipalities = models.ManyToManyField(Municipality, through="Coverage", related_name="gardens", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("business garden")
        verbose_name_plural = _("business gardens")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("network_portal:garden", kwargs={"slug": self.slug})

    def clean(self) -> None:

        super().clean()
        if self.org_number:
            validate_org_number(self.org_number)

    def get_workspace_url(self) -> str:
        return reverse("members:workspace", kwargs={"garden_slug": self.slug})


class GardenContact(SourcedMixin):
    """One way to reach a garden as a public source gives it: its place, address, phone, e-mail,
    web site or a named person with their public role. Inferred where the source only implies it
    (shown as "utledet" with the reason); `source` names the article or page."""

    class Kind(models.TextChoices):
        PLACE = "place", _("where")
        ADDRESS = "address", _("address")
        PHONE = "phone", _("phone")
        EMAIL = "email", _("e-mail")
        WEBSITE = "website", _("website")
        PERSON = "person", _("contact person")

    garden = models.ForeignKey(Garden, on_delete=models.CASCADE, related_name="contacts",
                               verbose_name=_("business garden"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True, help_text=_("A person's role as printed."))

    class Meta:
        verbose_name = _("garden contact detail")
        verbose_name_plural = _("garden contact details")
        ordering = ["garden", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["garden", "position"], name="garden_contact_position")]

    def __str__(self) -> str:
        return f"{self.garden}: {self.get_kind_display()} {self.value}"


class GardenStatus(ValidityMixin, SourcedMixin):
    """The garden's standing in Siva's programme over time."""

    class Kind(models.TextChoices):
        IN_PROGRAMME = "in_programme", _("in the business garden programme")
        REGIONAL_ROLE = "regional_role", _("regional role in the programme")
        LEFT_PROGRAMME = "left_programme", _("left the programme")

    garden = models.ForeignKey(Garden, on_delete=models.CASCADE, related_name="statuses")
    kind = models.CharField(_("status"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme status")
        verbose_name_plural = _("programme statuses")
        ordering = ["garden", "valid_from", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["garden", "kind", "valid_from"], name="garden_status_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.garden}: {self.get_kind_display()}"


class Coverage(ValidityMixin, SourcedMixin):
    """A garden serving a municipality for a period.

    Time-bounded because gardens grow: Rørosregionen went from Røros and Holtålen
    to the whole Fjellregionen. Points at the municipality's current number.
    """

    garden = models.ForeignKey(Garden, on_delete=models.CASCADE, related_name="coverages")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="coverages")

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("coverage")
        verbose_name_plural = _("coverage")
        ordering = ["garden", "municipality__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["garden", "municipality", "valid_from"],
                name="coverage_unique_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.garden} – {self.municipality}"


class Organisation(models.Model):
    """An organisation that is not a garden: Siva, a county council, a ministry, SINTEF.

    Parties to agreements and funders of projects alike, so it lives below both apps.
    """

    class Kind(models.TextChoices):
        STATE = "state", _("state enterprise or agency")
        MINISTRY = "ministry", _("ministry")
        COUNTY = "county", _("county authority")
        RESEARCH = "research", _("research institution")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=150, unique=True)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Network(models.Model):
    """A named group of gardens, such as the umbrella Sør-Hedmark Næringspark."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    gardens = models.ManyToManyField(Garden, through="NetworkMembership", related_name="networks")

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NetworkMembership(ValidityMixin):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    garden = models.ForeignKey(Garden, on_delete=models.CASCADE, related_name="network_memberships")

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("network membership")
        verbose_name_plural = _("network memberships")
        constraints = [models.UniqueConstraint(fields=["network", "garden"], name="network_membership_unique")]

    def __str__(self) -> str:
        return f"{self.garden} in {self.network}"


class StaffMembership(ValidityMixin):
    """A person working in a garden, with a role, for a period.

    Ending a membership (setting valid_to) stops access; the records the person
    wrote stay with the garden.
    """

    class Role(models.TextChoices):
        ADMIN = "admin", _("garden admin")
        STAFF = "staff", _("garden staff")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    garden = models.ForeignKey(Garden, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.STAFF)
    title = models.CharField(_("title"), max_length=100, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        ordering = ["garden", "user__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "garden"], condition=Q(valid_to__isnull=True), name="one_open_membership_per_garden"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.garden} ({self.get_role_display()})"

    # What each role may do is decided in gardens/access.py (GardenAccess), in one place.


class ReaderCounty(models.Model):
    """A network reader who reads the gardens of some counties only (county staff).

    A reader with no county reads the whole network (Siva). The county is a county row of
    any period (Hedmark, Innlandet, Viken): the reader sees the gardens that cover, in the
    period a report shows, a municipality that was or became part of it.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reader_counties")
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("county"))

    class Meta:
        verbose_name = _("county of a network reader")
        verbose_name_plural = _("counties of a network reader")
        constraints = [models.UniqueConstraint(fields=["user", "county"], name="reader_county_unique")]

    def __str__(self) -> str:
        return f"{self.user} – {self.county}"


class CompetenceArea(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        verbose_name = _("competence area")
        verbose_name_plural = _("competence areas")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StaffProfile(models.Model):
    """What a staff member offers the network. Nothing is public until they opt in."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    headline = models.CharField(_("headline"), max_length=150, blank=True)
    bio = models.TextField(_("about me"), blank=True)
    competence_areas = models.ManyToManyField(CompetenceArea, blank=True, related_name="profiles")
    industry_sections = models.ManyToManyField(
        IndustryCode, blank=True, related_name="+", limit_choices_to={"level": 1}
    )
    languages = models.CharField(_("languages"), max_length=200, blank=True)
    capacity_note = models.CharField(_("capacity offered to other gardens"), max_length=200, blank=True)
    capacity_hours_per_month = models.PositiveSmallIntegerField(
        _("hours per month offered to other gardens"), null=True, blank=True
    )
    municipalities_served = models.ManyToManyField(
        Municipality, blank=True, related_name="staff_profiles", verbose_name=_("municipalities served")
    )
    is_public = models.BooleanField(_("published in the competence directory"), default=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # Denormalised by gardens.services.staff_profile_refresh_search so search and Norwegian
    # name order work the same on SQLite and PostgreSQL (folded: næring → naering).
    search_text = models.TextField(editable=False, blank=True)
    sort_key = models.CharField(max_length=300, editable=False, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return str(self.user)


class Invitation(models.Model):
    """A garden admin's invitation to a colleague. Accepting creates the staff membership."""

    garden = models.ForeignKey(Garden, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=10, choices=StaffMembership.Role.choices, default="staff")
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    mail = models.ForeignKey("core.Mail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("e-mail"))

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.garden}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()
