"""Project pages. Thin: `access_required(project_scope, …)` finds the project and decides; then a selector."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.web import file_download
from gardens.access import Access, access_required, project_access, require

from . import services
from .forms import BudgetLineForm, ExpenseForm, GrantSplitForm, MilestoneForm, ReportForm, ReportSubmitForm
from .models import FundingCall, Project
from .selectors import project_finances, projects_for_list

LATEST_EXPENSES = 20
REMIND_DAYS = 14


def project_scope(request: HttpRequest, slug: str, **kwargs) -> tuple[Project, Access]:
    """The project from the URL and what the person may do with it."""
    project = get_object_or_404(Project.objects.select_related("lead_garden", "call"), slug=slug)
    return project, project_access(request.user, project)


def project_list(request: HttpRequest) -> HttpResponse:
    """All projects: name, lead, partners, period, status and total granted (public)."""
    return render(request, "projects/project_list.html", {"projects": projects_for_list()})


@access_required(project_scope, None, login=False)
def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The public part for everyone; the money, milestones and reports for partners and readers."""
    return _render_detail(request, request.scope_object, request.access)


def _render_detail(
    request: HttpRequest, project: Project, access: Access, *, milestone_form=None, report_form=None,
    status: int = 200,
) -> HttpResponse:
    """The detail page; a milestone or report form with errors is shown again as typed."""
    context = {"project": project, "access": access, "partners": list(project.partners.order_by("name"))}
    if access.can_read:
        today = timezone.localdate()
        expenses = list(project.expenses.select_related("funder", "garden", "budget_line")[: LATEST_EXPENSES + 1])
        context.update(
            finances=project_finances(project),
            budget_lines=list(project.budget_lines.select_related("garden")),
            expenses=expenses[:LATEST_EXPENSES],
            more_expenses=len(expenses) > LATEST_EXPENSES,
            milestones=list(project.milestones.all()),
            reports=list(project.reports.all()),
            today=today,
            soon=today + datetime.timedelta(days=REMIND_DAYS),
            milestone_form=milestone_form or MilestoneForm(prefix="ms"),
            report_form=report_form or ReportForm(prefix="rep"),
        )
    return render(request, "projects/project_detail.html", context, status=status)


@access_required(project_scope)
def expense_list(request: HttpRequest, slug: str) -> HttpResponse:
    """All spending on the project."""
    project = request.scope_object
    access = request.access
    expenses = project.expenses.select_related("funder", "garden", "budget_line", "created_by")
    return render(request, "projects/expense_list.html", {"project": project, "access": access, "expenses": expenses})


@access_required(project_scope, "can_edit")
def expense_add(request: HttpRequest, slug: str) -> HttpResponse:
    """Enter spending (party admins only)."""
    project = request.scope_object
    form = ExpenseForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.expense_create(project=project, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The spending was recorded."))
            return redirect("projects:detail", slug=project.slug)
    return render(request, "projects/expense_form.html", {"project": project, "form": form})


@access_required(project_scope)
def budget(request: HttpRequest, slug: str) -> HttpResponse:
    """The budget lines; party admins add lines here."""
    project = request.scope_object
    access = request.access
    if request.method == "POST":
        require(request.access, "can_edit")
    form = BudgetLineForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        services.budget_line_create(project=project, by=request.user, **form.cleaned_data)
        messages.success(request, _("The budget line was added."))
        return redirect("projects:budget", slug=project.slug)
    lines = project.budget_lines.select_related("garden")
    return render(request, "projects/budget.html", {"project": project, "access": access, "form": form,
                                                    "lines": lines, "finances": project_finances(project)})


@require_POST
@access_required(project_scope, "can_edit")
def milestone_add(request: HttpRequest, slug: str) -> HttpResponse:
    project = request.scope_object
    access = request.access
    form = MilestoneForm(request.POST, prefix="ms")
    if not form.is_valid():
        return _render_detail(request, project, access, milestone_form=form, status=400)
    services.milestone_create(project=project, by=request.user, **form.cleaned_data)
    messages.success(request, _("The milestone was added."))
    return redirect(f"{project.get_absolute_url()}#h-milestones")


@require_POST
@access_required(project_scope, "can_edit")
def milestone_done(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    project = request.scope_object
    milestone = get_object_or_404(project.milestones, pk=pk)
    services.milestone_mark_done(milestone=milestone, by=request.user, done_on=timezone.localdate())
    messages.success(request, _("The milestone was marked as reached."))
    return redirect(f"{project.get_absolute_url()}#h-milestones")


@require_POST
@access_required(project_scope, "can_edit")
def report_add(request: HttpRequest, slug: str) -> HttpResponse:
    project = request.scope_object
    access = request.access
    form = ReportForm(request.POST, prefix="rep")
    if not form.is_valid():
        return _render_detail(request, project, access, report_form=form, status=400)
    services.report_create(project=project, by=request.user, **form.cleaned_data)
    messages.success(request, _("The progress report was added."))
    return redirect(f"{project.get_absolute_url()}#h-reports")


@access_required(project_scope, "can_edit")
def report_submit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Record that a report was sent, with a summary and optionally the file."""
    project = request.scope_object
    report = get_object_or_404(project.reports, pk=pk)
    initial = {"submitted_on": report.submitted_on or timezone.localdate(), "summary": report.summary}
    form = ReportSubmitForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.report_submit(report=report, by=request.user, **form.cleaned_data)
        messages.success(request, _("The progress report was recorded as submitted."))
        return redirect(f"{project.get_absolute_url()}#h-reports")
    return render(request, "projects/report_form.html", {"project": project, "report": report, "form": form})


@access_required(project_scope)
def report_file(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """A report's file, only to the parties and network readers (others: 404)."""
    project = request.scope_object
    report = get_object_or_404(project.reports, pk=pk)
    return file_download(report.file, f"rapport-{project.slug}-{report.pk}")


@access_required(project_scope, "can_edit")
def grant_split(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Split a whole-period grant into yearly grants (party admins; the amounts must add up exactly)."""
    project = request.scope_object
    grant = get_object_or_404(project.grants.select_related("funder", "on_behalf_of"), pk=pk, year__isnull=True)
    rows = min(max(project.duration_years or 3, 2), 6)
    form = GrantSplitForm(request.POST or None, rows=rows, first_year=project.start_year)
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_split(grant=grant, by=request.user, parts=form.cleaned_data["parts"])
        except ValidationError as exc:
            for error in exc.messages:
                form.add_error(None, error)
        else:
            messages.success(request, _("The grant was split into years."))
            return redirect("projects:detail", slug=project.slug)
    return render(request, "projects/grant_split.html", {"project": project, "grant": grant, "form": form})


def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A funding call, its projects and what they share (public)."""
    call = get_object_or_404(FundingCall.objects.select_related("funder"), pk=pk)
    projects = projects_for_list().filter(call=call)
    return render(request, "projects/call_detail.html", {"call": call, "projects": projects})
