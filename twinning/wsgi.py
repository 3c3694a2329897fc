"""The WSGI application: Django's handler, with cached anonymous pages and API answers
answered before the middleware (``readpath/fast_path.py``).

The API's answers are replayed only past the API's own check (its rate limit and its
export records, ``api.caching.admit_replay``), registered here: the read path does not
import the interfaces above it.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "twinning.settings")
django.setup(set_prefix=False)

# Imported once the apps are loaded.
from api.caching import FAST_PATH_ADMISSION, admit_replay  # noqa: E402
from readpath.fast_path import FastPathWSGIHandler  # noqa: E402

application = FastPathWSGIHandler(admissions={FAST_PATH_ADMISSION: admit_replay})
