from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from . import views

# One sign-in path: the admin site's login sends people to allauth's page (its rate limits and
# two-factor sign-in) with next=; a signed-in person without admin access gets 403 there.
admin.site.login = secure_admin_login(admin.site.login)

portal_patterns = [
    path("", views.home, name="home"),
    path("om-dataene/", views.about_data, name="about-data"),
    path("tilgjengelighet/", views.accessibility_statement, name="accessibility"),
    path("hager/", views.garden_list, name="garden-list"),
    path("hager/<slug:slug>/", views.garden_detail, name="garden"),
    path("finn-hage/", views.find_garden, name="find"),
    path("rapporter/", views.report_dashboard, name="reports"),
    path("rapporter/eksport.<str:fmt>", views.report_export, name="reports-export"),
    path("rapporter/eksporter/", views.report_export_start, name="reports-export-start"),
    path("rapporter/eksport/<int:pk>/", views.report_export_detail, name="reports-export-detail"),
    path("rapporter/eksport/<int:pk>/status.json", views.report_export_progress, name="reports-export-progress"),
    path("rapporter/eksport/<int:pk>/fil", views.report_export_download, name="reports-export-file"),
    path("rapporter/eksport/<int:pk>/start-igjen/", views.report_export_restart_view,
         name="reports-export-restart"),
    path("rapporter/abonnement/", views.report_subscription, name="reports-subscription"),
    path("tall/", views.programme_figures, name="programme"),
    path("oversikt/", views.dashboard, name="dashboard"),
]

urlpatterns = [
    path("", include((portal_patterns, "network_portal"))),
    path("", include("gardens.urls")),
    path("", include("members.urls")),
    path("", include("agreements.urls")),
    path("", include("projects.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("konto/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

# Uploaded files (contracts, agreement documents, imports) are never served from MEDIA_URL,
# not even by the development server: only the views that check access hand them out.
