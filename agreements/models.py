"""Cooperation agreements between gardens and other organisations (first version)."""


from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.web import private_upload_path
from gardens.models import Garden, Organisation, SourcedMixin, ValidityMixin


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

    def get_absolute_url(self) -> str:
        return reverse("agreements:detail", args=[self.slug])


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


# --- what the parties committed to, and what they did ------------------------------------------


class Obligation(models.Model):
    """A recurring commitment ('joint interaction meetings once per quarter') that expects meetings."""

    class Recurrence(models.TextChoices):
        MONTHLY = "monthly", _("monthly")
        QUARTERLY = "quarterly", _("quarterly")
        YEARLY = "yearly", _("yearly")
        ONCE = "once", _("once")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="obligations")
    description = models.CharField(_("description"), max_length=300)
    recurrence = models.CharField(
        _("recurrence"), max_length=10, choices=Recurrence.choices, default=Recurrence.QUARTERLY
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        ordering = ["agreement", "description"]
        constraints = [models.UniqueConstraint(fields=["agreement", "description"], name="obligation_unique")]

    def __str__(self) -> str:
        return self.description


class Meeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        HELD = "held", _("held")
        CANCELLED = "cancelled", pgettext_lazy("meeting", "cancelled")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="meetings")
    obligation = models.ForeignKey(
        Obligation, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    # The period (first day) a generated meeting stands for; it keeps generation idempotent
    # even after someone moves the meeting's date.
    period_start = models.DateField(_("period"), null=True, blank=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    link = models.URLField(_("video link"), blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="agreement_meetings", verbose_name=_("attendees")
    )
    external_attendees = models.TextField(
        _("other attendees"), blank=True, help_text=_("People without an account, one per line.")
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["obligation", "period_start"],
                condition=Q(obligation__isnull=False, period_start__isnull=False),
                name="one_meeting_per_obligation_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%d.%m.%Y})"

    def get_absolute_url(self) -> str:
        return reverse("agreements:meeting", args=[self.agreement.slug, self.pk])

    @property
    def is_overdue(self) -> bool:
        """Its day has passed and it is still only planned: nobody recorded it as held or cancelled."""
        return self.status == self.Status.PLANNED and self.date < timezone.localdate()


class ActionItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(_("description"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="agreement_actions", verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    last_reminded_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["meeting", "done", "due_on", "pk"]

    def __str__(self) -> str:
        return self.description

    @property
    def is_overdue(self) -> bool:
        """Past its due date and not done."""
        return not self.done and self.due_on is not None and self.due_on < timezone.localdate()


def document_upload_to(instance: "AgreementDocument", filename: str) -> str:
    """Documents are stored per agreement under a random name (served only through a view)."""
    return private_upload_path("agreements", instance.agreement_id, filename)


class AgreementDocument(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=document_upload_to)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("agreement document")
        verbose_name_plural = _("agreement documents")
        ordering = ["agreement", "-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class NetworkEvent(models.Model):
    """A joint network event (felles nettverksarrangement) that people sign up for."""

    agreement = models.ForeignKey(
        Agreement, null=True, blank=True, on_delete=models.SET_NULL, related_name="events",
        verbose_name=_("agreement"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), help_text=_("Places before the waiting list."))
    registration_open = models.BooleanField(_("registration open"), default=True)

    class Meta:
        verbose_name = _("network event")
        verbose_name_plural = _("network events")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=models.F("starts_at")), name="event_ends_after_start")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agreements:event", args=[self.pk])


class EventRegistration(models.Model):
    class Status(models.TextChoices):
        REGISTERED = "registered", _("registered")
        WAITLISTED = "waitlisted", _("on the waiting list")
        CANCELLED = "cancelled", pgettext_lazy("registration", "cancelled")

    event = models.ForeignKey(NetworkEvent, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REGISTERED)
    # When the person joined (or re-joined) the queue: the waiting list is served in this order.
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)

    class Meta:
        verbose_name = _("event registration")
        verbose_name_plural = _("event registrations")
        ordering = ["event", "created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="one_registration_per_user")]

    def __str__(self) -> str:
        return f"{self.user} – {self.event} ({self.get_status_display()})"
