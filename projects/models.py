"""Funded projects (first version): lead garden, partners, funders and amounts."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from agreements.models import Organisation
from gardens.models import Garden, Municipality, SourcedMixin


class FundingCall(models.Model):
    """A call for projects, such as Siva's 30 MNOK call shared by five projects."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    funder = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="calls")
    total_amount = models.DecimalField(_("total amount (NOK)"), max_digits=14, decimal_places=2, null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("funding call")
        verbose_name_plural = _("funding calls")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Project(SourcedMixin):
    class Status(models.TextChoices):
        APPLIED = "applied", _("applied")
        ACTIVE = "active", _("active")
        COMPLETED = "completed", _("completed")

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    purpose = models.TextField(_("purpose"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    lead_garden = models.ForeignKey(
        Garden, null=True, blank=True, on_delete=models.PROTECT, related_name="led_projects",
        verbose_name=_("lead garden"),
    )
    partners = models.ManyToManyField(Garden, through="ProjectPartner", related_name="projects")
    municipalities = models.ManyToManyField(Municipality, blank=True, related_name="projects")
    municipality_count_stated = models.PositiveSmallIntegerField(
        _("number of municipalities (as stated)"), null=True, blank=True
    )
    call = models.ForeignKey(FundingCall, null=True, blank=True, on_delete=models.SET_NULL, related_name="projects")
    start_year = models.PositiveSmallIntegerField(_("first year"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("last year"), null=True, blank=True)
    duration_years = models.PositiveSmallIntegerField(_("duration (years)"), null=True, blank=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def total_granted(self) -> Decimal:
        return sum((g.amount for g in self.grants.all()), Decimal("0"))


class ProjectPartner(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partnerships")
    garden = models.ForeignKey(Garden, on_delete=models.PROTECT, related_name="project_partnerships")

    class Meta:
        verbose_name = _("partner garden")
        verbose_name_plural = _("partner gardens")
        constraints = [models.UniqueConstraint(fields=["project", "garden"], name="project_partner_unique")]

    def __str__(self) -> str:
        return f"{self.garden} in {self.project}"


class Grant(models.Model):
    """Money granted to a project by a funder (exact NOK, never floats)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="grants")
    funder = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="grants")
    on_behalf_of = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("on behalf of"),
    )
    amount = models.DecimalField(_("amount (NOK)"), max_digits=14, decimal_places=2)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, help_text=_("Empty: whole period."))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["project", "year", "funder__name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "funder", "year"], name="grant_unique_per_year"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="grant_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.funder}: {self.amount} NOK"
