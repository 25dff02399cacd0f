"""WSGI entry point of the upload echo API, for tests that start gunicorn."""

import os

import django
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
django.setup()
application = get_wsgi_application()
