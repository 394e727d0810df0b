from django.urls import path  # noqa: F401

app_name = "bluezone_sandbox"

urlpatterns: list = []
