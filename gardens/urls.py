from django.urls import path

from . import views

app_name = "gardens"

urlpatterns = [
    path("kart/", views.coverage_map, name="map"),
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
