"""What the report page shows, computed once for the page, its direct downloads and the export task.

`report_context(access, query)` takes the person's report access and the page's query string,
so a Celery task that has neither a request nor a session computes exactly what the page with
the same filters showed, within the same scope (a county reader's counties only).
"""

from collections.abc import Callable

from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gardens.access import ReportAccess
from gardens.geography import ChangeGraph
from gardens.models import Garden

from . import charts, reports
from .report_forms import ReportFilterForm

Progress = Callable[[int], None]


def _report_rows(gardens, period, graph) -> dict:
    """Everything the report page and its exports show, each figure one aggregate query."""
    per_garden = reports.garden_figures(gardens, period)
    effects, counts, women = per_garden.effects, per_garden.counts, per_garden.women
    groups = reports.follow_up_groups(gardens, period)
    follow_up = reports.follow_up_by_garden(gardens, period, groups)
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
    ("active", gettext_lazy("Active target companies at the end of the period"), lambda r: r["counts"].active),
    ("new", gettext_lazy("New target companies"), lambda r: r["counts"].new),
    ("hours", gettext_lazy("Follow-up hours"), lambda r: r["follow_up"].hours),
    ("turnover", gettext_lazy("Growth in turnover since the baseline (%)"), lambda r: r["turnover"].percent),
    ("value_creation", gettext_lazy("Growth in value creation since the baseline (%)"),
     lambda r: r["value_creation"].percent),
    ("employees", gettext_lazy("Growth in employees since the baseline (%)"), lambda r: r["employees"].percent),
    ("women_share", gettext_lazy("Share of women in leading positions (%)"), lambda r: r["women_share"]),
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


def report_context(access: ReportAccess, query: str, progress: Progress | None = None) -> dict:
    """The report page's figures and charts for `access` with the filters in `query` (a query string).

    `progress(percent)` is called between the steps (the export task moves its bar with it).
    """
    step = progress or (lambda percent: None)
    params = QueryDict(query)
    form = ReportFilterForm(params or None, access=access)
    chosen = form.report_filter()
    graph = ChangeGraph.load()
    if access.names_gardens:
        gardens = reports.gardens_in_scope(access, chosen, graph)
    else:  # staff: their garden against the whole network
        gardens = list(Garden.objects.order_by("name"))
    period = chosen.period
    step(10)
    figures = _report_rows(gardens, period, graph)
    step(40)
    comparison = _comparison(figures["rows"], access.own_garden) if access.own_garden else None
    context = {
        "access": access, "form": form, "period": period, "gardens": gardens, "figures": figures,
        "comparison": comparison, "query": params.urlencode(),
    }
    growth_title = _("Growth in turnover since the baseline (%)")
    if comparison is not None:
        growth = next(c for c in comparison if c["key"] == "turnover")
        own = access.own_garden.name
        context["growth_chart"] = charts.bar_chart(
            title=growth_title, labels=[own, _("Network average"), _("Network median")],
            values=[growth["own"], growth["average"], growth["median"]], unit="%", highlight=own)
    if access.names_gardens:
        context["growth_chart"] = charts.bar_chart(
            title=growth_title, labels=[r["garden"].name for r in figures["rows"]],
            values=[r["turnover"].percent for r in figures["rows"]], unit="%",
            highlight=chosen.garden.name if chosen.garden else None)
        by_place, targets_by_number = reports.place_figures(gardens, period, graph)
        breakdowns = reports.counts_by_phase_section_and_cohort(gardens, period)
        context.update(
            by_place=by_place, by_phase=breakdowns["phase"], by_section=breakdowns["section"],
            cohorts=breakdowns["cohort"], by_kind=reports.follow_up_by_kind(gardens, period, figures["groups"]),
        )
        step(55)
        context.update(
            requests=reports.help_requests(gardens, period),
            meetings=reports.meetings_required_and_held(gardens, period),
            money=reports.project_money(gardens, period),
        )
        step(65)
        figure = params.get("map", "targets")
        figure = figure if figure in reports.MAP_FIGURES else "targets"
        context["map_figure"] = figure
        context["map_figures"] = reports.MAP_FIGURES
        # The target companies' map is the by-place counts again; the hours are their own query.
        values = targets_by_number if figure == "targets" else reports.figure_by_municipality(gardens, period, figure)
        context["map_chart"] = charts.shaded_map(title=str(reports.MAP_FIGURES[figure]), values=values, unit="")
        trend = reports.active_trend(gardens, period.year)
        context["trend_chart"] = charts.line_chart(
            title=_("Active target companies at the end of each year"), x_labels=[str(y) for y in trend],
            series=[(_("Active target companies"), list(trend.values()))])
    step(75)
    return context


def report_file_name(context: dict) -> str:
    """rapport-2021, rapport-2021-q3: the file's name without its extension."""
    period = context["period"]
    return f"rapport-{period.year}{'-q' + str(period.quarter) if period.quarter else ''}"


def report_table(context: dict) -> tuple[list[str], list[list]]:
    """The report's table as the files have it: per garden with a total row for readers, the comparison for staff."""
    access = context["access"]
    if context["comparison"] is not None:
        header = [_("Figure"), access.own_garden.name, _("Network average"), _("Network median")]
        rows = [[str(c["label"]), c["own"], c["average"], c["median"]] for c in context["comparison"]]
        return header, rows
    header = [_("Garden"), _("Active at the end of the period"), _("New"), _("Ended"), _("Follow-up hours"),
              _("Activities"), _("Turnover growth (%)"), _("Value creation growth (%)"),
              _("Employee growth (%)"), _("Share of women in leading positions (%)")]
    rows: list[list] = [
        [r["garden"].name, r["counts"].active, r["counts"].new, r["counts"].ended, r["follow_up"].hours,
         r["follow_up"].activities, r["turnover"].percent, r["value_creation"].percent,
         r["employees"].percent, r["women_share"]] for r in context["figures"]["rows"]]
    totals = context["figures"]
    rows.append([_("All"), totals["counts"].active, totals["counts"].new, totals["counts"].ended,
                 totals["follow_up"].hours, totals["follow_up"].activities, totals["effects"]["turnover"].percent,
                 totals["effects"]["value_creation"].percent, totals["effects"]["employees"].percent,
                 totals["women_share"]])
    return header, rows


def report_pdf(context: dict, request=None) -> bytes:
    """The same report as a printable PDF, rendered from the page's own templates (WeasyPrint).

    Nothing is fetched over the network: the portal's stylesheet is read from disk and only
    file: and data: addresses are allowed.
    """
    from django.contrib.staticfiles import finders
    from weasyprint import CSS, HTML  # imported here: it loads Pango, which only the PDF needs
    from weasyprint.urls import URLFetcher

    html = render_to_string("network_portal/report_pdf.html", {**context, "today": timezone.localdate()},
                            request=request)
    fetcher = URLFetcher(allowed_protocols=("file", "data"))
    return HTML(string=html, url_fetcher=fetcher).write_pdf(
        stylesheets=[CSS(filename=finders.find("css/portal.css"), url_fetcher=fetcher)])
