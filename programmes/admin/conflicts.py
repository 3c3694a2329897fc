"""Edit conflicts: a form refuses to save over changes made since it was opened.

Optimistic locking on ``updated_at``. The change form carries the object's
``updated_at`` from when it was opened in a hidden field (``base_updated_at``); at save
the form compares it with the database row, read ``FOR UPDATE`` so two saves at the
same moment cannot both pass. When they differ, someone else saved in between: the form
is shown again with everything the person typed, and an error naming who saved and when
(from the audit log). The hidden field now carries the newer time, so saving again is a
deliberate choice to replace the other version, never a silent overwrite.

What is covered: the object of the change form, and each inline row whose model has an
``updated_at`` (a mission's outcomes and photos). Inline rows without one (programme
items, key figures, clusters, objectives) are edited only through their parent's form,
and every save of that form changes the parent's ``updated_at``, so the parent's check
covers them.
"""

from django import forms
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from programmes.domain import audit

TOKEN_FIELD = "base_updated_at"


def token(instance: models.Model) -> str:
    """The version of ``instance`` a form was opened on: its ``updated_at``, exactly."""
    return instance.updated_at.isoformat() if instance.updated_at else ""


def is_checked(model: type[models.Model]) -> bool:
    return any(f.name == "updated_at" for f in model._meta.concrete_fields)


class EditConflictForm(forms.ModelForm):
    """A model form that refuses to save over a version it did not start from."""

    base_updated_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self._checks_conflicts():
            self.fields[TOKEN_FIELD].initial = token(self.instance)

    def _checks_conflicts(self) -> bool:
        return self.instance.pk is not None and is_checked(type(self.instance))

    def clean(self):
        cleaned_data = super().clean()
        # A form posted without the token (a script, not the rendered page) is not checked.
        if self._checks_conflicts() and self.add_prefix(TOKEN_FIELD) in self.data:
            self._refuse_newer_version(cleaned_data.get(TOKEN_FIELD, ""))
        return cleaned_data

    def _refuse_newer_version(self, sent: str) -> None:
        model = type(self.instance)
        stored = (
            model._base_manager.select_for_update()
            .filter(pk=self.instance.pk)
            .order_by()  # a default ordering may join other tables, which cannot be locked
            .values_list("updated_at", flat=True)
            .first()
        )
        opened = parse_datetime(sent) if sent else None
        if stored is None or opened == stored:
            return
        # The next save of this form replaces the newer version: the person has been told.
        self.data = self.data.copy()
        self.data[self.add_prefix(TOKEN_FIELD)] = stored.isoformat()
        raise ValidationError(conflict_message(self.instance, opened, stored), code="edit_conflict")


def conflict_message(instance: models.Model, opened, saved_at) -> str:
    """Who saved ``instance`` after ``opened`` (the newest entry since then), and when."""
    entry = audit.last_entry(instance, since=opened)
    who = _person(entry) if entry is not None else gettext("someone else")
    when = formats.date_format(timezone.localtime(saved_at), "DATETIME_FORMAT")
    return gettext(
        "%(who)s saved “%(object)s” at %(when)s, after you opened it. Your changes are not "
        "saved yet, but they are still in this form. See what changed under History, then "
        "save again to replace that version with yours."
    ) % {"who": who, "object": instance, "when": when}


def _person(entry) -> str:
    if entry.user is not None:
        return entry.user.get_full_name() or entry.user.get_username()
    return entry.username or gettext("a command (not a person)")


class EditConflictAdminMixin:
    """For a ``ModelAdmin`` or inline: its forms check for conflicts and carry the token.

    The token field is added to the fieldsets only where the person may change the
    object, so a read-only page does not show it.
    """

    form = EditConflictForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if (
            obj is None
            or not is_checked(self.model)
            or not self.has_change_permission(request, obj)
            or TOKEN_FIELD in flatten_fieldsets(fieldsets)
        ):
            return fieldsets
        *rest, (name, options) = fieldsets
        return [*rest, (name, {**options, "fields": [*options["fields"], TOKEN_FIELD]})]
