from django.apps import AppConfig
from django.core import checks


class ConfigConfig(AppConfig):
    """The project's configuration as an app, for its checks at start."""

    name = "briefings.config"
    label = "briefings_config"
    verbose_name = "Configuration"

    def ready(self):
        from briefings.config.checks import check_data_dir

        checks.register(check_data_dir, checks.Tags.security)
