from django.urls import path

from . import views

app_name = "agreements"

urlpatterns = [
    path("avtaler/", views.agreement_list, name="list"),
    path("avtaler/<slug:slug>/", views.agreement_detail, name="detail"),
    path("avtaler/<slug:slug>/moter/ny/", views.meeting_create, name="meeting-create"),
    path("avtaler/<slug:slug>/moter/<int:pk>/", views.meeting_detail, name="meeting"),
    path("avtaler/<slug:slug>/moter/<int:pk>/tiltak/", views.action_add, name="action-add"),
    path("avtaler/<slug:slug>/moter/<int:pk>/tiltak/<int:action_pk>/", views.action_toggle, name="action-toggle"),
    path("avtaler/<slug:slug>/dokumenter/", views.document_list, name="documents"),
    path("avtaler/<slug:slug>/dokumenter/<int:pk>/", views.document_download, name="document"),
    path("avtaler/<slug:slug>/samsvar/", views.compliance, name="compliance"),
    path("arrangementer/", views.event_list, name="events"),
    path("arrangementer/<int:pk>/", views.event_detail, name="event"),
    path("arrangementer/<int:pk>/pamelding/", views.event_register, name="event-register"),
    path("arrangementer/<int:pk>/avmelding/", views.event_cancel, name="event-cancel"),
    path("arrangementer/<int:pk>/kalender.ics", views.event_calendar, name="event-calendar"),
]
