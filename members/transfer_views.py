"""Transfers of target companies between gardens. Thin: resolve the garden, call a selector or service.

A transfer is reached through the garden (it must come from or go to request.garden);
someone in a third garden gets 404. Staff and network readers read; only admins act.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from gardens.access import garden_required, transfer_access

from . import transfers
from .forms import TransferForm
from .models import TransferRequest


def _transfer(request: HttpRequest, transfer_pk: int) -> TransferRequest:
    """A transfer from or to request.garden (any other id is a 404)."""
    garden = request.garden
    return get_object_or_404(
        TransferRequest.objects.filter(Q(from_garden=garden) | Q(to_garden=garden)).select_related(
            "from_garden", "to_garden", "requested_by", "from_confirmed_by", "to_confirmed_by"
        ),
        pk=transfer_pk,
    )


def _errors(error: ValidationError | PermissionDenied) -> list[str]:
    if isinstance(error, ValidationError):
        return list(error.messages)
    return [str(error) or _("You do not have permission to do that.")]


@garden_required()
def transfer_list(request: HttpRequest, garden_slug: str) -> HttpResponse:
    """The garden's incoming and outgoing transfers with their status."""
    garden = request.garden
    rows = list(transfers.transfers_for(garden))
    return render(
        request,
        "members/transfer_list.html",
        {
            "garden": garden,
            "membership": request.membership,
            "incoming": [t for t in rows if t.to_garden_id == garden.pk],
            "outgoing": [t for t in rows if t.from_garden_id == garden.pk],
        },
    )


@garden_required("can_transfer_companies")
def transfer_create(request: HttpRequest, garden_slug: str) -> HttpResponse:
    """An admin chooses the receiving garden and the companies (all ticked to begin with)."""
    garden = request.garden
    form = TransferForm(request.POST or None, garden=garden)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            transfer = transfers.transfer_request_create(
                from_garden=garden, to_garden=data["to_garden"], targets=data["targets"], by=request.user,
                note=data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            count = transfer.targets.count()
            messages.success(request, ngettext(
                "%(count)s target company is waiting for %(garden)s to confirm the transfer.",
                "%(count)s target companies are waiting for %(garden)s to confirm the transfer.",
                count,
            ) % {"count": count, "garden": transfer.to_garden.name})
            return redirect("members:transfer-detail", garden_slug=garden.slug, transfer_pk=transfer.pk)
    return render(request, "members/transfer_form.html",
                  {"garden": garden, "membership": request.membership, "form": form})


@garden_required()
def transfer_detail(request: HttpRequest, garden_slug: str, transfer_pk: int) -> HttpResponse:
    """The companies, who asked and who confirmed; Confirm for the receiving admin, Cancel for either admin."""
    garden = request.garden
    transfer = _transfer(request, transfer_pk)
    access = transfer_access(request.access, transfer)
    return render(
        request,
        "members/transfer_detail.html",
        {
            "garden": garden,
            "membership": request.membership,
            "transfer": transfer,
            "targets": list(
                transfer.targets.select_related("company__municipality", "garden").order_by("company__name")
            ),
            "is_incoming": transfer.to_garden_id == garden.pk,
            "can_confirm": access.can_confirm,
            "can_cancel": access.can_cancel,
        },
    )


@require_POST
@garden_required("can_transfer_companies")
def transfer_confirm(request: HttpRequest, garden_slug: str, transfer_pk: int) -> HttpResponse:
    """The receiving admin accepts; the companies move to this garden."""
    garden = request.garden
    transfer = _transfer(request, transfer_pk)
    try:
        transfer = transfers.transfer_confirm(transfer=transfer, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        for message in _errors(error):
            messages.error(request, message)
    else:
        count = transfer.targets.count()
        messages.success(request, ngettext(
            "%(count)s target company now belongs to %(garden)s, with its follow-up log and history.",
            "%(count)s target companies now belong to %(garden)s, with their follow-up log and history.",
            count,
        ) % {"count": count, "garden": garden.name})
    return redirect("members:transfer-detail", garden_slug=garden.slug, transfer_pk=transfer.pk)


@require_POST
@garden_required("can_transfer_companies")
def transfer_cancel(request: HttpRequest, garden_slug: str, transfer_pk: int) -> HttpResponse:
    """Either garden's admin withdraws a transfer still waiting for confirmation."""
    garden = request.garden
    transfer = _transfer(request, transfer_pk)
    try:
        transfers.transfer_cancel(transfer=transfer, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        for message in _errors(error):
            messages.error(request, message)
    else:
        messages.success(request, _("The transfer is cancelled; the target companies stay with %(garden)s.")
                         % {"garden": transfer.from_garden.name})
    return redirect("members:transfer-detail", garden_slug=garden.slug, transfer_pk=transfer.pk)
