"""The quarterly report by e-mail: each subscribed reader gets the last finished quarter once.

The outbox key (reader and quarter) makes the daily beat task safe to run any number of times.
"""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_record
from core.mail import absolute_url, mail_queue
from core.models import Mail
from gardens.access import report_access
from gardens.geography import ChangeGraph

from . import reports
from .models import ReportSubscription


def last_finished_quarter(today: datetime.date) -> reports.Period:
    quarter = (today.month - 1) // 3  # 0 in January–March: the last quarter of last year
    return reports.Period(today.year - 1, 4) if quarter == 0 else reports.Period(today.year, quarter)


@transaction.atomic
def report_subscription_set(*, user, subscribed: bool) -> ReportSubscription | None:
    """Subscribe or unsubscribe a reader to the quarterly report; audited."""
    existing = ReportSubscription.objects.filter(user=user).first()
    if subscribed and existing is None:
        existing = ReportSubscription.objects.create(user=user)
        audit_record(action="network_portal.reportsubscription.created", target=existing, actor=user)
    elif not subscribed and existing is not None:
        audit_record(action="network_portal.reportsubscription.deleted", target=existing, actor=user)
        existing.delete()
        existing = None
    return existing


def quarterly_reports_send(*, today: datetime.date | None = None) -> int:
    """Queue the last finished quarter's report for every subscriber not yet sent it; returns mails queued."""
    period = last_finished_quarter(today or timezone.localdate())
    graph = ChangeGraph.load()
    queued = 0
    for subscription in ReportSubscription.objects.select_related("user").filter(user__is_active=True):
        user = subscription.user
        access = report_access(user)
        if not access.can_read or not access.names_gardens:
            continue
        key = f"network_portal.report:{user.pk}:{period.year}-Q{period.quarter}"
        if Mail.objects.filter(key=key).exists():
            continue  # this quarter's report went to this reader already
        with transaction.atomic():
            gardens = reports.gardens_in_scope(access, reports.ReportFilter(period), graph)
            query = f"?year={period.year}&quarter={period.quarter}"
            mail = mail_queue(
                template="network_portal/email/quarterly_report", to=[user.email], key=key,
                context={"period": period, "gardens": gardens,
                         "counts": reports.target_company_counts(gardens, period)[None],
                         "follow_up": reports.follow_up_by_garden(gardens, period)[None],
                         "url": absolute_url(reverse("network_portal:reports") + query)},
            )
            queued += 1 if mail is not None else 0
    return queued
