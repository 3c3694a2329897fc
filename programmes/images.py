"""``programmes.images.PhotoField``, where migration 0005 finds it.

Photos' file handling lives in ``programmes/models/images.py``. Migrations import a field by
the path it had when they were written and must not change, so this name stays here.
"""

from .models.images import PhotoField

__all__ = ["PhotoField"]
