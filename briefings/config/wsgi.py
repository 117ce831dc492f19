"""WSGI entry point for gunicorn: `briefings.config.wsgi:application`.

The front door (web/front.py) answers anonymous readers' page-cache hits before
Django; everything else goes to Django.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "briefings.config.settings")
django_application = get_wsgi_application()

from briefings.web.front import front_door  # noqa: E402 (needs settings set up)

application = front_door(django_application)
