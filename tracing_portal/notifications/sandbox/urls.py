from django.urls import path  # noqa: F401

app_name = "sms_sandbox"

urlpatterns: list = []
