from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "briefings.network"
    verbose_name = "Member network"
