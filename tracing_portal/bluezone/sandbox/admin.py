from django.contrib import admin

from .models import (
    SandboxMeeting,
    SandboxSubscriber,
    SandboxTraceRequest,
    SandboxWebhookDelivery,
)


@admin.register(SandboxSubscriber)
class SandboxSubscriberAdmin(admin.ModelAdmin):
    list_display = ["msisdn", "installed", "phone_verified", "province_code", "os"]
    search_fields = ["msisdn"]


@admin.register(SandboxTraceRequest)
class SandboxTraceRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "msisdn", "status", "created_at", "contacts_count"]
    list_filter = ["status"]
    search_fields = ["id", "msisdn", "case_ref"]


@admin.register(SandboxMeeting)
class SandboxMeetingAdmin(admin.ModelAdmin):
    list_display = ["msisdn_a", "msisdn_b", "minutes", "rssi", "days_ago"]


@admin.register(SandboxWebhookDelivery)
class SandboxWebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["trace_request", "status", "outcome", "response_status", "created_at"]
    list_filter = ["outcome", "status"]
