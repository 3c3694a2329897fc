"""The WSGI application: Django's handler, with cached anonymous pages answered before
the middleware (``programmes/fast_path.py``)."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "twinning.settings")
django.setup(set_prefix=False)

from programmes.fast_path import FastPathWSGIHandler  # noqa: E402 (needs the apps loaded)

application = FastPathWSGIHandler()
