"""The translation overview: objects x languages, how complete each translation is.

Reached from the organisations' admin (``OrganisationAdmin.get_urls``), as it is per organisation.
"""

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from programmes.domain import permissions
from programmes.domain.translation_status import (
    TARGET_LANGUAGES,
    translation_status,
    with_parts,
)
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


def translation_overview(request):
    """Objects × languages, with how complete each translation is, per organisation.

    Staff choose among their own organisations; site managers among every organisation
    that owns content, and the shared reference data.
    """
    user = request.user
    owners = permissions.organisations_for(user).filter(owned_partnerships__isnull=False)
    choices = [(str(organisation.pk), str(organisation)) for organisation in owners.distinct()]
    if permissions.is_site_manager(user):
        choices.append((SHARED_DATA, _("Shared reference data")))
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
    }
    return TemplateResponse(request, "admin/programmes/translation_overview.html", context)


def _overview_section(request, queryset) -> dict:
    model = queryset.model
    rows = []
    for obj in with_parts(permissions.scope(queryset, request.user)):
        url = reverse(f"admin:programmes_{model._meta.model_name}_change", args=[quote(obj.pk)])
        rows.append(
            {
                "object": obj,
                "url": url,
                "status": obj.get_status_display() if isinstance(obj, Publishable) else "",
                "languages": list(translation_status(obj).values()),
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
