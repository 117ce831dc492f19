"""The admin in the network's time zone.

The database keeps UTC; editors of an Asian network think in their own time.
Django shows and reads every datetime of a request in the active time zone, so
activating BRIEFINGS_DESK_TIMEZONE for the admin's pages makes its lists, forms
and filters agree with the desk's home page.
"""

import zoneinfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone


class DeskTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.zone = zoneinfo.ZoneInfo(settings.BRIEFINGS_DESK_TIMEZONE)

    def __call__(self, request):
        if not request.path.startswith(reverse("admin:index")):
            return self.get_response(request)
        with timezone.override(self.zone):
            return self.get_response(request)
