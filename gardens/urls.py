from django.urls import path

from . import views

app_name = "gardens"

urlpatterns = [
    path("hager/", views.garden_list, name="list"),
    path("hager/<slug:slug>/", views.garden_detail, name="detail"),
    path("finn-hage/", views.find_garden, name="find"),
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
