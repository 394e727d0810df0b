from django.urls import path

from . import views

app_name = "sms_sandbox"

urlpatterns = [
    path("send", views.send, name="send"),
    path("messages", views.messages, name="messages"),
]
