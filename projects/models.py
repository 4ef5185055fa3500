"""Funded projects (first version): lead garden, partners, funders and amounts."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.web import private_upload_path
from gardens.models import Garden, Municipality, Organisation, SourcedMixin


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

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("projects:detail", kwargs={"slug": self.slug})

    @property
    def period_label(self) -> str:
        """'2025–2027', 'from 2025', or '' when the years are not known."""
        if self.start_year and self.end_year:
            return f"{self.start_year}–{self.end_year}" if self.end_year != self.start_year else str(self.start_year)
        if self.start_year:
            return f"{self.start_year}–"
        return ""

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


class BudgetLine(models.Model):
    """What a project plans to spend in a year, by category and optionally by partner garden."""

    class Category(models.TextChoices):
        PERSONNEL = "personnel", _("personnel")
        TRAVEL = "travel", _("travel")
        SERVICES = "services", _("purchased services")
        OTHER = "other", _("other")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines")
    year = models.PositiveSmallIntegerField(_("year"))
    category = models.CharField(_("category"), max_length=12, choices=Category.choices, default=Category.OTHER)
    description = models.CharField(_("description"), max_length=300, blank=True)
    amount = models.DecimalField(_("amount (NOK)"), max_digits=14, decimal_places=2)
    garden = models.ForeignKey(
        Garden, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("partner garden")
    )

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["project", "year", "category", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="budget_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_category_display()}: {self.description or self.amount}"


class Expense(models.Model):
    """Money a partner spent on the project (exact NOK), attributed to a funder where known."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="expenses")
    year = models.PositiveSmallIntegerField(_("year"))
    date = models.DateField(_("date"))
    budget_line = models.ForeignKey(
        BudgetLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="expenses",
        verbose_name=_("budget line"),
    )
    garden = models.ForeignKey(
        Garden, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("partner garden")
    )
    funder = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("funder")
    )
    description = models.CharField(_("description"), max_length=300)
    amount = models.DecimalField(_("amount (NOK)"), max_digits=14, decimal_places=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="expense_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.description}"


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due = models.DateField(_("due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return self.title


def report_upload_to(instance: "ProgressReport", filename: str) -> str:
    """Reports are stored per project under a random name (never served directly)."""
    return private_upload_path("project_reports", instance.project_id, filename)


class ProgressReport(models.Model):
    """A report owed to the funders; reminders go out 14 days before and when overdue."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    period = models.CharField(_("period"), max_length=100, help_text=_("For example “2025” or “first half of 2026”."))
    due = models.DateField(_("due"))
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    file = models.FileField(_("file"), upload_to=report_upload_to, blank=True)
    # Reminder stage → when it was sent, so the daily task sends each stage once.
    reminded = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return f"{self.project}: {self.period}"
