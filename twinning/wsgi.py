"""The WSGI application: Django's handler, with cached anonymous pages answered before
the middleware (``readpath/fast_path.py``)."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "twinning.settings")
django.setup(set_prefix=False)

from readpath.fast_path import FastPathWSGIHandler  # noqa: E402 (needs the apps loaded)

application = FastPathWSGIHandler()
