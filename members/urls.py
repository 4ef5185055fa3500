from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("g/<slug:garden_slug>/malbedrifter/", views.company_list, name="company-list"),
    path("g/<slug:garden_slug>/malbedrifter/ny/", views.company_create, name="company-create"),
    path("g/<slug:garden_slug>/malbedrifter/eksport.<str:fmt>", views.company_export, name="company-export"),
    path("g/<slug:garden_slug>/malbedrifter/<int:pk>/", views.company_detail, name="company-detail"),
    path("g/<slug:garden_slug>/malbedrifter/<int:pk>/endre/", views.company_edit, name="company-edit"),
    path("g/<slug:garden_slug>/malbedrifter/<int:pk>/historikk/", views.company_history, name="company-history"),
    path("g/<slug:garden_slug>/malbedrifter/<int:pk>/kontrakt/", views.contract_download, name="contract-download"),
    path("g/<slug:garden_slug>/malbedrifter/<int:pk>/oppfolging/", views.follow_up_add, name="follow-up-add"),
    path("g/<slug:garden_slug>/malbedrifter/<int:pk>/nokkeltall/", views.key_figures_save, name="key-figures-save"),
    path("g/<slug:garden_slug>/malbedrifter/<int:pk>/mal/", views.goal_add, name="goal-add"),
    path("g/<slug:garden_slug>/malbedrifter/<int:pk>/mal/<int:goal_pk>/", views.goal_update, name="goal-update"),
    path("g/<slug:garden_slug>/malbedrifter/<int:pk>/kontakter/", views.contact_add, name="contact-add"),
    path(
        "g/<slug:garden_slug>/malbedrifter/<int:pk>/kontakter/<int:contact_pk>/slett/",
        views.contact_delete,
        name="contact-delete",
    ),
    path("g/<slug:garden_slug>/malbedrifter/<int:pk>/sla-sammen/", views.company_merge, name="company-merge"),
]
