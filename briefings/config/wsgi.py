"""WSGI entry point for gunicorn: `briefings.config.wsgi:application`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "briefings.config.settings")
application = get_wsgi_application()
