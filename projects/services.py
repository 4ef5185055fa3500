"""Verbs that change a project's budget, spending, milestones and reports.

Keyword-only, one transaction each, with the audit entry written in that transaction.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_record, snapshot
from core.templatetags.formatting import nok
from gardens.models import Garden, Organisation

from .models import BudgetLine, Expense, Grant, Milestone, ProgressReport, Project


def _audit(action: str, obj, by, project: Project, changes: dict | None = None) -> None:
    audit_record(action=action, target=obj, actor=by, garden=project.lead_garden, changes=changes or {})


def _created(obj, fields: list[str]) -> dict[str, list[Any]]:
    return {key: [None, value] for key, value in snapshot(obj, fields).items()}


@transaction.atomic
def expense_create(
    *,
    project: Project,
    by,
    year: int,
    date: datetime.date,
    amount: Decimal,
    description: str,
    funder: Organisation | None = None,
    garden: Garden | None = None,
    budget_line: BudgetLine | None = None,
) -> Expense:
    """Record money spent on the project; the amount must be more than zero."""
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("The amount must be more than zero.")})
    if budget_line is not None and budget_line.project_id != project.pk:
        raise ValidationError({"budget_line": _("Choose a budget line of this project.")})
    expense = Expense.objects.create(
        project=project, year=year, date=date, amount=amount, description=description,
        funder=funder, garden=garden, budget_line=budget_line, created_by=by,
    )
    _audit("projects.expense.created", expense, by, project,
           _created(expense, ["year", "date", "amount", "funder", "garden", "budget_line", "description"]))
    return expense


@transaction.atomic
def budget_line_create(
    *, project: Project, by, year: int, category: str, amount: Decimal, description: str = "",
    garden: Garden | None = None,
) -> BudgetLine:
    """Add a line to the project's budget."""
    if amount is None or amount < 0:
        raise ValidationError({"amount": _("The amount cannot be negative.")})
    line = BudgetLine.objects.create(
        project=project, year=year, category=category, amount=amount, description=description, garden=garden
    )
    _audit("projects.budgetline.created", line, by, project,
           _created(line, ["year", "category", "amount", "garden", "description"]))
    return line


@transaction.atomic
def milestone_create(*, project: Project, by, title: str, due: datetime.date) -> Milestone:
    """Add a milestone."""
    milestone = Milestone.objects.create(project=project, title=title, due=due)
    _audit("projects.milestone.created", milestone, by, project, _created(milestone, ["title", "due"]))
    return milestone


@transaction.atomic
def milestone_mark_done(*, milestone: Milestone, by, done_on: datetime.date) -> Milestone:
    """Mark a milestone as reached on `done_on` (again: nothing changes)."""
    milestone = Milestone.objects.select_for_update(of=("self",)).select_related("project__lead_garden").get(
        pk=milestone.pk
    )
    if milestone.done_on is None:
        milestone.done_on = done_on
        milestone.save(update_fields=["done_on"])
        _audit("projects.milestone.done", milestone, by, milestone.project, {"done_on": [None, done_on.isoformat()]})
    return milestone


@transaction.atomic
def report_create(*, project: Project, by, period: str, due: datetime.date) -> ProgressReport:
    """Add a progress report the project owes."""
    report = ProgressReport.objects.create(project=project, period=period, due=due)
    _audit("projects.report.created", report, by, project, _created(report, ["period", "due"]))
    return report


@transaction.atomic
def report_submit(
    *, report: ProgressReport, by, submitted_on: datetime.date, summary: str = "", file=None
) -> ProgressReport:
    """Record that a report was sent, with its summary and (optionally) the file."""
    report = ProgressReport.objects.select_for_update(of=("self",)).select_related("project__lead_garden").get(
        pk=report.pk
    )
    before = snapshot(report, ["submitted_on", "summary", "file"])
    report.submitted_on = submitted_on
    report.summary = summary
    if file:
        report.file = file
    report.save()
    after = snapshot(report, ["submitted_on", "summary", "file"])
    _audit("projects.report.submitted", report, by, report.project,
           {k: [before[k], after[k]] for k in after if before[k] != after[k]})
    return report


@transaction.atomic
def grant_split(*, grant: Grant, by, parts: list[tuple[int, Decimal]]) -> list[Grant]:
    """Replace a whole-period grant by yearly grants that add up to exactly the same amount.

    Only people who know the grant letter should do this: the portal never guesses a split.
    """
    grant = Grant.objects.select_for_update(of=("self",)).select_related("project__lead_garden").get(pk=grant.pk)
    if grant.year is not None:
        raise ValidationError(_("Only a grant for the whole period can be split into years."))
    years = [year for year, _amount in parts]
    if len(parts) < 2 or len(set(years)) != len(years):
        raise ValidationError(_("Give at least two different years."))
    total = sum((amount for _year, amount in parts), Decimal("0"))
    if total != grant.amount:
        raise ValidationError(
            _("The years add up to %(total)s, but the grant is %(amount)s. They must be equal.")
            % {"total": nok(total), "amount": nok(grant.amount)}
        )
    taken = set(Grant.objects.filter(project=grant.project, funder=grant.funder, year__in=years)
                .values_list("year", flat=True))
    if taken:
        raise ValidationError(_("The funder already has a grant for %(years)s.")
                              % {"years": ", ".join(str(y) for y in sorted(taken))})
    project, before = grant.project, snapshot(grant, ["funder", "on_behalf_of", "amount", "year", "note"])
    created = [
        Grant.objects.create(project=project, funder=grant.funder, on_behalf_of=grant.on_behalf_of,
                             amount=amount, year=year, note=grant.note)
        for year, amount in sorted(parts)
    ]
    _audit("projects.grant.split", grant, by, project, {
        "amount": [before["amount"], None],
        "years": [None, {str(year): f"{amount:.2f}" for year, amount in sorted(parts)}],
    })
    grant.delete()
    return created
