from django.urls import path

from . import entrepreneur_views, help_views, import_views, share_views, transfer_views, views

app_name = "members"

urlpatterns = [
    path("min-side/", entrepreneur_views.my_page, name="my-page"),
    path("min-side/foresporsler/<int:help_request_pk>/svar/", entrepreneur_views.help_reply, name="help-reply"),
    path("min-konto/", entrepreneur_views.account, name="account"),
    path("g/<slug:garden_slug>/", views.workspace, name="workspace"),
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
    path("g/<slug:garden_slug>/overforinger/", transfer_views.transfer_list, name="transfer-list"),
    path("g/<slug:garden_slug>/overforinger/ny/", transfer_views.transfer_create, name="transfer-create"),
    path("g/<slug:garden_slug>/overforinger/<int:transfer_pk>/", transfer_views.transfer_detail,
         name="transfer-detail"),
    path("g/<slug:garden_slug>/overforinger/<int:transfer_pk>/bekreft/", transfer_views.transfer_confirm,
         name="transfer-confirm"),
    path("g/<slug:garden_slug>/overforinger/<int:transfer_pk>/avbryt/", transfer_views.transfer_cancel,
         name="transfer-cancel"),
    path("g/<slug:garden_slug>/import/", import_views.import_upload, name="import-upload"),
    path("g/<slug:garden_slug>/import/mal.csv", import_views.import_template, name="import-template"),
    path("g/<slug:garden_slug>/import/<int:batch_pk>/", import_views.import_preview, name="import-preview"),
    path("g/<slug:garden_slug>/import/<int:batch_pk>/commit/", import_views.import_commit, name="import-commit"),
    path("g/<slug:garden_slug>/import/<int:batch_pk>/status.json", import_views.import_status,
         name="import-status"),
    path("g/<slug:garden_slug>/import/<int:batch_pk>/cancel/", import_views.import_cancel, name="import-cancel"),
    path("g/<slug:garden_slug>/import/<int:batch_pk>/kolonner/", import_views.import_mapping, name="import-mapping"),
    path("g/<slug:garden_slug>/import/<int:batch_pk>/problemrader/", import_views.import_problems,
         name="import-problems"),
    path("g/<slug:garden_slug>/import/<int:batch_pk>/start-igjen/", import_views.import_restart,
         name="import-restart"),
    path("g/<slug:garden_slug>/malbedrifter/<int:pk>/del/", share_views.share_create, name="share-create"),
    path(
        "g/<slug:garden_slug>/malbedrifter/<int:pk>/del/<int:share_pk>/avslutt/",
        share_views.share_close_by_owner,
        name="share-close",
    ),
    path("g/<slug:garden_slug>/delt/", share_views.shared_list, name="shared-list"),
    path("g/<slug:garden_slug>/delt/<int:share_pk>/", share_views.shared_detail, name="shared-detail"),
    path("g/<slug:garden_slug>/delt/<int:share_pk>/svar/", share_views.shared_respond, name="shared-respond"),
    path("g/<slug:garden_slug>/delt/<int:share_pk>/logg/", share_views.shared_log, name="shared-log"),
    path("g/<slug:garden_slug>/delt/<int:share_pk>/avslutt/", share_views.shared_close, name="shared-close"),
]

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
