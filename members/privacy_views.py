"""Personal data on request: export and erase a contact person (garden admins) or one's own account.

Who may: gardens/access.py (`can_manage_personal_data` for a garden's admins, `own_data_scope` for
the account holder). What happens: members/privacy.py, the same verbs the admin and the beat task use.
"""

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.personal_data import as_json_file
from core.web import focus_first_error
from gardens.access import access_required, garden_required, own_data_scope

from . import privacy
from .privacy_forms import DeleteAccountForm, EraseContactForm


def _json_download(data: dict, name: str) -> HttpResponse:
    response = HttpResponse(as_json_file(data), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y-%m-%d}.json"'
    response["Cache-Control"] = "no-store"
    return response


def _contact(request: HttpRequest, pk: int, contact_pk: int):
    target = get_object_or_404(request.garden.target_companies.select_related("company", "garden"), pk=pk)
    return target, get_object_or_404(target.contacts, pk=contact_pk)


@garden_required("can_manage_personal_data")
def contact_export(request: HttpRequest, garden_slug: str, pk: int, contact_pk: int) -> HttpResponse:
    """A contact person's data as a JSON file (their right of access); the export is in the record's history."""
    target, contact = _contact(request, pk, contact_pk)
    data = privacy.contact_person_export(contact=contact)
    audit_record(action="members.contactperson.exported", target=target, actor=request.user, garden=target.garden)
    return _json_download(data, f"kontaktperson-{slugify(contact.name) or contact.pk}")


@garden_required("can_manage_personal_data")
def contact_erase(request: HttpRequest, garden_slug: str, pk: int, contact_pk: int) -> HttpResponse:
    """Confirm, then erase a contact person's personal data."""
    target, contact = _contact(request, pk, contact_pk)
    form = EraseContactForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            privacy.contact_person_erase(contact=contact, by=request.user)
            messages.success(request, _("The contact person's personal data is erased."))
            return redirect(target.get_absolute_url() + "#contacts")
        focus_first_error(form)
    return render(request, "members/contact_erase.html", {"target": target, "contact": contact, "form": form},
                  status=400 if form.is_bound else 200)


@access_required(own_data_scope, "can_export")
def my_data_export(request: HttpRequest) -> HttpResponse:
    """/min-side/mine-data/: everything held about the signed-in entrepreneur, as a JSON file."""
    return _json_download(privacy.entrepreneur_export(user=request.user), "mine-data")


@access_required(own_data_scope, "can_erase")
def my_account_delete(request: HttpRequest) -> HttpResponse:
    """/min-side/slett-konto/: confirm with the password, then delete the account and erase the person's data."""
    form = DeleteAccountForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            user = request.user
            logout(request)
            privacy.entrepreneur_erase(user=user, by=user)
            messages.success(request, _("Your account and your personal data are deleted."))
            return redirect("network_portal:home")
        focus_first_error(form)
    return render(request, "members/account_delete.html", {"form": form}, status=400 if form.is_bound else 200)
