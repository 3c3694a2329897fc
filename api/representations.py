"""How a published object becomes JSON: its texts in one language or all, its public URL,
and references to other objects by UUID.

:class:`Representation` turns model instances, fetched by ``queries.py``, into the data
``schemas.py`` describes; ninja serialises it. A reference to something that is not
published is ``None`` (``published_uuid``): a partner must not learn the UUIDs of drafts.
"""

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from modeltranslation.translator import translator
from modeltranslation.utils import build_localized_fieldname, resolution_order

from programmes.models import (
    FocusArea,
    KeyFigure,
    Mission,
    Organisation,
    Outcome,
    Partnership,
    Photo,
    ProgrammeItem,
    Publishable,
    Region,
)

from .schemas import Language

LANGUAGES = settings.MODELTRANSLATION_LANGUAGES


def text(obj, name: str, language: str) -> str:
    """One language's column of a translated field; never None."""
    return getattr(obj, build_localized_fieldname(name, language)) or ""


def published_uuid(obj: Publishable | None) -> UUID | None:
    """The UUID of a referenced region or organisation, or None while it is not published.

    ``is_published`` is the instance form of ``published()`` for these models; it
    lets a reference fetched with ``select_related`` be checked without a query.
    """
    return obj.uuid if obj is not None and obj.is_published else None


class Representation:
    """Turns published objects into export data, for one request and its ``lang``.

    The request gives absolute URLs their scheme and host; ``lang`` (``None``: every
    language) the shape of every text.
    """

    def __init__(self, request: HttpRequest, language: Language | None):
        self.request = request
        self.language = language

    def localized(self, render: Callable[[str], str]) -> str | dict[str, str]:
        """``render(language)`` for the requested language, or for each language."""
        if self.language:
            return render(self.language)
        return {language: render(language) for language in LANGUAGES}

    def texts(self, obj) -> dict[str, Any]:
        """Every translated text of ``obj`` (translation.py), and in one language its fallbacks."""
        names = translator.get_options_for_model(type(obj)).fields
        if not self.language:
            return {name: {lang: text(obj, name, lang) for lang in LANGUAGES} for name in names}
        texts, fallbacks = {}, {}
        for name in names:
            texts[name], shown_in = self.text_with_fallback(obj, name)
            if shown_in != self.language:
                fallbacks[name] = shown_in
        return {**texts, "fallbacks": fallbacks}

    def text_with_fallback(self, obj, name: str) -> tuple[str, str]:
        """The text in the requested language or the first fallback that has it, and which."""
        for language in resolution_order(self.language):
            if value := text(obj, name, language):
                return value, language
        return "", self.language

    def resource(self, obj: Publishable) -> dict[str, Any]:
        with translation.override(self.language or settings.LANGUAGE_CODE):
            path = obj.get_absolute_url()
        return {
            "uuid": obj.uuid,
            "slug": obj.slug,
            "url": self.request.build_absolute_uri(path),
            "updated_at": obj.exported_at,
        }

    def region(self, region: Region) -> dict[str, Any]:
        return {
            **self.resource(region),
            **self.texts(region),
            "kind": region.kind,
            "parent": published_uuid(region.parent),
            "time_zone": region.effective_time_zone() or None,
            "latitude": region.latitude,
            "longitude": region.longitude,
            "key_figures": [self.key_figure(figure) for figure in region.key_figures.all()],
            "clusters": [
                {"uuid": cluster.uuid, **self.texts(cluster)} for cluster in region.clusters.all()
            ],
            "photos": [self.photo(photo) for photo in region.photos.all()],
        }

    def key_figure(self, figure: KeyFigure) -> dict[str, Any]:
        return {
            "uuid": figure.uuid,
            **self.texts(figure),
            "value": figure.value,
            "value_max": figure.value_max,
            "unit": figure.unit,
            "approximate": figure.approximate,
            "year": figure.year,
            "formatted": self.localized(figure.formatted),
        }

    def organisation(self, organisation: Organisation) -> dict[str, Any]:
        return {
            **self.resource(organisation),
            **self.texts(organisation),
            "kind": organisation.kind,
            "region": published_uuid(organisation.region),
            "website": organisation.website,
        }

    def partnership(self, partnership: Partnership) -> dict[str, Any]:
        return {
            **self.resource(partnership),
            **self.texts(partnership),
            "kind": partnership.kind,
            "home_region": published_uuid(partnership.home_region),
            "partner_region": published_uuid(partnership.partner_region),
            "since_year": partnership.since_year,
            "coordinator": published_uuid(partnership.coordinator),
            "coordinator_since_year": partnership.coordinator_since_year,
            "focus_areas": [self.focus_area(area) for area in partnership.focus_areas.all()],
            "objectives": [
                {"uuid": objective.uuid, **self.texts(objective)}
                for objective in partnership.objectives.all()
            ],
        }

    def mission(self, mission: Mission) -> dict[str, Any]:
        return {
            **self.resource(mission),
            **self.texts(mission),
            "kind": mission.kind,
            "partnership": mission.partnership.uuid,
            "destinations": [region.uuid for region in mission.destinations.all()],
            "start_date": mission.start_date,
            "end_date": mission.end_date,
            "leader_name": mission.leader_name,
            "organisers": [organisation.uuid for organisation in mission.organisers.all()],
            "programme_items": [
                self.programme_item(item) for item in mission.programme_items.all()
            ],
            "outcomes": [self.outcome(outcome) for outcome in mission.outcomes.all()],
            "photos": [self.photo(photo) for photo in mission.photos.all()],
        }

    def programme_item(self, item: ProgrammeItem) -> dict[str, Any]:
        return {
            "uuid": item.uuid,
            **self.texts(item),
            "kind": item.kind,
            "city": published_uuid(item.city),
            "host": published_uuid(item.host),
            "date": item.date,
            "start_time": item.start_time,
            "end_time": item.end_time,
            "time_zone": item.effective_time_zone(),
        }

    def focus_area(self, area: FocusArea) -> dict[str, Any]:
        return {"uuid": area.uuid, "slug": area.slug, **self.texts(area)}

    def photo(self, photo: Photo) -> dict[str, Any]:
        renditions = photo.renditions
        return {
            "uuid": photo.uuid,
            "width": photo.width,
            "height": photo.height,
            **self.texts(photo),
            "credit": photo.credit,
            "renditions": [
                {
                    "url": self.request.build_absolute_uri(rendition.url),
                    "width": rendition.width,
                    "height": rendition.height,
                    "format": image_format,
                }
                for image_format, versions in (
                    ("webp", renditions.webp if renditions else ()),
                    ("jpeg", renditions.jpeg if renditions else ()),
                )
                for rendition in versions
            ],
        }

    def outcome(self, outcome: Outcome) -> dict[str, Any]:
        area = outcome.area
        return {
            **self.resource(outcome),
            **self.texts(outcome),
            "kind": outcome.kind,
            "area": self.focus_area(area) if area else None,
            "partnership": outcome.partnership.uuid,
            "mission": outcome.mission.uuid if outcome.mission else None,
            "date": outcome.date,
            "progress": outcome.progress,
        }
