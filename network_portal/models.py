"""Records of the network-wide layer: readers' subscriptions to the quarterly report."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportSubscription(models.Model):
    """A network reader who gets the quarterly report by e-mail (each quarter once; see reports_mail.py)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="report_subscription")
    created_at = models.DateTimeField(_("subscribed"), auto_now_add=True)

    class Meta:
        verbose_name = _("quarterly report subscription")
        verbose_name_plural = _("quarterly report subscriptions")

    def __str__(self) -> str:
        return str(self.user)
