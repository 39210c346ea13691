"""WSGI entry point for gunicorn (`afterservice_site.wsgi:application`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "afterservice_site.settings")

application = get_wsgi_application()
