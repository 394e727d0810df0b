from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "tracing_portal.exchange"
    label = "exchange"
