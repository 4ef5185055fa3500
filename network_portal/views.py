"""Network-wide pages: the front page, a garden's public page, the data sources, where sign-in lands.

These may combine every app below them (a garden's page shows its agreements and projects).
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from agreements.models import Agreement
from core.exports import XLSX_TYPE, table_download
from core.web import query_text
from gardens.access import Access, access_required, is_network_reader, report_export_access, report_scope
from gardens.geography import ChangeGraph, municipality_resolve
from gardens.models import Garden, GardenContact, Network
from gardens.selectors import (
    current_municipality_names,
    garden_coverage,
    garden_staff,
    gardens_directory,
    gardens_for_directory,
    gardens_serving,
)
from projects.models import Project

from . import reports
from .models import REPORT_EXPORT_STALE_MINUTES, ReportExport, ReportSubscription
from .report_exports import report_export_create, report_export_restart, report_exports_of
from .report_pages import report_context, report_file_name, report_pdf, report_table
from .reports_mail import report_subscription_set


def home(request):
    """What the network is, and its gardens."""
    context = {
        "gardens": gardens_for_directory(),
        "networks": Network.objects.prefetch_related("gardens"),
        "agreement_count": Agreement.objects.count(),
        "project_count": Project.objects.count(),
    }
    return render(request, "network_portal/home.html", context)


def garden_list(request: HttpRequest) -> HttpResponse:
    """The public directory: each garden's municipalities, networks, agreements and contact."""
    gardens = gardens_directory(prefetch=("agreements", "contacts"))
    has_inferred = any(c.is_inferred for g in gardens for c in g.coverage_now)
    return render(request, "network_portal/garden_list.html", {"gardens": gardens, "has_inferred": has_inferred})


def garden_detail(request, slug: str):
    """A garden's public page: coverage now and before, staff, networks, agreements, projects."""
    garden = get_object_or_404(Garden, slug=slug)
    coverage_now, coverage_before = garden_coverage(garden)
    contacts = list(garden.contacts.all())
    context = {
        "garden": garden,
        "coverage_now": coverage_now,
        "coverage_before": coverage_before,
        "statuses": list(garden.statuses.all()),
        "staff": garden_staff(garden),
        "networks": list(garden.networks.prefetch_related("gardens")),
        "agreements": list(Agreement.objects.filter(parties__garden=garden).distinct()),
        "projects": list(
            Project.objects.filter(partnerships__garden=garden).select_related("lead_garden").distinct()
        ),
        "has_inferred": any(c.is_inferred for c in coverage_now + coverage_before),
        "contacts": contacts,
        "has_contact_person": any(c.kind == GardenContact.Kind.PERSON for c in contacts),
    }
    return render(request, "network_portal/garden_detail.html", context)


def find_garden(request: HttpRequest) -> HttpResponse:
    """Find the garden that serves a municipality, by name or by number (old numbers and names too)."""
    query = query_text(request, "q")
    graph = ChangeGraph.load() if query else None
    answer = municipality_resolve(query, graph=graph) if query else None
    municipalities = answer.municipalities if answer else []
    coverages = gardens_serving(municipalities, graph=graph, prefetch=("garden__agreements",)) if municipalities else []
    served = {c.serves.pk for c in coverages}
    return render(
        request,
        "network_portal/find.html",
        {
            "query": query,
            "municipalities": municipalities,
            "former": answer.former if answer else [],
            "coverages": coverages,
            "unserved": [m for m in municipalities if m.pk not in served],
            "suggestions": current_municipality_names(),
        },
    )


def about_data(request):
    """Where the reference data comes from, and its licences."""
    return render(request, "network_portal/about_data.html")


# The day the accessibility statement was last checked against the pages (update it with the text).
ACCESSIBILITY_CHECKED_ON = datetime.date(2026, 12, 2)


def accessibility_statement(request):
    """The accessibility statement in the form the Norwegian authority (Uutilsynet) asks for."""
    return render(request, "network_portal/accessibility.html", {
        "checked_on": ACCESSIBILITY_CHECKED_ON,
        "contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL,
    })


@access_required()
def dashboard(request):
    """Where sign-in lands: staff in their garden, entrepreneurs on their page, readers on the reports."""
    membership = (
        request.user.memberships.valid_on(timezone.localdate()).select_related("garden").order_by("garden__name").first()
    )
    if membership is not None:
        return redirect(membership.garden.get_workspace_url())
    if is_network_reader(request.user):
        return redirect("network_portal:reports")
    return redirect("members:my-page")


# --- the network reports ---------------------------------------------------------------------------


@access_required(report_scope)
def report_dashboard(request: HttpRequest) -> HttpResponse:
    """The network's figures for Siva and the counties; a garden's against the network for its staff."""
    context = report_context(request.access, request.GET.urlencode())
    context["subscribed"] = (request.access.is_reader
                             and ReportSubscription.objects.filter(user=request.user).exists())
    context["earlier_exports"] = report_exports_of(request.user)
    context["keep_days"] = settings.REPORT_EXPORT_KEEP_DAYS
    return render(request, "network_portal/reports.html", context)


@access_required(report_scope)
def report_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The report's table as CSV or XLSX (numbers as numbers), or the PDF, answered at once.

    The report page's buttons make a ReportExport instead (a task with a progress bar); this
    direct download stays for scripts and the benchmark.
    """
    if fmt not in ("csv", "xlsx", "pdf"):
        raise Http404
    context = report_context(request.access, request.GET.urlencode())
    name = report_file_name(context)
    if fmt == "pdf":
        response = HttpResponse(report_pdf(context, request), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    header, rows = report_table(context)
    return table_download([str(h) for h in header], rows, name=name, fmt=fmt, title=str(_("Network report")))


# --- report exports: a file made by a task, with a progress bar ----------------------------------


def report_export_scope(request: HttpRequest, pk: int, **kwargs) -> tuple[ReportExport, Access]:
    """/rapporter/eksport/<pk>/…: the export and what the person may do with it (gardens/access.py)."""
    export = ReportExport.objects.filter(pk=pk).first()
    if export is None:
        raise Http404("No such export.")
    return export, report_export_access(request.user, export)


@require_POST
@access_required(report_scope)
def report_export_start(request: HttpRequest) -> HttpResponse:
    """The report page's export buttons: ask for the file of the page as shown, then follow its progress."""
    fmt = request.POST.get("format", "")
    if fmt not in ReportExport.Format.values:
        messages.error(request, _("Choose XLSX, CSV or PDF to export the report."))
        return redirect("network_portal:reports")
    export = report_export_create(user=request.user, query=request.POST.get("query", ""), fmt=fmt,
                                  language=get_language() or settings.LANGUAGE_CODE)
    return redirect(export)


def _export_message(export: ReportExport) -> str:
    if export.status == ReportExport.Status.DONE:
        return str(_("The file is ready."))
    if export.status == ReportExport.Status.FAILED:
        return export.error or str(_("The file could not be made."))
    if export.is_stale():
        return str(_("This export has not moved for %(minutes)s minutes: the background worker probably "
                     "stopped. Start it again; nothing is lost.") % {"minutes": REPORT_EXPORT_STALE_MINUTES})
    if export.status == ReportExport.Status.QUEUED:
        return str(_("Waiting for the background worker. The file is made as soon as it is free; "
                     "you may leave this page and come back."))
    return str(_("Making the file: %(percent)s %% done.") % {"percent": export.progress})


@access_required(report_export_scope)
def report_export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One export: its progress bar while it is made, then the download link (or what went wrong)."""
    export = request.scope_object
    return render(request, "network_portal/report_export.html", {
        "export": export, "message": _export_message(export), "can_restart": request.access.can_edit
        and export.can_restart, "report_url": reverse("network_portal:reports") + (f"?{export.query}" if export.query
                                                                                  else ""),
    })


@access_required(report_export_scope)
def report_export_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """The export's state for the progress bar (polled by static/js/report-export.js)."""
    export = request.scope_object
    done = export.status == ReportExport.Status.DONE
    return JsonResponse({
        "status": export.status, "status_label": export.get_status_display(), "progress": export.progress,
        "finished": export.is_finished, "can_restart": export.can_restart, "message": _export_message(export),
        "download_url": reverse("network_portal:reports-export-file", kwargs={"pk": export.pk}) if done else None,
    }, headers={"Cache-Control": "no-store"})


@access_required(report_export_scope)
def report_export_download(request: HttpRequest, pk: int) -> FileResponse:
    """The finished file, to the person who asked (and superusers) only."""
    export = request.scope_object
    if export.status != ReportExport.Status.DONE or not export.file:
        raise Http404("The file is not ready.")
    content_type = {"xlsx": XLSX_TYPE, "csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}[export.format]
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=export.file_name,
                        content_type=content_type)


@require_POST
@access_required(report_export_scope, "can_edit")
def report_export_restart_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a failed or stale export again (the person who asked for it)."""
    export = request.scope_object
    if report_export_restart(export=export, by=request.user):
        messages.success(request, _("The export was started again."))
    else:
        messages.info(request, _("This export is still being made or is finished; it was not started again."))
    return redirect(export)


@require_POST
@access_required(report_scope, "is_reader")
def report_subscription(request: HttpRequest) -> HttpResponse:
    """A reader subscribes to (or leaves) the quarterly report by e-mail."""
    subscribed = request.POST.get("subscribe") == "1"
    report_subscription_set(user=request.user, subscribed=subscribed)
    messages.success(request, _("You will get the network report by e-mail after each quarter.") if subscribed
                     else _("You no longer get the quarterly report by e-mail."))
    return redirect("network_portal:reports")


def programme_figures(request: HttpRequest) -> HttpResponse:
    """Open to all: programme-wide aggregates, no company and no person; small cells suppressed."""
    years = reports.years_with_data()
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = 0
    if year not in years:
        year = years[1] if len(years) > 1 else years[0]
    period = reports.Period(year)
    gardens = list(Garden.objects.order_by("name"))
    graph = ChangeGraph.load()
    counts = reports.target_company_counts(gardens, period)[None]
    by_place = reports.counts_by_place(gardens, period, graph)
    return render(request, "network_portal/programme.html", {
        "period": period, "years": years,
        "active": reports.suppressed(counts.active), "new": reports.suppressed(counts.new),
        "ended": reports.suppressed(counts.ended),
        "hours": reports.follow_up_by_garden(gardens, period)[None].hours,
        "by_county": [(c.county, reports.suppressed(c.count)) for c in by_place],
        "by_phase": [(label, reports.suppressed(n)) for label, n in reports.counts_by(gardens, period, "phase")],
        "suppress_below": reports.SUPPRESS_BELOW,
    })

