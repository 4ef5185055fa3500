"""Network-wide pages: the front page, a garden's public page, the data sources, where sign-in lands.

These may combine every app below them (a garden's page shows its agreements and projects).
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from agreements.models import Agreement
from core.exports import table_download
from core.web import query_text
from gardens.access import access_required, is_network_reader, report_scope
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

from . import charts, reports
from .models import ReportSubscription
from .report_forms import ReportFilterForm
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


def _report_rows(gardens, period, graph) -> dict:
    """Everything the report page and its exports show, each figure one aggregate query."""
    effects = reports.effect_indicators(gardens, period)
    counts = reports.target_company_counts(gardens, period)
    groups = reports.follow_up_groups(gardens, period)
    follow_up = reports.follow_up_by_garden(gardens, period, groups)
    women = reports.women_in_leadership(gardens, period)
    shared = reports.shared_hours(gardens, period, groups)
    rows = []
    for garden in gardens:
        growth = effects.get(garden.pk, {})
        w, leaders = women.get(garden.pk, (0, 0))
        rows.append({
            "garden": garden,
            "counts": counts.get(garden.pk, reports.Counts()),
            "follow_up": follow_up.get(garden.pk, reports.FollowUp()),
            "turnover": growth.get("turnover", reports.Growth()),
            "value_creation": growth.get("value_creation", reports.Growth()),
            "employees": growth.get("employees", reports.Growth()),
            "women_share": round(100 * w / leaders, 1) if leaders else None,
            "shared_given": shared.get(garden.pk, (0, 0))[0],
            "shared_received": shared.get(garden.pk, (0, 0))[1],
        })
    w, leaders = women[None]
    return {
        "rows": rows,
        "groups": groups,
        "effects": effects[None],
        "counts": counts[None],
        "follow_up": follow_up[None],
        "women_share": round(100 * w / leaders, 1) if leaders else None,
    }


COMPARED = [
    ("active", _("Active target companies at the end of the period"), lambda r: r["counts"].active),
    ("new", _("New target companies"), lambda r: r["counts"].new),
    ("hours", _("Follow-up hours"), lambda r: r["follow_up"].hours),
    ("turnover", _("Growth in turnover since the baseline (%)"), lambda r: r["turnover"].percent),
    ("value_creation", _("Growth in value creation since the baseline (%)"), lambda r: r["value_creation"].percent),
    ("employees", _("Growth in employees since the baseline (%)"), lambda r: r["employees"].percent),
    ("women_share", _("Share of women in leading positions (%)"), lambda r: r["women_share"]),
]


def _comparison(rows: list[dict], own) -> list[dict]:
    """One garden against the network's average and median, figure by figure."""
    own_row = next((r for r in rows if r["garden"].pk == own.pk), None)
    result = []
    for key, label, value in COMPARED:
        values = [value(r) for r in rows]
        result.append({"key": key, "label": label, "own": value(own_row) if own_row else None,
                       "average": reports.average_of(values), "median": reports.median_of(values)})
    return result


def _report_context(request):
    access = request.access
    form = ReportFilterForm(request.GET or None, access=access)
    chosen = form.report_filter()
    graph = ChangeGraph.load()
    if access.names_gardens:
        gardens = reports.gardens_in_scope(access, chosen, graph)
    else:  # staff: their garden against the whole network
        gardens = list(Garden.objects.order_by("name"))
    period = chosen.period
    figures = _report_rows(gardens, period, graph)
    comparison = _comparison(figures["rows"], access.own_garden) if access.own_garden else None
    context = {
        "form": form, "period": period, "gardens": gardens, "figures": figures, "comparison": comparison,
        "query": request.GET.urlencode(),
        "subscribed": access.is_reader and ReportSubscription.objects.filter(user=request.user).exists(),
    }
    growth_title = str(_("Growth in turnover since the baseline (%)"))
    if comparison is not None:
        growth = next(c for c in comparison if c["key"] == "turnover")
        own = access.own_garden.name
        context["growth_chart"] = charts.bar_chart(
            title=growth_title, labels=[own, str(_("Network average")), str(_("Network median"))],
            values=[growth["own"], growth["average"], growth["median"]], unit="%", highlight=own)
    if access.names_gardens:
        context["growth_chart"] = charts.bar_chart(
            title=growth_title, labels=[r["garden"].name for r in figures["rows"]],
            values=[r["turnover"].percent for r in figures["rows"]], unit="%",
            highlight=chosen.garden.name if chosen.garden else None)
        context.update(
            by_place=reports.counts_by_place(gardens, period, graph),
            by_phase=reports.counts_by(gardens, period, "phase"),
            by_section=reports.counts_by(gardens, period, "company__industry__section"),
            cohorts=reports.counts_by(gardens, period, "cohort"),
            by_kind=reports.follow_up_by_kind(gardens, period, figures["groups"]),
            requests=reports.help_requests(gardens, period),
            meetings=reports.meetings_required_and_held(gardens, period),
            money=reports.project_money(gardens, period),
        )
        figure = request.GET.get("map", "targets")
        figure = figure if figure in reports.MAP_FIGURES else "targets"
        context["map_figure"] = figure
        context["map_figures"] = reports.MAP_FIGURES
        context["map_chart"] = charts.shaded_map(
            title=str(reports.MAP_FIGURES[figure]), values=reports.figure_by_municipality(gardens, period, figure),
            unit="" if figure == "targets" else "")
        trend = reports.active_trend(gardens, period.year)
        context["trend_chart"] = charts.line_chart(
            title=str(_("Active target companies at the end of each year")), x_labels=[str(y) for y in trend],
            series=[(str(_("Active target companies")), list(trend.values()))])
    return context


@access_required(report_scope)
def report_dashboard(request: HttpRequest) -> HttpResponse:
    """The network's figures for Siva and the counties; a garden's against the network for its staff."""
    return render(request, "network_portal/reports.html", _report_context(request))


@access_required(report_scope)
def report_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The report's table as CSV or XLSX (numbers as numbers): per garden for readers, the comparison for staff."""
    if fmt not in ("csv", "xlsx", "pdf"):
        raise Http404
    context = _report_context(request)
    period = context["period"]
    name = f"rapport-{period.year}{'-q' + str(period.quarter) if period.quarter else ''}"
    if fmt == "pdf":
        return _report_pdf(request, context, name)
    if context["comparison"] is not None:
        header = [_("Figure"), request.access.own_garden.name, _("Network average"), _("Network median")]
        rows = [[c["label"], c["own"], c["average"], c["median"]] for c in context["comparison"]]
    else:
        header = [_("Garden"), _("Active at the end of the period"), _("New"), _("Ended"), _("Follow-up hours"),
                  _("Activities"), _("Turnover growth (%)"), _("Value creation growth (%)"),
                  _("Employee growth (%)"), _("Share of women in leading positions (%)")]
        rows = [[r["garden"].name, r["counts"].active, r["counts"].new, r["counts"].ended, r["follow_up"].hours,
                 r["follow_up"].activities, r["turnover"].percent, r["value_creation"].percent,
                 r["employees"].percent, r["women_share"]] for r in context["figures"]["rows"]]
        totals = context["figures"]
        rows.append([_("All"), totals["counts"].active, totals["counts"].new, totals["counts"].ended,
                     totals["follow_up"].hours, totals["follow_up"].activities, totals["effects"]["turnover"].percent,
                     totals["effects"]["value_creation"].percent, totals["effects"]["employees"].percent,
                     totals["women_share"]])
    return table_download([str(h) for h in header], rows, name=name, fmt=fmt, title=str(_("Network report")))


def _report_pdf(request: HttpRequest, context: dict, name: str) -> HttpResponse:
    """The same report as a printable PDF, rendered from the page's own templates (WeasyPrint).

    Nothing is fetched over the network: the portal's stylesheet is read from disk and only
    file: and data: addresses are allowed.
    """
    from django.contrib.staticfiles import finders
    from weasyprint import CSS, HTML  # imported here: it loads Pango, which only this view needs
    from weasyprint.urls import URLFetcher

    html = render_to_string("network_portal/report_pdf.html", {**context, "today": timezone.localdate()},
                            request=request)
    fetcher = URLFetcher(allowed_protocols=("file", "data"))
    pdf = HTML(string=html, url_fetcher=fetcher).write_pdf(
        stylesheets=[CSS(filename=finders.find("css/portal.css"), url_fetcher=fetcher)])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


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

