from django.urls import path

from . import views

app_name = "gardens"

urlpatterns = [
    path("hager/", views.garden_list, name="list"),
    path("hager/<slug:slug>/", views.garden_detail, name="detail"),
    path("finn-hage/", views.find_garden, name="find"),
    path("g/<slug:garden_slug>/", views.WorkspaceView.as_view(), name="workspace"),
]
