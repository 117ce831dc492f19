from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "briefings.newsletter"

    def ready(self):
        # The signup limits and consent records need the real client address.
        from briefings.throttle import checks  # noqa: F401 - registers the check
