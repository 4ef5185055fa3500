"""The target company list's rows, written in Python (members/company_list.html has the table around them).

Through the template engine a row cost about 0.1 ms at national scale (two get_FOO_display lookups,
a date filter, a blocktranslate with a filter, one url per row): 25 rows were a fifth of the page.
Here the same HTML is made with format_html (every value escaped), one link prefix for all rows.
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import ngettext

from core.templatetags.formatting import number_nb

from ..models import TargetCompany

register = template.Library()

# Lazy labels: translated when shown, in the language of the request.
_PHASES = dict(TargetCompany.Phase.choices)
_STATUSES = dict(TargetCompany.Status.choices)


@register.simple_tag
def company_row(row: dict, list_url: str) -> SafeString:
    """One `<tr>` of the list from a row of members.selectors.list_rows: name linked to the record
    (`list_url` + id, members/urls.py), org number, municipality, phase, status, contract start,
    adviser and the follow-up count and hours."""
    municipality = row["company__municipality__name"] or "–"
    if row["company__municipality__shares_name"]:  # as Municipality.display_name: Våler (Innlandet)
        municipality = f"{municipality} ({row['company__municipality__county__name']})"
    # As User.get_full_name: the name, else the e-mail.
    adviser = row["adviser__full_name"] or row["adviser__email"] or "–"
    start = row["contract_start"]
    count = row["follow_up_count"]
    follow_up = ngettext("%(counter)s entry, %(hours)s h", "%(counter)s entries, %(hours)s h", count) % {
        "counter": count, "hours": number_nb(row["follow_up_hours"] or 0)}
    return format_html(
        '<tr>\n    <td><a href="{}{}/">{}</a><br><span class="muted small">{}</span></td>\n    <td>{}</td>\n'
        '    <td>{}</td>\n    <td><span class="badge status-{}">{}</span></td>\n    <td>{}</td>\n    <td>{}</td>\n'
        '    <td>{}</td>\n  </tr>',
        list_url, row["pk"], row["company__name"], row["company__org_number"], municipality,
        _PHASES.get(row["phase"], row["phase"]), row["status"], _STATUSES.get(row["status"], row["status"]),
        f"{start:%d.%m.%Y}" if start else "", adviser, follow_up,
    )
