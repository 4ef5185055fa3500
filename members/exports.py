"""CSV and XLSX export of exactly the filtered target company list (core/exports.py writes the files)."""

from collections.abc import Iterable

from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.exports import table_download
from gardens.models import Garden

from .models import TargetCompany


def _header() -> list[str]:
    return [
        _("Organisasjonsnummer"), _("Company name"), _("Municipality number"), _("Municipality"),
        _("Industry code (SN2007)"), _("Phase"), _("Status"), _("Contract start"), _("Contract end"),
        _("Responsible adviser"), _("Follow-up entries"), _("Follow-up hours"),
    ]


def _rows(targets: Iterable[TargetCompany]) -> Iterable[list]:
    for t in targets:
        company = t.company
        yield [
            company.org_number,
            company.name,
            company.municipality.number if company.municipality_id else "",
            company.municipality.name if company.municipality_id else "",
            company.industry.code if company.industry_id else "",
            t.get_phase_display(),
            t.get_status_display(),
            t.contract_start,
            t.contract_end,
            t.adviser.get_full_name() if t.adviser_id else "",
            getattr(t, "follow_up_count", 0),
            getattr(t, "follow_up_hours", None) or 0,
        ]


def _filename(garden: Garden) -> str:
    return f"malbedrifter-{slugify(garden.slug)}-{timezone.localdate():%Y-%m-%d}"


def as_csv(targets: Iterable[TargetCompany], garden: Garden) -> HttpResponseBase:
    """UTF-8 with BOM and semicolons, which Norwegian Excel opens correctly."""
    return table_download(_header(), _rows(targets), name=_filename(garden), fmt="csv", stream=True)


def as_xlsx(targets: Iterable[TargetCompany], garden: Garden) -> HttpResponseBase:
    return table_download(_header(), _rows(targets), name=_filename(garden), fmt="xlsx", stream=True,
                          title=str(_("Target companies")), widths=(16, 32, 10, 18, 12, 14, 12, 12, 12, 22, 10, 10))
