"""Target company records in a garden's workspace. Thin: resolve the garden, call a selector or service."""

import dataclasses
import datetime
import functools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.audit import describe
from core.web import bounded_int, file_download, focus_first_error, form_errors_to_messages
from gardens.access import garden_required
from gardens.selectors import garden_coverage, garden_staff

from . import exports, services
from .filters import TargetCompanyFilter
from .forms import (
    ContactForm,
    FollowUpForm,
    GoalForm,
    GoalStatusForm,
    KeyFiguresForm,
    MergeForm,
    TargetCompanyEditForm,
    TargetCompanyForm,
)
from .history import change_rows
from .models import KeyFigures, TargetCompany
from .selectors import (
    add_follow_up_totals,
    iterate_with_follow_up_totals,
    list_rows,
    target_companies_for,
    target_company_history,
    workspace_overview,
)

PAGE_SIZE = 25
# A record of a busy company has hundreds of follow-up entries; the page shows the latest ones.
FOLLOW_UP_LOG_SHOWN = 50
# The history page shows this many changes a page, newest first (a busy record has thousands).
HISTORY_PAGE_SIZE = 50


def _target(request: HttpRequest, pk: int) -> TargetCompany:
    """A target company reached through request.garden (another garden's id is a 404)."""
    return get_object_or_404(
        request.garden.target_companies.select_related(
            "company__municipality__county", "company__industry", "adviser", "transferred_from", "merged_into"
        ),
        pk=pk,
    )


@garden_required()
def workspace(request: HttpRequest, garden_slug: str) -> HttpResponse:
    """The garden's workspace: what staff open every morning."""
    garden = request.garden
    coverage_now, _before = garden_coverage(garden)
    return render(request, "members/workspace.html", {
        **workspace_overview(garden, timezone.localdate()),
        "staff": garden_staff(garden),
        "coverage_now": coverage_now,
        "target_companies": list(
            garden.target_companies.filter(status=TargetCompany.Status.ACTIVE)
            .select_related("company__municipality")
            .order_by("-updated_at")[:10]
        ),
    })


@garden_required()
def company_list(request: HttpRequest, garden_slug: str) -> HttpResponse:
    """The garden's target companies, filtered, sorted and paginated."""
    garden = request.garden
    filterset = TargetCompanyFilter(request.GET, queryset=target_companies_for(garden), garden=garden)
    page = Paginator(list_rows(filterset.qs), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = add_follow_up_totals(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "members/company_list.html",
        {
            "garden": garden,
            "membership": request.membership,
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "is_filtered": any(v for k, v in request.GET.items() if k not in ("page", "o")),
        },
    )


@garden_required()
def company_export(request: HttpRequest, garden_slug: str, fmt: str) -> HttpResponse:
    """Exactly the filtered list, as CSV or XLSX."""
    garden = request.garden
    filterset = TargetCompanyFilter(request.GET, queryset=target_companies_for(garden).for_export(), garden=garden)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    # Streamed: the records are read and totalled a chunk at a time while the file is sent.
    rows = iterate_with_follow_up_totals(filterset.qs)
    return exports.as_csv(rows, garden) if fmt == "csv" else exports.as_xlsx(rows, garden)


@garden_required("can_edit_companies")
def company_create(request: HttpRequest, garden_slug: str) -> HttpResponse:
    """Register a new target company."""
    garden = request.garden
    form = TargetCompanyForm(request.POST or None, request.FILES or None, garden=garden)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            target = services.target_company_create(garden=garden, by=request.user, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s is registered as a target company.") % {"name": target.company.name})
            if target.municipality_outside_coverage:
                messages.warning(request, _("Note: %(municipality)s is outside the municipalities your garden "
                                            "covers.") % {"municipality": target.company.municipality.name})
            return redirect(target.get_absolute_url())
    # Bad input comes back as 400 with everything typed kept and the first error focused.
    failed = request.method == "POST"
    if failed:
        focus_first_error(form)
    return render(request, "members/company_form.html",
                  {"garden": garden, "membership": request.membership, "form": form, "is_new": True},
                  status=400 if failed else 200)


def _follow_up_log(target: TargetCompany, *, show_all: bool) -> dict:
    """The record's follow-up log, newest first: the latest FOLLOW_UP_LOG_SHOWN unless all are asked for.

    One query either way: one entry more than is shown says whether there are more.
    """
    entries = target.follow_ups.select_related("adviser", "adviser_garden")
    if show_all:
        return {"follow_ups": list(entries), "follow_ups_more": False}
    entries = list(entries[:FOLLOW_UP_LOG_SHOWN + 1])
    return {"follow_ups": entries[:FOLLOW_UP_LOG_SHOWN], "follow_ups_more": len(entries) > FOLLOW_UP_LOG_SHOWN}


@dataclasses.dataclass(frozen=True)
class _BlankForm:
    """What the record page reads of an empty part form (`is_bound`, `as_div`), its HTML made in advance."""

    html: SafeString
    is_bound: bool = False

    def as_div(self) -> SafeString:
        return self.html


@functools.lru_cache(maxsize=64)
def _blank_form(form_class: type, prefix: str, language: str | None, day: datetime.date) -> _BlankForm:
    """An empty key figures, goal or contact form: the same HTML on every record (no choices read from the
    database), so rendered once per language and day (the key figures' year limit follows the date).
    Through the form templates the three cost a tenth of the record page."""
    return _BlankForm(form_class(prefix=prefix).as_div())


def _detail_context(request: HttpRequest, target: TargetCompany, **bound_forms) -> dict:
    """The record page's context; `bound_forms` replace the empty forms (a form that came back with errors)."""
    garden = request.garden
    can_edit = request.access.can_edit_companies
    context = {
        "garden": garden,
        "membership": request.membership,
        "target": target,
        "company": target.company,
        "can_edit": can_edit,
        "outside_coverage": target.municipality_outside_coverage,
        **_follow_up_log(target, show_all=request.GET.get("logg") == "alle"),
        "key_figures": list(target.key_figures.all()),
        "goals": list(target.goals.all()),
        # Network readers see the record, not the people in it (gardens/access.py).
        "contacts": list(target.contacts.all()) if request.access.can_read_personal_data else [],
        "shares": list(target.shares.select_related("colleague", "colleague_garden")),
    }
    if can_edit:
        context.update(
            follow_up_form=FollowUpForm(garden=garden, prefix="fu"),
            **{name: _blank_form(form_class, prefix, get_language(), timezone.localdate())
               for name, form_class, prefix in (("key_figures_form", KeyFiguresForm, "kf"),
                                                ("goal_form", GoalForm, "goal"),
                                                ("contact_form", ContactForm, "contact"))},
            goal_status_choices=GoalStatusForm.base_fields["status"].choices,
        )
        context.update(bound_forms)
    return context


def render_detail_with_errors(request: HttpRequest, target: TargetCompany, **bound_forms) -> HttpResponse:
    """The record page again, with the form that failed bound (input kept), its panel open, its first error focused."""
    for form in bound_forms.values():
        focus_first_error(form)
    return render(request, "members/company_detail.html", _detail_context(request, target, **bound_forms),
                  status=400)


@garden_required()
def company_detail(request: HttpRequest, garden_slug: str, pk: int) -> HttpResponse:
    """One record: contract, phase, key figures, goals, contacts and the follow-up log."""
    return render(request, "members/company_detail.html", _detail_context(request, _target(request, pk)))


@garden_required("can_edit_companies")
def company_edit(request: HttpRequest, garden_slug: str, pk: int) -> HttpResponse:
    """Edit a record; a save based on a stale form is refused and shows what changed meanwhile."""
    garden = request.garden
    target = _target(request, pk)
    if target.status == TargetCompany.Status.MERGED:
        messages.info(request, _("This record was merged into another; edit that one."))
        return redirect(target.merged_into.get_absolute_url())
    stale = None
    if request.method == "POST":
        form = TargetCompanyEditForm(request.POST, request.FILES, garden=garden)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            upload = data.pop("contract_file", None)
            try:
                services.target_company_update(
                    target=target, by=request.user, expected_version=version, data=data, contract_file=upload
                )
            except services.StaleEdit as error:
                stale = error
                # Keep what the person typed; the next save is a deliberate overwrite of what they saw.
                form = TargetCompanyEditForm(
                    {**request.POST.dict(), "version": error.current.version}, garden=garden
                )
                form.is_valid()
                messages.error(
                    request,
                    _("Someone else saved this record while you were editing. Nothing you typed was saved "
                      "and nothing was overwritten: check their changes below and save again."),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Changes saved."))
                return redirect(target.get_absolute_url())
    else:
        form = TargetCompanyEditForm(initial=TargetCompanyEditForm.initial_for(target), garden=garden)
    failed = request.method == "POST"  # a valid, saved edit has redirected above
    if failed:
        focus_first_error(form)
    return render(
        request,
        "members/company_form.html",
        {
            "garden": garden,
            "membership": request.membership,
            "form": form,
            "target": target,
            "is_new": False,
            "stale_entries": [(e, describe(e)) for e in stale.entries] if stale else None,
        },
        status=(409 if stale else 400) if failed else 200,
    )


@garden_required()
def company_history(request: HttpRequest, garden_slug: str, pk: int) -> HttpResponse:
    """Every change to the record: who, when, what from what to what; newest first, HISTORY_PAGE_SIZE a page."""
    garden = request.garden
    target = _target(request, pk)
    page = Paginator(target_company_history(target), HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    entries = list(page.object_list)
    if not request.access.can_read_personal_data:
        # Readers see that a contact person changed, not who they are.
        for entry in entries:
            if entry.action.startswith("members.contactperson."):
                entry.changes = {}
    return render(
        request,
        "members/company_history.html",
        {"garden": garden, "membership": request.membership, "target": target, "page": page, "query": "",
         "entries": [(e, describe(e), change_rows(e.changes)) for e in entries]},
    )


@garden_required()
def contract_download(request: HttpRequest, garden_slug: str, pk: int) -> FileResponse:
    """The signed contract, only to people who may read the garden."""
    target = _target(request, pk)
    return file_download(target.contract_file, f"kontrakt-{target.company.org_number}")


@require_POST
@garden_required("can_edit_companies")
def follow_up_add(request: HttpRequest, garden_slug: str, pk: int) -> HttpResponse:
    garden = request.garden
    target = _target(request, pk)
    form = FollowUpForm(request.POST, garden=garden, prefix="fu")
    if form.is_valid():
        services.follow_up_log(target=target, by=request.user, **form.cleaned_data)
        messages.success(request, _("The follow-up is logged."))
        return redirect(target.get_absolute_url() + "#follow-up")
    return render_detail_with_errors(request, target, follow_up_form=form)


def _save_part(request: HttpRequest, target: TargetCompany, form, *, is_new: bool, message, anchor: str,
               form_name: str | None = None) -> HttpResponse:
    """Save one part of a record (key figures, goal, contact) from its small form, then go back to it.

    `message` is the success message, or a function of the saved object that returns it. An invalid
    form shows the record page again with `form_name` bound to it; without one (a goal's status select,
    which offers only valid choices) the errors become messages.
    """
    if form.is_valid():
        obj = services.record_part_save(target=target, by=request.user, obj=form.instance, is_new=is_new)
        messages.success(request, message(obj) if callable(message) else message)
    elif form_name:
        return render_detail_with_errors(request, target, **{form_name: form})
    else:
        form_errors_to_messages(request, form)
    return redirect(target.get_absolute_url() + anchor)


@require_POST
@garden_required("can_edit_companies")
def key_figures_save(request: HttpRequest, garden_slug: str, pk: int) -> HttpResponse:
    """Record a year's key figures; a year already recorded is updated."""
    target = _target(request, pk)
    # The year is checked before it reaches the database: a non-number or an overflowing one finds no row,
    # and the form then says what is wrong with it.
    year = bounded_int(request.POST.get("kf-year"), low=1, high=32767)
    existing = target.key_figures.filter(year=year).first() if year is not None else None
    form = KeyFiguresForm(request.POST, prefix="kf", instance=existing or KeyFigures(target=target))
    return _save_part(request, target, form, is_new=existing is None, anchor="#key-figures",
                      form_name="key_figures_form",
                      message=lambda obj: _("Key figures for %(year)s saved.") % {"year": obj.year})


@require_POST
@garden_required("can_edit_companies")
def goal_add(request: HttpRequest, garden_slug: str, pk: int) -> HttpResponse:
    target = _target(request, pk)
    return _save_part(request, target, GoalForm(request.POST, prefix="goal"), is_new=True,
                      message=_("The goal is added to the development plan."), anchor="#goals",
                      form_name="goal_form")


@require_POST
@garden_required("can_edit_companies")
def goal_update(request: HttpRequest, garden_slug: str, pk: int, goal_pk: int) -> HttpResponse:
    target = _target(request, pk)
    goal = get_object_or_404(target.goals, pk=goal_pk)
    return _save_part(request, target, GoalStatusForm(request.POST, instance=goal), is_new=False,
                      message=_("The goal's status is updated."), anchor="#goals")


@require_POST
@garden_required("can_edit_companies")
def contact_add(request: HttpRequest, garden_slug: str, pk: int) -> HttpResponse:
    target = _target(request, pk)
    return _save_part(request, target, ContactForm(request.POST, prefix="contact"), is_new=True,
                      message=_("The contact person is added."), anchor="#contacts",
                      form_name="contact_form")


@require_POST
@garden_required("can_edit_companies")
def contact_delete(request: HttpRequest, garden_slug: str, pk: int, contact_pk: int) -> HttpResponse:
    target = _target(request, pk)
    contact = get_object_or_404(target.contacts, pk=contact_pk)
    services.record_part_delete(target=target, by=request.user, obj=contact)
    messages.success(request, _("The contact person is removed."))
    return redirect(target.get_absolute_url() + "#contacts")


@garden_required("can_edit_companies")
def company_merge(request: HttpRequest, garden_slug: str, pk: int) -> HttpResponse:
    """Merge a duplicate record (same organisasjonsnummer) into this one."""
    garden = request.garden
    target = _target(request, pk)
    form = MergeForm(request.POST or None, target=target)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.target_companies_merge(keep=target, duplicate=form.cleaned_data["duplicate"], by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The records are merged; the history of both is kept."))
            return redirect(target.get_absolute_url())
    return render(request, "members/company_merge.html",
                  {"garden": garden, "membership": request.membership, "target": target, "form": form})
