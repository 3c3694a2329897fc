"""What a change form tells its editor beyond Django's admin (in the browser: static/editor/).

* **Translation tabs** (modeltranslation's, relabelled by ``forms.js``) open on the language to
  write: the translator's own, else Dutch, the required one. They are named by language, marked
  when empty or wrong, and the first error is shown. ``form_settings`` is what the script needs.
* **The source beside each translation**: the Dutch text, read-only, with a sign when it changed
  after the translation was last saved (``translation_status.outdated_translations``).
* **Whose time a field is**: a programme item's times are local times of its place, publish
  dates are in the site's time zone. Django's own note ("Enter times in the Europe/Amsterdam
  timezone") is switched off by ``forms.js``: it said the opposite for programme items, and
  was shown for date-only fields too.
* **Nothing typed is lost without a word**: ``forms.js`` warns before leaving a changed form;
  a file chosen before a form error cannot be kept by the browser, so the page says so.
* **The slug** is filled from the Dutch title when left empty, as the browser does while the
  editor types (Django's prepopulated fields); an editor may still change it.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from programmes.domain import permissions
from programmes.domain.revisions import html_to_text
from programmes.domain.translation_status import (
    SOURCE_LANGUAGE,
    TARGET_LANGUAGES,
    outdated_translations,
    translated_fields,
)

SITE_TIME_HELP = _("In the site’s time zone, %(zone)s.")
LOCAL_TIME_HELP = _("The local time at the item’s place (%(zone)s).")
NEW_LOCAL_TIME_HELP = _(
    "The local time at the item’s place: its city or region, else the mission’s only "
    "destination, else %(zone)s."
)
FILES_NOT_KEPT = _(
    "The form was not saved, and browsers do not keep a chosen file: choose %(files)s again "
    "before you save."
)


def language_key(language: str) -> str:
    """How modeltranslation writes a language in field names and classes (zh-hans → zh_hans)."""
    return language.replace("-", "_")


def opening_language(user, obj) -> str:
    """The tab a form opens on: a translator's first language, else Dutch (the required one)."""
    languages = permissions.editable_languages(user, obj)
    for language in TARGET_LANGUAGES:
        if languages and language in languages:
            return language
    return SOURCE_LANGUAGE


def form_settings(request, obj, inline_admin_formsets) -> dict:
    """What ``static/editor/forms.js`` needs to know about this form, for ``json_script``."""
    names = dict(settings.LANGUAGES)
    return {
        "languages": {language_key(code): str(names[code]) for code in names},
        "source": language_key(SOURCE_LANGUAGE),
        "open": language_key(opening_language(request.user, obj)),
        "sources": source_texts(obj, inline_admin_formsets),
        "outdated": outdated_field_names(obj, inline_admin_formsets),
        "words": {
            "empty": gettext("empty"),
            "error": gettext("error"),
            "outdated": gettext("out of date"),
            "source": gettext("%(language)s source:") % {"language": names[SOURCE_LANGUAGE]},
            "outdated_note": gettext(
                "The Dutch text changed after this translation was last saved: check it."
            ),
            "no_source": gettext("(no Dutch text yet)"),
            "switch": gettext("Language of every text field"),
            "label_suffix": gettext(":"),
        },
    }


def _members(obj, inline_admin_formsets) -> list[tuple[models.Model, object]]:
    """``obj`` and the saved rows of its inlines, each with the form that shows it (None for
    ``obj``: its fields have no prefix)."""
    members = [(obj, None)] if obj is not None and obj.pk else []
    for inline_admin_formset in inline_admin_formsets:
        for form in inline_admin_formset.formset.forms:
            if form.instance.pk:
                members.append((form.instance, form))
    return members


def _field_name(form, column: str) -> str:
    return column if form is None else form.add_prefix(column)


def source_texts(obj, inline_admin_formsets) -> dict[str, str]:
    """The saved text of each translated field in each language, as plain text, by its form
    field name (``title_nl``, ``programme_items-0-title_en``).

    Above a translation the script shows the Dutch source, and the other translations that
    are filled (a translator into Chinese may read the English too). It prefers a field of the
    form when there is one (it may have just been typed); a translator's other languages are
    read-only text, so this is what they see.
    """
    texts = {}
    for member, form in _members(obj, inline_admin_formsets):
        for field in translated_fields(type(member)):
            for language in settings.MODELTRANSLATION_LANGUAGES:
                column = build_localized_fieldname(field, language)
                texts[_field_name(form, column)] = html_to_text(getattr(member, column) or "")
    return texts


def outdated_field_names(obj, inline_admin_formsets) -> list[str]:
    """The form field names of translations whose Dutch changed after they were saved."""
    if obj is None or obj.pk is None:
        return []
    forms_by_member = {
        (type(member), member.pk): form for member, form in _members(obj, inline_admin_formsets)
    }
    names = []
    for language, texts in outdated_translations([obj])[obj].items():
        for text in texts:
            key = (type(text.obj), text.obj.pk)
            if key in forms_by_member:
                column = build_localized_fieldname(text.field, language)
                names.append(_field_name(forms_by_member[key], column))
    return names


# Chinese full stops and brackets end a sentence without a space after them.
_FULL_WIDTH_ENDS = "。！？；：）」』"


def sentences(*texts) -> str:
    """Help texts one after the other: with a space, but none after a Chinese sentence."""
    joined = ""
    for text in (str(text) for text in texts if text):
        space = "" if not joined or joined.endswith(tuple(_FULL_WIDTH_ENDS)) else " "
        joined += space + text
    return joined


def with_time_zone_help(formfield, db_field):
    """A publish date says it is in the site's time zone (a programme item's times say their
    place's: ``ProgrammeItemForm``)."""
    if formfield is not None and isinstance(db_field, models.DateTimeField):
        note = SITE_TIME_HELP % {"zone": settings.TIME_ZONE}
        formfield.help_text = sentences(formfield.help_text, note)
    return formfield


class ProgrammeItemForm(forms.ModelForm):
    """A programme item's times, said to be local times of its place, named by its zone."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            help_text = LOCAL_TIME_HELP % {"zone": self.instance.effective_time_zone()}
        else:
            help_text = NEW_LOCAL_TIME_HELP % {"zone": settings.TIME_ZONE}
        for name in ("start_time", "end_time"):
            if name in self.fields:
                field = self.fields[name]
                field.help_text = sentences(field.help_text, help_text)


def slug_filled(form_class: type[forms.ModelForm], prepopulated: dict) -> type[forms.ModelForm]:
    """``form_class`` with its slug filled from its source (the Dutch title) when left empty.

    The browser fills it as the editor types; this covers a form sent before that (or without
    a script), so an empty slug is not an error of its own: only a missing title is.
    """
    sources = prepopulated.get("slug")
    if not sources or "slug" not in form_class.base_fields:
        return form_class

    class SlugFilledForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["slug"].required = False

        def clean(self):
            cleaned_data = super().clean()
            if not cleaned_data.get("slug"):
                source = " ".join(str(cleaned_data.get(name) or "") for name in sources).strip()
                max_length = self.fields["slug"].max_length
                cleaned_data["slug"] = slugify(source)[:max_length].strip("-")
                # A title without a letter for the address ("–") leaves it for the editor;
                # a missing title has its own error, and the slug none.
                if source and not cleaned_data["slug"] and "slug" not in self.errors:
                    self.add_error("slug", self.fields["slug"].error_messages["required"])
            return cleaned_data

    SlugFilledForm.__name__ = form_class.__name__
    return SlugFilledForm


def say_files_not_kept(request) -> None:
    """After a form error: name the files the editor chose, which the browser has dropped."""
    names = [upload.name for upload in request.FILES.values()]
    if names:
        messages.warning(request, FILES_NOT_KEPT % {"files": ", ".join(f"“{n}”" for n in names)})
