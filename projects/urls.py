from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("prosjekter/", views.project_list, name="list"),
    path("prosjekter/<slug:slug>/", views.project_detail, name="detail"),
    path("prosjekter/<slug:slug>/utgifter/", views.expense_list, name="expense-list"),
    path("prosjekter/<slug:slug>/utgifter/ny/", views.expense_add, name="expense-add"),
    path("prosjekter/<slug:slug>/budsjett/", views.budget, name="budget"),
    path("prosjekter/<slug:slug>/milepaeler/ny/", views.milestone_add, name="milestone-add"),
    path("prosjekter/<slug:slug>/milepaeler/<int:pk>/naadd/", views.milestone_done, name="milestone-done"),
    path("prosjekter/<slug:slug>/rapporter/ny/", views.report_add, name="report-add"),
    path("prosjekter/<slug:slug>/rapporter/<int:pk>/levert/", views.report_submit, name="report-submit"),
    path("prosjekter/<slug:slug>/rapporter/<int:pk>/fil/", views.report_file, name="report-file"),
    path("prosjekter/<slug:slug>/bevilgninger/<int:pk>/fordel/", views.grant_split, name="grant-split"),
    path("utlysninger/<int:pk>/", views.call_detail, name="call-detail"),
]
