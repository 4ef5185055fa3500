"""Entrepreneurs and companies: what gardens record about their target companies, and help requests."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.orgnr import normalise_org_number, validate_org_number
from core.web import private_upload_path
from gardens.models import Garden, IndustryCode, Municipality, StaffProfile


class EntrepreneurProfile(models.Model):
    """The short profile an entrepreneur keeps: who they are and where."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="entrepreneur_profile")
    org_number = models.CharField(
        _("organisasjonsnummer"), max_length=9, blank=True, validators=[validate_org_number]
    )
    municipality = models.ForeignKey(
        Municipality, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("entrepreneur profile")
        verbose_name_plural = _("entrepreneur profiles")

    def __str__(self) -> str:
        return str(self.user)


class Company(models.Model):
    """A company as one target company record knows it: its organisasjonsnummer and the facts the garden typed.

    Tenancy: every record has a row of its own, so a garden's edit never changes what another
    garden (or another of its own records) shows. Only the organisasjonsnummer is a network-wide
    identity; `TargetCompany.org_number` carries it for the one-active-garden rule.
    """

    org_number = models.CharField(
        _("organisasjonsnummer"), max_length=9, db_index=True, validators=[validate_org_number]
    )
    name = models.CharField(_("name"), max_length=200)
    industry = models.ForeignKey(
        IndustryCode, null=True, blank=True, on_delete=models.PROTECT, related_name="companies",
        verbose_name=_("industry (SN2007)"),
    )
    municipality = models.ForeignKey(
        Municipality, null=True, blank=True, on_delete=models.PROTECT, related_name="companies",
        verbose_name=_("municipality"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.org_number})"

    def clean(self) -> None:
        super().clean()
        self.org_number = normalise_org_number(self.org_number)

    def is_target_of(self, garden: Garden) -> bool:
        """True if the company is an active target company of `garden`."""
        return self.target_relations.filter(garden=garden, status=TargetCompany.Status.ACTIVE).exists()


class MemberCompany(models.Model):
    """A company that is a member of a garden. A company may be a member of several."""

    garden = models.ForeignKey(Garden, on_delete=models.CASCADE, related_name="member_companies")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    joined_on = models.DateField(_("member from"), null=True, blank=True)
    left_on = models.DateField(_("member until"), null=True, blank=True)

    class Meta:
        verbose_name = _("member company")
        verbose_name_plural = _("member companies")
        constraints = [models.UniqueConstraint(fields=["garden", "company"], name="member_company_unique")]

    def __str__(self) -> str:
        return f"{self.company} – {self.garden}"


def contract_upload_to(instance: "TargetCompany", filename: str) -> str:
    """Contracts are stored per garden under a random name (never served directly)."""
    return private_upload_path("contracts", instance.garden_id, filename)


class TargetCompanyQuerySet(models.QuerySet):
    def for_list(self) -> "TargetCompanyQuerySet":
        """The related rows the list's columns need, in one query (the county names a municipality that shares
        its name). The list page itself reads them as values (members.selectors.list_rows)."""
        return self.select_related("company__municipality__county", "adviser")

    def for_export(self) -> "TargetCompanyQuerySet":
        """Everything the exports write: the list's columns and the industry code."""
        return self.for_list().select_related("company__industry")


class TargetCompany(models.Model):
    """A målbedrift: a company with a follow-up contract with one garden.

    A company is an active target company of at most one garden at a time.
    `version` guards against lost updates: a save based on an old version is refused.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        COMPLETED = "completed", _("completed")
        WITHDRAWN = "withdrawn", _("withdrawn")
        MERGED = "merged", _("merged into another record")

    class Phase(models.TextChoices):
        MAPPING = "mapping", _("mapping")
        DEVELOPMENT = "development", _("development")
        GROWTH = "growth", _("growth")
        CLOSING = "closing", _("closing")

    garden = models.ForeignKey(
        Garden, on_delete=models.PROTECT, related_name="target_companies", verbose_name=_("garden")
    )
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="target_relations")
    # The company's organisasjonsnummer, copied here so the database itself holds the rule that a
    # company is the active target company of one garden at a time (each record has its own Company row).
    org_number = models.CharField(_("organisasjonsnummer"), max_length=9, editable=False, db_index=True, default="")
    contract_start = models.DateField(_("contract start"))
    contract_end = models.DateField(_("contract end"), null=True, blank=True)
    contract_file = models.FileField(_("signed contract"), upload_to=contract_upload_to, blank=True)
    phase = models.CharField(_("phase"), max_length=12, choices=Phase.choices, default=Phase.MAPPING)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("responsible adviser"),
    )
    notes = models.TextField(_("notes"), blank=True)
    transferred_from = models.ForeignKey(
        Garden, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("transferred from"),
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_records"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TargetCompanyQuerySet.as_manager()

    class Meta:
        verbose_name = _("target company")
        verbose_name_plural = _("target companies")
        ordering = ["company__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_number"], condition=Q(status="active"), name="one_active_target_garden_per_org_number"
            ),
            models.CheckConstraint(
                condition=Q(contract_end__isnull=True) | Q(contract_end__gte=models.F("contract_start")),
                name="target_contract_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company.name} ({self.garden})"

    def save(self, *args, **kwargs) -> None:
        # Keep the copied organisasjonsnummer in step with the record's company (it never changes after).
        if not self.org_number and self.company_id:
            self.org_number = self.company.org_number
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("members:company-detail", kwargs={"garden_slug": self.garden.slug, "pk": self.pk})

    @property
    def municipality_outside_coverage(self) -> bool:
        """True when the company's municipality is not one the garden covers today."""
        municipality_id = self.company.municipality_id
        if municipality_id is None:
            return False
        return not self.garden.coverages.current().filter(municipality_id=municipality_id).exists()


class ContactPerson(models.Model):
    """Only what is needed to follow the company up, with the legal basis noted (GDPR art. 6)."""

    class LegalBasis(models.TextChoices):
        CONTRACT = "contract", _("the follow-up contract")
        LEGITIMATE_INTEREST = "legitimate_interest", _("legitimate interest")
        CONSENT = "consent", _("consent")

    target = models.ForeignKey(TargetCompany, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role in the company"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    legal_basis = models.CharField(
        _("legal basis"), max_length=20, choices=LegalBasis.choices, default=LegalBasis.CONTRACT
    )

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class KeyFigures(models.Model):
    """One year of the indicators Siva's programme measures. The contract's first year is the baseline."""

    target = models.ForeignKey(TargetCompany, on_delete=models.CASCADE, related_name="key_figures")
    year = models.PositiveSmallIntegerField(_("year"))
    turnover = models.DecimalField(_("turnover (NOK)"), max_digits=14, decimal_places=0, null=True, blank=True)
    value_creation = models.DecimalField(
        _("value creation (NOK)"), max_digits=14, decimal_places=0, null=True, blank=True,
        help_text=_("Operating result plus wage costs."),
    )
    employees = models.DecimalField(_("employees (FTE)"), max_digits=7, decimal_places=1, null=True, blank=True)
    women_in_leadership = models.PositiveSmallIntegerField(_("women in leading positions"), null=True, blank=True)
    leaders_total = models.PositiveSmallIntegerField(_("leading positions in all"), null=True, blank=True)

    class Meta:
        verbose_name = _("key figures")
        verbose_name_plural = _("key figures")
        ordering = ["target", "year"]
        constraints = [models.UniqueConstraint(fields=["target", "year"], name="key_figures_one_per_year")]

    def __str__(self) -> str:
        return f"{self.target.company.name} {self.year}"

    @property
    def is_baseline(self) -> bool:
        return self.year == self.target.contract_start.year


class DevelopmentGoal(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        ACHIEVED = "achieved", _("achieved")
        DROPPED = "dropped", _("dropped")

    target = models.ForeignKey(TargetCompany, on_delete=models.CASCADE, related_name="goals")
    description = models.CharField(_("goal"), max_length=300)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    due = models.DateField(_("due"), null=True, blank=True)

    class Meta:
        verbose_name = _("development plan goal")
        verbose_name_plural = _("development plan goals")
        ordering = ["target", "due", "pk"]

    def __str__(self) -> str:
        return self.description


class FollowUpEntry(models.Model):
    """One entry in the follow-up log: what was done for the company, by whom, how long."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("meeting")
        WORKSHOP = "workshop", _("workshop")
        ADVICE = "advice", _("advice")
        REFERRAL = "referral", _("referral")

    target = models.ForeignKey(TargetCompany, on_delete=models.CASCADE, related_name="follow_ups")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2)
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("adviser")
    )
    adviser_garden = models.ForeignKey(
        Garden, null=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("The garden the adviser worked for; counts their hours."),
    )
    summary = models.TextField(_("summary"))
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    own_share = models.DecimalField(
        _("own share (NOK)"), max_digits=12, decimal_places=2, null=True, blank=True,
        help_text=_("The company's own share for innovation-support services."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up entry")
        verbose_name_plural = _("follow-up log")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gte=0), name="follow_up_hours_not_negative"),
        ]
        indexes = [
            # The reports sum hours per garden and period. The report dashboard reads every entry of the period
            # once (network_portal.reports.follow_up_groups): the second index holds all the columns it reads,
            # so PostgreSQL answers from the index alone (an index-only scan) instead of the whole table.
            models.Index(fields=["adviser_garden", "date"], name="follow_up_garden_date"),
            models.Index(fields=["date", "adviser_garden", "kind", "target", "hours", "own_share"],
                         name="follow_up_date_report"),
            # The list counts and sums the entries of its 25 records from this index alone (an index-only
            # scan on PostgreSQL): read from the table, a busy garden's page visited a thousand blocks.
            models.Index(fields=["target", "hours"], name="follow_up_target_hours"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} {self.get_kind_display()}"


def import_upload_to(instance: "ImportBatch", filename: str) -> str:
    return private_upload_path("imports", instance.garden_id, filename)


class ImportBatch(models.Model):
    """An uploaded spreadsheet of target companies: previewed first, then committed all or nothing."""

    class Status(models.TextChoices):
        MAPPING = "mapping", _("choose the columns")
        UPLOADED = "uploaded", _("uploaded")
        PREVIEWED = "previewed", _("ready for review")
        FAILED = "failed", _("could not be read")
        IMPORTING = "importing", _("importing")
        DONE = "done", _("imported")
        ABORTED = "aborted", _("not imported")

    garden = models.ForeignKey(Garden, on_delete=models.CASCADE, related_name="import_batches")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    file = models.FileField(upload_to=import_upload_to)
    original_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.UPLOADED)
    error = models.TextField(_("error"), blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    # Which column each field was read from, which columns were ignored and how the file was
    # decoded: the preview says so, so that an unrecognised column never vanishes silently.
    columns = models.JSONField(_("columns read"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Touched by every committed progress step: a batch being checked or imported whose
    # progress has not moved for IMPORT_STALE_MINUTES lost its worker and may be restarted.
    progress_at = models.DateTimeField(_("last progress"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0

    @property
    def rows(self) -> list[dict]:
        """Every row as a dict (line, cells; once checked also values, org_number, clean, problems, notes).

        For small batches and tests: the import itself streams `import_rows` a chunk at a time.
        """
        return [row.as_dict() for row in self.import_rows.order_by("line")]


class RowJSONField(models.JSONField):
    """A JSONField that PostgreSQL bulk-inserts as one parameter per value.

    Django 5.2 bulk-inserts on PostgreSQL through UNNEST of one array per column; psycopg
    quotes every JSON text inside such an array in Python, escaping each of its many double
    quotes, which made storing the checked rows most of an import's time. A field with a
    placeholder of its own makes Django use plain VALUES, where each JSON value is passed as is.
    """

    def get_placeholder(self, value, compiler, connection) -> str:
        return "%s"


class ImportRow(models.Model):
    """One data row of an import, as read and (once checked) with its problems.

    A table of its own rather than a JSON list on the batch: a 100,000-row file is then read,
    checked, shown a page at a time and committed a chunk at a time, never held whole in memory.
    """

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="import_rows")
    line = models.PositiveIntegerField(_("line"))
    cells = RowJSONField(default=list)
    # Filled by the check; `clean` is null until the row has been checked.
    values = RowJSONField(default=dict, blank=True)
    org_number = models.CharField(max_length=9, blank=True)
    clean = RowJSONField(null=True, blank=True)
    problems = RowJSONField(default=list, blank=True)
    notes = RowJSONField(default=list, blank=True)
    has_problems = models.BooleanField(default=False)
    # Set when the admin imports only the ready rows: this row (it had a problem) stays behind.
    left_out = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("import row")
        verbose_name_plural = _("import rows")
        ordering = ["batch", "line"]
        constraints = [models.UniqueConstraint(fields=["batch", "line"], name="one_import_row_per_line")]
        indexes = [models.Index(fields=["batch", "has_problems", "line"], name="import_row_problems"),
                   models.Index(fields=["batch", "org_number"], name="import_row_org_number")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.line}"

    def as_dict(self) -> dict:
        """The row as the checking code and the problem file see it."""
        row = {"line": self.line, "cells": self.cells}
        if self.clean is not None:
            row.update(values=self.values, org_number=self.org_number, clean=self.clean, problems=self.problems,
                       notes=self.notes)
        return row


class SavedImportMapping(models.Model):
    """A garden's choice of which column fills which field, for files with these headers.

    Keyed on the header signature (members.imports.reading.header_signature): the next file
    whose header row reads the same is mapped the same way without asking.
    """

    garden = models.ForeignKey(Garden, on_delete=models.CASCADE, related_name="import_mappings")
    name = models.CharField(_("name"), max_length=100)
    signature = models.CharField(max_length=64)
    headers = models.JSONField(_("headers"), default=list)
    # Column position (as text) → field name; positions not listed are ignored.
    mapping = models.JSONField(_("mapping"), default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("saved column mapping")
        verbose_name_plural = _("saved column mappings")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["garden", "signature"], name="one_saved_mapping_per_header_row"),
        ]

    def __str__(self) -> str:
        return self.name


class TransferRequest(models.Model):
    """Handing target companies from one garden to another; both gardens' admins confirm."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for confirmation")
        COMPLETED = "completed", _("completed")
        CANCELLED = "cancelled", _("cancelled")

    from_garden = models.ForeignKey(Garden, on_delete=models.CASCADE, related_name="transfers_out")
    to_garden = models.ForeignKey(Garden, on_delete=models.CASCADE, related_name="transfers_in")
    targets = models.ManyToManyField(TargetCompany, related_name="transfer_requests")
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    from_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_confirmed_at = models.DateTimeField(null=True, blank=True)
    to_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # One marker per e-mail event ("requested", "completed", "cancelled" → ISO time sent), so a
    # notification task that runs twice sends once.
    notified_at = models.JSONField(_("e-mails sent"), default=dict, blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_garden=models.F("to_garden")), name="transfer_between_two_gardens"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_garden} → {self.to_garden}"


class CompetenceShare(models.Model):
    """A garden asking a colleague in another garden for help with one of its target companies.

    Once accepted, the colleague sees that one company and logs follow-up hours on it
    (counted for their own garden) until the request is closed.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for an answer")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        CLOSED = "closed", _("closed")

    target = models.ForeignKey(TargetCompany, on_delete=models.CASCADE, related_name="shares")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    colleague = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shares_received")
    colleague_garden = models.ForeignKey(Garden, on_delete=models.CASCADE, related_name="shares_received")
    message = models.TextField(_("what you need help with"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    response_note = models.TextField(_("answer"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("competence request")
        verbose_name_plural = _("competence requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.target.company.name} → {self.colleague}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.ACCEPTED


class HelpRequest(models.Model):
    """An entrepreneur asking a garden (or one of its staff) for help.

    Saved with the garden's notification queued in the outbox in the same transaction, so a
    broker or mail-server outage delays the e-mail but never loses it.
    """

    class Status(models.TextChoices):
        NEW = "new", _("new")
        ASSIGNED = "assigned", _("assigned")
        ANSWERED = "answered", _("answered")
        CLOSED = "closed", _("closed")

    garden = models.ForeignKey(Garden, on_delete=models.CASCADE, related_name="help_requests")
    staff_profile = models.ForeignKey(
        StaffProfile, null=True, blank=True, on_delete=models.SET_NULL, related_name="help_requests",
        verbose_name=_("asked staff member"),
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="help_requests",
        verbose_name=_("requester's account"),
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail address"))
    municipality = models.ForeignKey(
        Municipality, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("municipality"),
    )
    org_number = models.CharField(_("organisasjonsnummer"), max_length=9, blank=True)
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="help_requests",
        verbose_name=_("company"),
    )
    message = models.TextField(_("what do you need help with?"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW, db_index=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("assigned to"),
    )
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    notification = models.ForeignKey("core.Mail", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("garden's notification"))

    class Meta:
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["garden", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.name} → {self.garden} ({self.created_at:%d.%m.%Y})"

    def get_absolute_url(self) -> str:
        return reverse("members:help-detail", kwargs={"garden_slug": self.garden.slug, "help_request_pk": self.pk})


class HelpRequestMessage(models.Model):
    """An answer (or note) on a help request; kept so the entrepreneur can read it again."""

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("answer"))
    is_internal = models.BooleanField(_("internal note"), default=False)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    mail = models.ForeignKey("core.Mail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("e-mail"))

    class Meta:
        verbose_name = _("help request message")
        verbose_name_plural = _("help request messages")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.body[:60]}"
