"""The records every app shares: the user, the audit trail and the mail outbox.

They sit at the bottom of the stack so that gardens, members, agreements and projects can
all point at them without pointing at each other.
"""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        """Create a user who signs in with `email`."""
        if not email:
            raise ValueError("Users sign in with an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
        """Create a superuser (admin site only)."""
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in. E-mail is the login; there is no username."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("can use the admin site"), default=False)
    is_network_reader = models.BooleanField(
        _("network reader"), default=False, help_text=_("Siva or county staff: reads every garden, writes none.")
    )
    reader_organisation = models.CharField(_("organisation"), max_length=150, blank=True)
    is_demo = models.BooleanField(_("demo account"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name or self.email).split(" ")[0]


class AuditEntry(models.Model):
    """One change to a record: who, when, which garden, what changed (old → new).

    Append-only: saving an existing entry or deleting one raises. The garden is kept as its
    id and name, not a foreign key: the trail sits below the gardens app, and like the actor
    and the record it names, it says what was true when the change was made.
    """

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("who"), max_length=200, blank=True)
    garden_id = models.BigIntegerField(_("garden"), null=True, blank=True, db_index=True)
    garden_label = models.CharField(_("garden"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    target_type = models.CharField(_("record type"), max_length=80, blank=True)
    target_id = models.CharField(_("record id"), max_length=40, blank=True, db_index=True)
    target_label = models.CharField(_("record"), max_length=300, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_label}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValidationError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Audit entries are append-only.")


class Mail(models.Model):
    """One e-mail in the outbox: rendered when the event happened, sent once by one task.

    Written in the same transaction as the change that causes it, so a mail is never lost
    to a broker or mail-server outage: `sent_at` stays empty until the server accepted it,
    and the retry sweep (`core.tasks.mail_retry_unsent`) tries again with growing pauses.
    `key` names the event ("members.transfer:12:requested:alfa") so that queueing it twice
    keeps one mail.
    """

    key = models.CharField(_("event"), max_length=200, unique=True, null=True, blank=True)
    template = models.CharField(_("template"), max_length=120)
    to = models.JSONField(_("to"), default=list)
    reply_to = models.JSONField(_("reply to"), default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    text = models.TextField(_("text"))
    html = models.TextField(_("HTML"), blank=True)
    created_at = models.DateTimeField(_("queued"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    cancelled_at = models.DateTimeField(
        _("cancelled"), null=True, blank=True, help_text=_("No longer to be sent (the invitation was withdrawn).")
    )

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["sent_at", "next_attempt_at"])]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None
