"""The admin's login form, throttled (issue #11: 300 wrong passwords, then the
right one worked at once).

Failed logins are counted per account (whether or not it exists) and per client
address. Past BRIEFINGS_LOGIN_FAILURES_PER_ACCOUNT or ..._PER_ADDRESS within
BRIEFINGS_LOGIN_LOCKOUT_SECONDS, the account or address is locked for that long:
no password is checked, not even the right one, until the lock ends."""

import math

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from briefings.throttle import limits
from briefings.throttle.address import client_address, client_networks

ACCOUNT, ADDRESS = "login-account", "login-address"


class ThrottledLoginForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "throttled": (
            "Too many failed logins for this account or from your network. "
            "Try again in %(minutes)s minute(s)."
        ),
    }

    def clean(self):
        keys = self.throttle_keys()
        wait = max(limits.locked_for(scope, value) for scope, value, _ in keys)
        if wait:
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": math.ceil(wait / 60)},
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            count_failure(keys)
            raise
        if self.user_cache is not None:  # a blank password checks nothing
            limits.forget(*keys[0][:2])
        return cleaned

    def throttle_keys(self):
        """Return (scope, value, limit) for the account and the client."""
        account = (self.cleaned_data.get("username") or "").casefold()
        client, _network = client_networks(client_address(self.request))
        return [
            (ACCOUNT, account, settings.BRIEFINGS_LOGIN_FAILURES_PER_ACCOUNT),
            (ADDRESS, client, settings.BRIEFINGS_LOGIN_FAILURES_PER_ADDRESS),
        ]


def count_failure(keys):
    """Count a failed login for each key; lock the keys that reached their limit."""
    seconds = settings.BRIEFINGS_LOGIN_LOCKOUT_SECONDS
    for scope, value, limit in keys:
        if limits.hit(scope, value, seconds) >= limit:
            limits.lock(scope, value, seconds)
            limits.forget(scope, value)
