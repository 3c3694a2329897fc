"""This install's identity, which translation files carry (``exchange/translations.py``)."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class Installation(models.Model):
    """This install of Twinning CMS: one row, whose UUID names it to the outside world.

    Translation files carry it, so a file exported by another install (a colleague's, a
    staging copy made from scratch) is refused on import instead of writing texts meant for
    other objects. It lives in the database, not in a setting, because it must stay the
    same across app servers, restarts and deploys, and go with the data when the database
    is restored. Created by its migration, or on first use (:func:`installation_id`) if a
    test or a flush emptied the table.
    """

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        default_permissions = ()  # nobody edits it
        verbose_name = _("installation")
        verbose_name_plural = _("installations")

    def __str__(self):
        return str(self.uuid)


def installation_id() -> uuid.UUID:
    """The UUID of this install (the oldest row; made if there is none)."""
    existing = Installation.objects.order_by("pk").values_list("uuid", flat=True).first()
    if existing is not None:
        return existing
    return Installation.objects.get_or_create(pk=1)[0].uuid
