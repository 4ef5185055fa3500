"""People and companies: the user model, companies and what gardens record about them."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gardens.models import Garden, IndustryCode, Municipality

from .validators import normalise_org_number, validate_org_number


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


class EntrepreneurProfile(models.Model):
    """The short profile an entrepreneur keeps: who they are and where."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="entrepreneur_profile")
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
    """A company known by its organisasjonsnummer."""

    org_number = models.CharField(
        _("organisasjonsnummer"), max_length=9, unique=True, validators=[validate_org_number]
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


class TargetCompany(models.Model):
    """A målbedrift: a company with a follow-up contract with one garden.

    A company is an active target company of at most one garden at a time.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        COMPLETED = "completed", _("completed")
        WITHDRAWN = "withdrawn", _("withdrawn")

    garden = models.ForeignKey(Garden, on_delete=models.PROTECT, related_name="target_companies")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="target_relations")
    contract_start = models.DateField(_("contract start"))
    contract_end = models.DateField(_("contract end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("target company")
        verbose_name_plural = _("target companies")
        ordering = ["company__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["company"], condition=Q(status="active"), name="one_active_target_garden_per_company"
            ),
            models.CheckConstraint(
                condition=Q(contract_end__isnull=True) | Q(contract_end__gte=models.F("contract_start")),
                name="target_contract_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company.name} – {self.garden}"
