"""Pages for sharing competence between gardens (see members/sharing.py)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.web import focus_first_error
from gardens.access import garden_required, share_access

from . import sharing
from .forms import FollowUpForm, ShareAnswerForm, ShareRequestForm
from .models import CompetenceShare
from .views import _target


@garden_required("can_edit_companies")
def share_create(request: HttpRequest, garden_slug: str, pk: int) -> HttpResponse:
    """Ask a colleague in another garden for help with this target company.

    A page of its own, not a panel of the record page: the list of colleagues in every other
    garden (hundreds at national scale) is built only for someone who is about to ask.
    """
    garden = request.garden
    target = _target(request, pk)
    form = ShareRequestForm(request.POST if request.method == "POST" else None, garden=garden, prefix="share")
    if request.method == "POST" and form.is_valid():
        try:
            share = sharing.share_request_create(target=target, by=request.user,
                                                 membership=form.cleaned_data["colleague"],
                                                 message=form.cleaned_data["message"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s is asked for help.") % {"name": share.colleague.get_full_name()})
        return redirect(target.get_absolute_url() + "#shares")
    # A form with errors is shown again with what was typed, its first error focused.
    if form.is_bound:
        focus_first_error(form)
    return render(request, "members/share_form.html", {
        "garden": garden, "membership": request.membership, "target": target, "form": form,
        "has_colleagues": form.fields["colleague"].queryset.exists(),
    }, status=400 if form.is_bound else 200)


@require_POST
@garden_required("can_edit_companies")
def share_close_by_owner(request: HttpRequest, garden_slug: str, pk: int, share_pk: int) -> HttpResponse:
    target = _target(request, pk)
    share = get_object_or_404(target.shares, pk=share_pk)
    try:
        sharing.share_close(share=share, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The request is closed; the colleague no longer sees the company."))
    return redirect(target.get_absolute_url() + "#shares")


def _received(request: HttpRequest, share_pk: int) -> CompetenceShare:
    """A request addressed to the signed-in person in this garden; anything else is a 404."""
    share = get_object_or_404(
        CompetenceShare.objects.select_related("target__company__municipality", "target__garden", "requested_by",
                                               "target__company__industry"),
        pk=share_pk, colleague_garden=request.garden,
    )
    if not share_access(request.user, request.access, share).can_read:
        raise Http404("Not your request.")
    return share


@garden_required()
def shared_list(request: HttpRequest, garden_slug: str) -> HttpResponse:
    """Requests for help this person received from other gardens, and the garden's shared hours."""
    garden = request.garden
    shares = CompetenceShare.objects.filter(colleague=request.user, colleague_garden=garden).select_related(
        "target__company", "target__garden", "requested_by")
    return render(request, "members/shared_list.html", {
        "garden": garden, "membership": request.membership, "shares": list(shares),
        "shared_hours": sharing.shared_hours_by(garden),
    })


@garden_required()
def shared_detail(request: HttpRequest, garden_slug: str, share_pk: int) -> HttpResponse:
    """The one company the colleague helps with: visible only while the request is accepted and open."""
    return _render_shared(request, _received(request, share_pk))


def _render_shared(request: HttpRequest, share: CompetenceShare, follow_up_form=None) -> HttpResponse:
    """The shared company's page; `follow_up_form` is a form that came back with errors (status 400)."""
    garden = request.garden
    status = 400 if follow_up_form is not None else 200
    context = {"garden": garden, "membership": request.membership, "share": share,
               "answer_form": ShareAnswerForm(prefix="answer")}
    if share.is_open:
        context["target"] = share.target
        context["follow_ups"] = list(share.target.follow_ups.select_related("adviser", "adviser_garden"))
        if follow_up_form is None:
            follow_up_form = FollowUpForm(garden=garden, prefix="fu")
            del follow_up_form.fields["adviser"]
        else:
            focus_first_error(follow_up_form)
        context["follow_up_form"] = follow_up_form
    return render(request, "members/shared_detail.html", context, status=status)


@require_POST
@garden_required()
def shared_respond(request: HttpRequest, garden_slug: str, share_pk: int) -> HttpResponse:
    share = _received(request, share_pk)
    form = ShareAnswerForm(request.POST, prefix="answer")
    accept = request.POST.get("decision") == "accept"
    if form.is_valid():
        try:
            sharing.share_respond(share=share, by=request.user, accept=accept, note=form.cleaned_data["note"])
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("You accepted; log your work on the company below.") if accept
                             else _("You declined the request."))
    return redirect("members:shared-detail", garden_slug=garden_slug, share_pk=share.pk)


@require_POST
@garden_required()
def shared_log(request: HttpRequest, garden_slug: str, share_pk: int) -> HttpResponse:
    garden = request.garden
    share = _received(request, share_pk)
    if not share.is_open:
        messages.error(request, _("This request is not open, so nothing can be logged on it."))
        return redirect("members:shared-detail", garden_slug=garden_slug, share_pk=share.pk)
    form = FollowUpForm(request.POST, garden=garden, prefix="fu")
    del form.fields["adviser"]
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "adviser"}
        sharing.share_follow_up_log(share=share, by=request.user, **data)
        messages.success(request, _("The follow-up is logged and counts for %(garden)s.") % {"garden": garden.name})
        return redirect("members:shared-detail", garden_slug=garden_slug, share_pk=share.pk)
    return _render_shared(request, share, follow_up_form=form)


@require_POST
@garden_required()
def shared_close(request: HttpRequest, garden_slug: str, share_pk: int) -> HttpResponse:
    share = _received(request, share_pk)
    try:
        sharing.share_close(share=share, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The request is closed."))
    return redirect("members:shared-list", garden_slug=garden_slug)
