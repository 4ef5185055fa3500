"""Cooperation agreements between gardens and other organisations (first version)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gardens.models import Garden, SourcedMixin, ValidityMixin


class Organisation(models.Model):
    """A party that is not a garden: Siva, a county council, a ministry, SINTEF."""

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


class Agreement(ValidityMixin, SourcedMixin):
    class Kind(models.TextChoices):
        NETWORK = "network", _("network cooperation")
        PROJECT = "project", _("formal project agreement")
        UMBRELLA = "umbrella", _("umbrella")

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NETWORK)
    purpose = models.TextField(_("purpose"), blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_when_note = models.CharField(
        _("when signed, as stated"), max_length=200, blank=True, help_text=_("Where no calendar date is known.")
    )
    signed_place = models.CharField(_("place signed"), max_length=200, blank=True)
    gardens = models.ManyToManyField(Garden, through="AgreementParty", related_name="agreements", blank=True)

    class Meta:
        verbose_name = _("cooperation agreement")
        verbose_name_plural = _("cooperation agreements")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AgreementParty(models.Model):
    """A garden or an organisation that is party to an agreement (exactly one of the two)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    garden = models.ForeignKey(Garden, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="agreement_parties"
    )

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.CheckConstraint(
                condition=(Q(garden__isnull=False) & Q(organisation__isnull=True))
                | (Q(garden__isnull=True) & Q(organisation__isnull=False)),
                name="party_is_garden_xor_organisation",
            ),
            models.UniqueConstraint(fields=["agreement", "garden"], name="party_garden_unique"),
            models.UniqueConstraint(fields=["agreement", "organisation"], name="party_organisation_unique"),
        ]

    def __str__(self) -> str:
        return str(self.garden or self.organisation)

    def clean(self) -> None:
        if bool(self.garden_id) == bool(self.organisation_id):
            raise ValidationError(_("A party is either a garden or an organisation."))


class Signatory(SourcedMixin):
    class Role(models.TextChoices):
        SIGNED = "signed", _("signed")
        PRESENT = "present", _("present at the signing")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatories")
    party = models.ForeignKey(AgreementParty, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(_("name"), max_length=150)
    title = models.CharField(_("title"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.SIGNED)

    class Meta:
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        ordering = ["agreement", "role", "name"]
        constraints = [models.UniqueConstraint(fields=["agreement", "name"], name="signatory_unique")]

    def __str__(self) -> str:
        return self.name


class CooperationArea(models.Model):
    """One thing the parties agreed to do together ('quarterly cooperation meetings')."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="areas")
    description = models.CharField(_("description"), max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("cooperation area")
        verbose_name_plural = _("cooperation areas")
        ordering = ["agreement", "position"]
        constraints = [models.UniqueConstraint(fields=["agreement", "description"], name="area_unique")]

    def __str__(self) -> str:
        return self.description
