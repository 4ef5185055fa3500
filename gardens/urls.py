from django.urls import path

from . import views

app_name = "gardens"

urlpatterns = [
    path("hager/", views.garden_list, name="list"),
    path("hager/<slug:slug>/", views.garden_detail, name="detail"),
    path("finn-hage/", views.find_garden, name="find"),
    path("kart/", views.coverage_map, name="map"),
    path("g/<slug:garden_slug>/", views.WorkspaceView.as_view(), name="workspace"),
]

urlpatterns += [
    path("g/<slug:garden_slug>/ansatte/", views.staff_list, name="staff"),
    path("g/<slug:garden_slug>/ansatte/inviter/", views.staff_invite, name="staff-invite"),
    path(
        "g/<slug:garden_slug>/ansatte/invitasjon/<int:invitation_pk>/send-igjen/",
        views.staff_invitation_resend,
        name="staff-invitation-resend",
    ),
    path(
        "g/<slug:garden_slug>/ansatte/invitasjon/<int:invitation_pk>/trekk-tilbake/",
        views.staff_invitation_revoke,
        name="staff-invitation-revoke",
    ),
    path("g/<slug:garden_slug>/ansatte/<int:membership_pk>/avslutt/", views.staff_end, name="staff-end"),
    path("g/<slug:garden_slug>/ansatte/<int:membership_pk>/rolle/", views.staff_role, name="staff-role"),
    path("invitasjon/<str:token>/", views.invitation_accept, name="invitation-accept"),
]

urlpatterns += [
    path("kompetanse/", views.competence_directory, name="competence"),
    path("kompetanse/<int:pk>/", views.competence_profile, name="competence-profile"),
    path("profil/kompetanse/", views.competence_profile_edit, name="competence-edit"),
]

# Help requests: public asking pages and the garden's inbox.
from . import help_views  # noqa: E402

HELP = "g/<slug:garden_slug>/foresporsler/<int:help_request_pk>/"
urlpatterns += [
    path("be-om-hjelp/kompetanse/<int:profile_pk>/", help_views.ask_staff, name="ask-staff"),
    path("be-om-hjelp/<slug:garden_slug>/", help_views.ask_garden, name="ask-garden"),
    path("be-om-hjelp/<slug:garden_slug>/sendt/", help_views.ask_done, name="ask-done"),
    path("g/<slug:garden_slug>/foresporsler/", help_views.help_inbox, name="help-inbox"),
    path(HELP, help_views.help_detail, name="help-detail"),
    path(HELP + "tildel/", help_views.help_assign, name="help-assign"),
    path(HELP + "svar/", help_views.help_answer, name="help-answer"),
    path(HELP + "lukk/", help_views.help_close, name="help-close"),
    path(HELP + "malbedrift/", help_views.help_convert, name="help-convert"),
]
