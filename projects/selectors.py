"""Reads for projects: who may see what, the list, and the money figures aggregated in SQL."""

from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from gardens.models import Garden, StaffMembership

from .models import BudgetLine, Expense, Grant, Project

MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = Decimal("0.00")


def _sum(field: str = "amount", **filters: Any) -> Coalesce:
    """SUM(field) that is 0.00 instead of NULL when nothing matches."""
    total = Sum(field, filter=Q(**filters)) if filters else Sum(field)
    return Coalesce(total, Value(ZERO), output_field=MONEY)


def _party_gardens(project: Project) -> Q:
    """Memberships of the lead garden or a partner garden."""
    return Q(garden__project_partnerships__project=project) | Q(garden_id=project.lead_garden_id)


def project_admin_emails(project: Project) -> list[str]:
    """Addresses of the party gardens' current admins (who get report reminders)."""
    return sorted(
        set(
            StaffMembership.objects.current()
            .filter(_party_gardens(project), role=StaffMembership.Role.ADMIN, user__is_active=True)
            .values_list("user__email", flat=True)
        )
    )


def party_gardens(project: Project) -> QuerySet[Garden]:
    """The lead garden and the partner gardens: the choices for budget lines and expenses."""
    return Garden.objects.filter(Q(project_partnerships__project=project) | Q(pk=project.lead_garden_id)).distinct()


def projects_for_list() -> QuerySet[Project]:
    """Every project with its lead, partners and total granted (two queries)."""
    granted = (
        Grant.objects.filter(project=OuterRef("pk")).order_by().values("project").annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        Project.objects.select_related("lead_garden")
        .annotate(granted=Coalesce(Subquery(granted, output_field=MONEY), Value(ZERO), output_field=MONEY))
        .prefetch_related(Prefetch("partners", queryset=Garden.objects.order_by("name")))
        .order_by("name")
    )


def project_finances(project: Project) -> dict[str, Any]:
    """Granted, spent and remaining per funder and year, per partner garden, and in total (four queries).

    A grant without a year covers the whole period ("Hele perioden"). Spending a funder
    has in a year where it also gave a grant for that year counts against that year's
    grant; all its other spending counts against its whole-period grant.
    """
    # 1: grants grouped by funder and year.
    grants = list(
        Grant.objects.filter(project=project)
        .values("pk", "funder_id", "funder__name", "on_behalf_of__name", "year")  # one grant per funder and year
        .annotate(granted=_sum())
        .order_by("funder__name", "year")
    )
    # 2: spending grouped by funder and year (funder may be unknown).
    spending = list(
        Expense.objects.filter(project=project)
        .values("funder_id", "funder__name", "year")
        .annotate(spent=_sum())
        .order_by("funder__name", "year")
    )
    # 3: each party garden with its budget and spending.
    budget_of = BudgetLine.objects.filter(project=project, garden=OuterRef("pk")).order_by().values("garden")
    spent_of = Expense.objects.filter(project=project, garden=OuterRef("pk")).order_by().values("garden")
    gardens = list(
        party_gardens(project)
        .annotate(
            budget=Coalesce(Subquery(budget_of.annotate(s=Sum("amount")).values("s"), output_field=MONEY),
                            Value(ZERO), output_field=MONEY),
            spent=Coalesce(Subquery(spent_of.annotate(s=Sum("amount")).values("s"), output_field=MONEY),
                           Value(ZERO), output_field=MONEY),
        )
        .order_by("name")
    )
    # 4: totals, and what is not tied to a partner garden.
    budget_sum = BudgetLine.objects.filter(project=OuterRef("pk")).order_by().values("project")
    expense_sum = Expense.objects.filter(project=OuterRef("pk")).order_by().values("project")
    grant_sum = Grant.objects.filter(project=OuterRef("pk")).order_by().values("project")

    def sub(qs: QuerySet, **filters: Any) -> Coalesce:
        qs = qs.filter(**filters) if filters else qs
        return Coalesce(Subquery(qs.annotate(s=Sum("amount")).values("s"), output_field=MONEY),
                        Value(ZERO), output_field=MONEY)

    totals = (
        Project.objects.filter(pk=project.pk)
        .annotate(
            granted_total=sub(grant_sum),
            spent_total=sub(expense_sum),
            budget_total=sub(budget_sum),
            budget_unassigned=sub(budget_sum, garden__isnull=True),
            spent_unassigned=sub(expense_sum, garden__isnull=True),
        )
        .values("granted_total", "spent_total", "budget_total", "budget_unassigned", "spent_unassigned")
        .get()
    )
    return {
        "by_funder": _funder_rows(grants, spending),
        "by_garden": [
            {"garden": g, "budget": g.budget, "spent": g.spent, "remaining": g.budget - g.spent} for g in gardens
        ],
        "unassigned": {
            "budget": totals["budget_unassigned"],
            "spent": totals["spent_unassigned"],
            "remaining": totals["budget_unassigned"] - totals["spent_unassigned"],
        },
        "granted": totals["granted_total"],
        "spent": totals["spent_total"],
        "remaining": totals["granted_total"] - totals["spent_total"],
        "budget": totals["budget_total"],
        "budget_remaining": totals["budget_total"] - totals["spent_total"],
    }


def _funder_rows(grants: list[dict], spending: list[dict]) -> list[dict[str, Any]]:
    """Match the grouped grant rows with the grouped spending rows (a few rows, already summed in SQL)."""
    spent = {(row["funder_id"], row["year"]): row["spent"] for row in spending}
    names = {row["funder_id"]: row["funder__name"] for row in spending}
    year_grants = {(row["funder_id"], row["year"]) for row in grants if row["year"] is not None}
    whole_funders = {row["funder_id"] for row in grants if row["year"] is None}
    rows = []
    for row in grants:
        key = (row["funder_id"], row["year"])
        if row["year"] is None:
            used = sum(
                (amount for (funder, year), amount in spent.items()
                 if funder == row["funder_id"] and (funder, year) not in year_grants),
                ZERO,
            )
        else:
            used = spent.get(key, ZERO)
        rows.append({"funder": row["funder__name"], "on_behalf_of": row["on_behalf_of__name"], "year": row["year"],
                     "granted": row["granted"], "spent": used, "remaining": row["granted"] - used,
                     "grant_id": row["pk"]})
    # Spending with no grant to count against: an unknown funder, or a year the funder gave nothing for.
    for (funder, year), amount in spent.items():
        if funder is None or ((funder, year) not in year_grants and funder not in whole_funders):
            rows.append({"funder": names.get(funder), "on_behalf_of": None, "year": year,
                         "granted": ZERO, "spent": amount, "remaining": -amount, "grant_id": None})
    return rows
