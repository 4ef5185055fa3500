from django.urls import path  # noqa: F401  (routes are added as the app's pages are built)

app_name = "agreements"

urlpatterns: list = []
