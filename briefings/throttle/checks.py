"""A deployment check: a proxy trusted for HTTPS should be named for the client
address too (registered by the newsletter app, whose limits and consent records
depend on it)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_trusted_proxies(app_configs, **kwargs):
    """Warn when BRIEFINGS_BEHIND_PROXY is on but no proxy is trusted for
    X-Forwarded-For: every reader would then have the proxy's address."""
    behind = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if not behind or settings.BRIEFINGS_TRUSTED_PROXIES:
        return []
    return [
        Warning(
            "BRIEFINGS_BEHIND_PROXY is on but BRIEFINGS_TRUSTED_PROXIES is empty: "
            "every reader has the proxy's address, so the signup and login limits "
            "count the whole site as one client and consent records keep the "
            "proxy's address.",
            hint="Set BRIEFINGS_TRUSTED_PROXIES to the proxy's address or network.",
            id="briefings.W011",
        )
    ]
