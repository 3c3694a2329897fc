"""Translation work in the admin: the overview, and translation files for agencies.

**The overview**: objects x languages, how complete each translation is. Reached from the
organisations' admin (``OrganisationAdmin.get_urls``), as it is per organisation.

**Translation files**: export for an agency, upload, preview and apply. The work is done by
``programmes/exchange/translations.py``; these views choose what to export, show what an
upload would change and ask for a confirmation before applying it. Both are scoped like
the rest of the admin: a selection names only objects the user may see (any other id is
not found), the organisations offered are the overview's (the user's own; site managers
also the shared reference data), and an import checks every unit against what the user may
change, in which languages.

The preview does not keep the upload on the server: the confirmation form carries the file
back (compressed), and applying reads and checks it all again, and applies only if it would
make exactly the changes the preview showed (``Plan.digest``).
"""

import base64
import binascii
import zlib

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from programmes.domain import permissions
from programmes.domain.translation_status import (
    TARGET_LANGUAGES,
    outdated_translations,
    translation_status,
    with_parts,
)
from programmes.exchange import inline_codes, translations
from programmes.models import (
    FocusArea,
    Mission,
    Organisation,
    Outcome,
    Partnership,
    Photo,
    Publishable,
    Region,
)

OVERVIEW_MODELS = (Partnership, Mission, Outcome, Photo)
SHARED_OVERVIEW_MODELS = (Region, Organisation, FocusArea)
SHARED_DATA = "shared"


def organisation_choices(user) -> list[tuple[str, str]]:
    """The organisations to choose from: the user's own that own content, and the shared
    data for site managers."""
    owners = permissions.organisations_for(user).filter(owned_partnerships__isnull=False)
    choices = [(str(organisation.pk), str(organisation)) for organisation in owners.distinct()]
    if permissions.is_site_manager(user):
        choices.append((SHARED_DATA, _("Shared reference data")))
    return choices


def translation_overview(request):
    """Objects × languages, with how complete each translation is, per organisation.

    Staff choose among their own organisations; site managers among every organisation
    that owns content, and the shared reference data.
    """
    user = request.user
    choices = organisation_choices(user)
    if not choices:
        raise PermissionDenied
    selected = request.GET.get("organisation", choices[0][0])
    if selected not in dict(choices):
        raise Http404
    if selected == SHARED_DATA:
        querysets = [model.objects.all() for model in SHARED_OVERVIEW_MODELS]
    else:
        querysets = [
            model.objects.filter(**{permissions.OWNER_LOOKUPS[model._meta.model_name]: selected})
            for model in OVERVIEW_MODELS
        ]
    sections = [_overview_section(request, queryset) for queryset in querysets]
    names = dict(settings.LANGUAGES)
    context = {
        **admin.site.each_context(request),
        "title": _("Translation overview"),
        "app_verbose_name": apps.get_app_config("programmes").verbose_name,
        "choices": choices,
        "selected": selected,
        "languages": [names[language] for language in TARGET_LANGUAGES],
        "totals": _overview_totals(sections),
        "sections": sections,
        "missing_exports": missing_exports(selected),
        "may_import": may_import(user),
    }
    return TemplateResponse(request, "admin/programmes/translation_overview.html", context)


def _overview_section(request, queryset) -> dict:
    model = queryset.model
    objects = list(with_parts(permissions.scope(queryset, request.user)))
    outdated = outdated_translations(objects)
    rows = []
    for obj in objects:
        url = reverse(f"admin:programmes_{model._meta.model_name}_change", args=[quote(obj.pk)])
        statuses = list(translation_status(obj).values())
        rows.append(
            {
                "object": obj,
                "url": url,
                "status": obj.get_status_display() if isinstance(obj, Publishable) else "",
                "languages": statuses,
                # Per language, its status and the texts whose Dutch changed since.
                "cells": [(status, outdated[obj][status.language]) for status in statuses],
            }
        )
    return {"title": model._meta.verbose_name_plural, "rows": rows}


def _overview_totals(sections: list[dict]) -> list[int]:
    """Per language: the share of all texts on the page that is translated, rounded down."""
    totals = []
    for index in range(len(TARGET_LANGUAGES)):
        statuses = [row["languages"][index] for section in sections for row in section["rows"]]
        texts = sum(status.total for status in statuses)
        filled = sum(len(status.filled) for status in statuses)
        totals.append(filled * 100 // texts if texts else 100)
    return totals


# Translation files ---------------------------------------------------------------------------

LANGUAGE_NAMES = dict(settings.LANGUAGES)
FORMAT_CHOICES = [
    (translations.XLIFF_12, _("XLIFF 1.2: what most translation tools read")),
    (translations.XLIFF_20, _("XLIFF 2.0")),
    (translations.PO, _("PO (gettext)")),
]
# Room left in a request for the confirmation's other fields.
CONFIRM_MARGIN = 64 * 1024


def languages_for(user) -> list[str]:
    """The languages ``user`` translates into: a translator's own, everyone else's all."""
    if not permissions.is_translator_only(user):
        return list(TARGET_LANGUAGES)
    mine = set().union(*permissions.access(user).memberships.values())
    return [language for language in TARGET_LANGUAGES if language in mine]


def language_choices(user):
    return [(language, LANGUAGE_NAMES[language]) for language in languages_for(user)]


# Export -------------------------------------------------------------------------------------


class TranslationExportForm(forms.Form):
    language = forms.ChoiceField(label=_("Translate into"))
    source = forms.ChoiceField(
        label=_("Translate from"),
        choices=[
            (language, LANGUAGE_NAMES[language]) for language in translations.SOURCE_LANGUAGES
        ],
        initial=translations.SOURCE_LANGUAGE,
        help_text=_("Dutch is the original; choose English for an agency that works from it."),
    )
    format = forms.ChoiceField(
        label=_("File format"), choices=FORMAT_CHOICES, initial=translations.XLIFF_12
    )
    missing = forms.BooleanField(
        label=_("Only the texts that are not translated yet"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices(user)

    def clean(self):
        data = super().clean()
        if data.get("language") and data.get("language") == data.get("source"):
            raise forms.ValidationError(
                _("Choose a language to translate into other than the source.")
            )
        return data


def _ids(request, name: str) -> list[int]:
    values = request.GET.getlist(name)
    if not all(value.isascii() and value.isdigit() for value in values):
        raise Http404
    return [int(value) for value in values]


def _selected(request, model, name: str) -> list:
    """The objects named by ``?<name>=<pk>``, each one the user may see; else not found."""
    ids = _ids(request, name)
    if not ids:
        return []
    found = list(permissions.scope(model.objects.filter(pk__in=ids), request.user))
    if len(found) != len(set(ids)):
        raise Http404
    return found


def _selection(request) -> tuple[translations.Selection, list[str]]:
    """The selection in the request, and how to describe it; not found if it names
    anything the user may not see, or nothing."""
    missions = _selected(request, Mission, "mission")
    partnerships = _selected(request, Partnership, "partnership")
    organisation, shared, described = None, False, []
    chosen = request.GET.get("organisation")
    if chosen is not None:
        choices = dict(organisation_choices(request.user))
        if chosen not in choices:
            raise Http404
        shared = chosen == SHARED_DATA
        organisation = None if shared else Organisation.objects.get(pk=chosen)
        described.append(
            str(_("The shared reference data: regions, organisations and focus areas"))
            if shared
            else str(_("Everything of %(organisation)s") % {"organisation": organisation})
        )
    described += [
        str(_("Partnership “%(object)s”, with its missions and outcomes") % {"object": p})
        for p in partnerships
    ]
    described += [
        str(_("Mission “%(object)s”, with its programme, photos and outcomes") % {"object": m})
        for m in missions
    ]
    if not described:
        raise Http404
    names = [obj.slug for obj in (*partnerships, *missions)]
    if organisation is not None:
        names.append(organisation.slug)
    if shared:
        names.append(SHARED_DATA)
    selection = translations.Selection(
        missions=missions,
        partnerships=partnerships,
        organisation=organisation,
        shared=shared,
        name=names[0] if len(names) == 1 else "translations",
    )
    return selection, described


def export_view(request):
    """Choose the language, source and format for a selection; download its file."""
    if request.method != "GET":
        raise PermissionDenied
    selection, described = _selection(request)
    bound = "download" in request.GET
    form = TranslationExportForm(
        request.GET if bound else None,
        user=request.user,
        initial={
            "missing": request.GET.get("missing") == "1",
            "language": request.GET.get("language"),
        },
    )
    if bound and form.is_valid():
        selection.missing_only = form.cleaned_data["missing"]
        result = translations.export(
            selection,
            source_language=form.cleaned_data["source"],
            target_language=form.cleaned_data["language"],
            file_format=form.cleaned_data["format"],
        )
        response = HttpResponse(result.content, content_type=result.content_type)
        response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
        response["Cache-Control"] = "private, no-store"
        return response
    hidden = [
        (name, value)
        for name in ("mission", "partnership", "organisation")
        for value in request.GET.getlist(name)
    ]
    context = {
        **admin.site.each_context(request),
        "title": _("Export for translation"),
        "form": form,
        "described": described,
        "hidden": hidden,
        "import_url": reverse("admin:programmes_translation_import"),
    }
    return TemplateResponse(request, "admin/programmes/translation_export.html", context)


def export_url(*, missions=(), partnerships=(), **params) -> str:
    query = [("mission", m.pk) for m in missions] + [("partnership", p.pk) for p in partnerships]
    query += list(params.items())
    return f"{reverse('admin:programmes_translation_export')}?{urlencode(query)}"


@admin.action(description=_("Export the selected for translation"), permissions=["view"])
def export_selected(modeladmin, request, queryset):
    """The list action: the export page for the selected missions or partnerships."""
    key = "missions" if queryset.model is Mission else "partnerships"
    return redirect(export_url(**{key: queryset.order_by("pk")}))


def missing_exports(selected: str) -> list[tuple[str, str]]:
    """The translation overview's "export what is missing" links, one per language."""
    return [
        (LANGUAGE_NAMES[language], export_url(organisation=selected, missing=1, language=language))
        for language in TARGET_LANGUAGES
    ]


# Import -------------------------------------------------------------------------------------


class TranslationImportForm(forms.Form):
    file = forms.FileField(
        label=_("Translation file"),
        help_text=_("An XLIFF or PO file exported here and translated."),
    )
    language = forms.ChoiceField(label=_("Language of the translation"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices(user)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > translations.MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is too large: at most %(size)s MB.")
                % {"size": translations.MAX_FILE_BYTES // 1024**2}
            )
        return upload.read()


class ConfirmForm(forms.Form):
    content = forms.CharField(widget=forms.HiddenInput)
    language = forms.ChoiceField(widget=forms.HiddenInput)
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices(user)

    def clean_content(self):
        try:
            return zlib.decompress(base64.b64decode(self.cleaned_data["content"], validate=True))
        except (binascii.Error, zlib.error, ValueError) as error:
            raise forms.ValidationError(
                _("The file could not be read back; upload it again.")
            ) from error


def packed(data: bytes) -> str:
    return base64.b64encode(zlib.compress(data, 9)).decode("ascii")


def may_import(user) -> bool:
    return any(permissions.can(user, "change", model) for model in translations.MODELS.values())


def import_view(request):
    """Upload a translated file, see what it would change, and apply it."""
    if not may_import(request.user):
        raise PermissionDenied
    user = request.user
    context = {
        **admin.site.each_context(request),
        "title": _("Import a translation file"),
        "overview_url": reverse("admin:programmes_translation_overview"),
    }
    form = TranslationImportForm(user=user)
    if request.method == "POST" and "confirm" in request.POST:
        confirm = ConfirmForm(request.POST, user=user)
        if confirm.is_valid():
            data, language = confirm.cleaned_data["content"], confirm.cleaned_data["language"]
            try:
                plan = translations.import_file(
                    data,
                    user=user,
                    language=language,
                    expected_digest=confirm.cleaned_data["digest"],
                )
            except translations.PreviewOutdatedError as outdated:
                messages.warning(
                    request,
                    _("The content changed since the preview. Check the changes again."),
                )
                return _preview(request, context, outdated.plan, data)
            except translations.TranslationFileError as error:
                context["problems"] = error.problems
            else:
                count = len(plan.changes)
                messages.success(
                    request,
                    ngettext(
                        "Imported %(count)d text into %(language)s.",
                        "Imported %(count)d texts into %(language)s.",
                        count,
                    )
                    % {"count": count, "language": LANGUAGE_NAMES[plan.language]},
                )
                return redirect("admin:programmes_translation_import")
        else:
            context["problems"] = [e for errors in confirm.errors.values() for e in errors]
    elif request.method == "POST":
        form = TranslationImportForm(request.POST, request.FILES, user=user)
        if form.is_valid():
            data = form.cleaned_data["file"]
            try:
                plan = translations.plan_import(
                    data, user=user, language=form.cleaned_data["language"]
                )
            except translations.TranslationFileError as error:
                context["problems"] = error.problems
            else:
                return _preview(request, context, plan, data)
    context["form"] = form
    return TemplateResponse(request, "admin/programmes/translation_import.html", context)


def _text(value: str, rich: bool) -> str:
    return inline_codes.plain_text(inline_codes.from_html(value)) if rich else value


def _preview(request, context, plan, data: bytes):
    content = packed(data)
    too_large = len(content) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE - CONFIRM_MARGIN
    rows = [
        (
            _("%(kind)s “%(object)s”") % {"kind": capfirst(obj._meta.verbose_name), "object": obj},
            [
                (change, _text(change.old, change.rich), _text(change.new, change.rich))
                for change in changes
            ],
        )
        for obj, changes in plan.objects
    ]
    confirm = ConfirmForm(
        initial={"content": content, "language": plan.language, "digest": plan.digest},
        user=request.user,
    )
    context |= {
        "title": _("Check the translation before applying it"),
        "plan": plan,
        "rows": rows,
        "language_name": LANGUAGE_NAMES[plan.language],
        "confirm": None if too_large or not plan.changes else confirm,
        "too_large": too_large,
    }
    return TemplateResponse(request, "admin/programmes/translation_import.html", context)


def urls(admin_site) -> list:
    """The two views, added to the admin by ``OrganisationAdmin.get_urls`` (beside the
    translation overview)."""
    return [
        path(
            "translations/export/",
            admin_site.admin_view(export_view),
            name="programmes_translation_export",
        ),
        path(
            "translations/import/",
            admin_site.admin_view(import_view),
            name="programmes_translation_import",
        ),
    ]
