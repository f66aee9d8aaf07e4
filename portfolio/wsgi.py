"""The WSGI application, for gunicorn (`gunicorn portfolio.wsgi`)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portfolio.settings")
application = get_wsgi_application()

# What was made while starting (modules, settings, URL patterns) lives as long as the process: the
# garbage collector stops looking at it, and runs less often while a large answer is being built
# (a page of a thousand rounds makes half a million short-lived objects, none of them in cycles).
gc.freeze()
gc.set_threshold(50_000, 20, 20)
