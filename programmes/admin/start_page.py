"""The admin's start page: what waits for each person, by role, in their organisations.

Django's index showed "Recent actions: none" (its own log, which the services do not
write), so nobody saw that something waited for review. The index now shows panels:

=====================  =====================================  ===============================
panel                  shown to                               lists
=====================  =====================================  ===============================
waiting for review     those who may publish                  in review: who asked, since when
sent back to you       those who may submit for review        their submissions sent back,
                                                              with the publisher's comment
your drafts            those who may submit for review        drafts and unpublished objects
                                                              they worked on
missing translations   translators (their languages), site    objects with a text missing in
                       managers (every language)              a language, % done per language
texts to review        partner reviewers                      the partnerships they review, in
                                                              which languages, to the review page
=====================  =====================================  ===============================

Who asked, when, and the comment come from the audit log (the workflow logs each step
under its own action, ``workflow.py``). Only the user's organisations' content is listed:
every list starts from ``permissions.scope()``, as the admin's lists do, and a site
manager with memberships sees those organisations' (without: everyone's).

**Bounded.** Each panel asks one query per kind of content (partnerships, missions,
outcomes; photos too for translations, with the parts the percentage counts), fetches at
most ``LIMIT`` rows of each and links to the full list when there are more. The counts are
pinned in ``tests/admin/test_start_page.py``.

**Another panel** is a :class:`Panel` appended to ``PANELS``: a title, a template under
``templates/admin/start_page/``, who sees it and a function from the request to its rows.
The index template renders ``PANELS`` in order (``{% start_page_panels %}``, registered as
the template library ``start_page`` in the settings).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import template
from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from programmes.domain import permissions, reviews
from programmes.domain.translation_status import (
    TARGET_LANGUAGES,
    missing_q,
    translation_status,
    with_parts,
)
from programmes.models import (
    AuditLogEntry,
    Mission,
    Outcome,
    Partnership,
    Photo,
    Status,
    Suggestion,
)

Action = AuditLogEntry.Action

# The content that goes through the workflow, and the content translators translate.
WORKFLOW_MODELS = (Partnership, Mission, Outcome)
TRANSLATED_MODELS = (Partnership, Mission, Outcome, Photo)
# What makes a draft someone's: they wrote it (a publisher who sent it back did not).
EDITS = (Action.CREATED, Action.CHANGED, Action.REVERTED, Action.RECOVERED)
# Rows per kind of content in a panel; more are a link to the list.
LIMIT = 10


@dataclass
class Rows:
    """What a panel lists: its rows, and where to see all when they are more than shown."""

    items: list[dict[str, Any]] = field(default_factory=list)
    more: list[tuple[str, str]] = field(default_factory=list)  # (label, URL) of full lists


@dataclass(frozen=True)
class Panel:
    """One box of the start page."""

    key: str  # its id in the page
    title: str
    template: str
    shown_to: Callable[[Any], bool]
    rows: Callable[[HttpRequest], Rows]
    empty: str  # what it says when there is nothing


# Whose content: the organisations a list is limited to --------------------------------------


def _organisations(user) -> frozenset[int] | None:
    """The organisations whose content the start page lists; None: every organisation."""
    organisations = permissions.access(user).organisation_ids
    if permissions.is_site_manager(user) and not organisations:
        return None
    return organisations


def _own(queryset: QuerySet, user) -> QuerySet:
    """``queryset`` as the admin scopes it, limited to the user's organisations."""
    queryset = permissions.scope(queryset, user)
    organisations = _organisations(user)
    if organisations is None:
        return queryset
    lookup = permissions.OWNER_LOOKUPS[queryset.model._meta.model_name]
    return queryset.filter(**{f"{lookup}__in": organisations})


# The audit log, as columns of a content query --------------------------------------------------


def _entries(model: type[models.Model], *actions: str) -> QuerySet:
    """The log entries of the outer query's object with one of ``actions``, newest first."""
    return AuditLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_id=Cast(OuterRef("pk"), models.CharField()),
        action__in=actions,
    ).order_by("-timestamp", "-pk")


def _last(model, column: str, *actions: str) -> Subquery:
    return Subquery(_entries(model, *actions).values(column)[:1])


def _change_url(obj: models.Model) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)])


def _list_url(model: type[models.Model], **filters) -> str:
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def _bounded(queryset: QuerySet, rows: Rows, more_url: str) -> list[models.Model]:
    """At most ``LIMIT`` objects; a link to the full list when there are more."""
    objects = list(queryset[: LIMIT + 1])
    if len(objects) > LIMIT:
        rows.more.append((queryset.model._meta.verbose_name_plural, more_url))
    return objects[:LIMIT]


def _row(obj: models.Model, **values) -> dict[str, Any]:
    return {"object": obj, "kind": obj._meta.verbose_name, "url": _change_url(obj), **values}


# The panels' rows ---------------------------------------------------------------------------


def waiting_for_review(request: HttpRequest) -> Rows:
    """In review, oldest request first: who asked and since when."""
    rows = Rows()
    for model in WORKFLOW_MODELS:
        if not permissions.can(request.user, "publish", model):
            continue
        queryset = (
            _own(model.objects.filter(status=Status.IN_REVIEW), request.user)
            .annotate(
                asked_by=_last(model, "username", Action.SUBMITTED),
                asked_at=_last(model, "timestamp", Action.SUBMITTED),
            )
            .order_by(models.F("asked_at").asc(nulls_first=True), "pk")
        )
        url = _list_url(model, status__exact=Status.IN_REVIEW)
        rows.items += [
            _row(obj, who=obj.asked_by, since=obj.asked_at or obj.updated_at)
            for obj in _bounded(queryset, rows, url)
        ]
    rows.items.sort(key=lambda row: row["since"])
    return rows


def _with_last_step(model, queryset: QuerySet, user) -> QuerySet:
    """Annotated with the last workflow step and, if it sent the user's submission back,
    who did, when and the comment."""
    return queryset.annotate(
        last_step=_last(model, "action", Action.SUBMITTED, Action.SENT_BACK),
        asked_by_id=_last(model, "user", Action.SUBMITTED),
        sent_back_by=_last(model, "username", Action.SENT_BACK),
        sent_back_at=_last(model, "timestamp", Action.SENT_BACK),
        comment=_last(model, "message", Action.SENT_BACK),
    ).annotate(
        sent_back_to_user=Case(
            When(
                Q(last_step=Action.SENT_BACK, asked_by_id=user.pk, status=Status.DRAFT),
                then=Value(1),
            ),
            default=Value(0),
            output_field=IntegerField(),
        ),
    )


def sent_back(request: HttpRequest) -> Rows:
    """The user's submissions that a publisher sent back, newest first, with the comment."""
    rows, user = Rows(), request.user
    for model in WORKFLOW_MODELS:
        queryset = (
            _with_last_step(model, _own(model.objects.all(), user), user)
            .filter(sent_back_to_user=1)
            .order_by("-sent_back_at", "-pk")
        )
        url = _list_url(model, status__exact=Status.DRAFT)
        rows.items += [
            _row(obj, who=obj.sent_back_by, since=obj.sent_back_at, comment=obj.comment)
            for obj in _bounded(queryset, rows, url)
        ]
    rows.items.sort(key=lambda row: row["since"], reverse=True)
    return rows


def own_drafts(request: HttpRequest) -> Rows:
    """Drafts and unpublished objects the user created or changed, last changed first
    (those sent back to them are in their own panel)."""
    rows, user = Rows(), request.user
    for model in WORKFLOW_MODELS:
        worked_on = _entries(model, *EDITS).filter(user=user)
        queryset = (
            _with_last_step(
                model,
                _own(model.objects.filter(status__in=[Status.DRAFT, Status.UNPUBLISHED]), user),
                user,
            )
            .filter(Exists(worked_on), sent_back_to_user=0)
            .order_by("-updated_at", "-pk")
        )
        url = _list_url(model, status__exact=Status.DRAFT)
        rows.items += [
            _row(obj, since=obj.updated_at, status=obj.get_status_display())
            for obj in _bounded(queryset, rows, url)
        ]
    rows.items.sort(key=lambda row: row["since"], reverse=True)
    return rows


def _languages_by_organisation(user) -> dict[int, frozenset[str]] | None:
    """Per organisation, the languages the user translates there; None: every language of
    every organisation's content (a site manager without memberships)."""
    if permissions.is_site_manager(user):
        organisations = _organisations(user)
        if organisations is None:
            return None
        return dict.fromkeys(organisations, frozenset(TARGET_LANGUAGES))
    return {
        organisation: languages
        for organisation, languages in permissions.access(user).memberships.items()
        if languages
    }


def missing_in_your_languages(request: HttpRequest) -> Rows:
    """Objects with a text missing in one of the user's languages, least translated first,
    with how far each of those languages is."""
    rows, user = Rows(), request.user
    by_organisation = _languages_by_organisation(user)
    for model in TRANSLATED_MODELS:
        lookup = permissions.OWNER_LOOKUPS[model._meta.model_name]
        if by_organisation is None:
            wanted = Q(pk__in=[])
            for language in TARGET_LANGUAGES:
                wanted |= missing_q(model, language)
        else:
            wanted = Q(pk__in=[])
            for organisation, languages in by_organisation.items():
                missing = Q(pk__in=[])
                for language in sorted(languages):
                    missing |= missing_q(model, language)
                wanted |= Q(**{lookup: organisation}) & missing
        # A photo is public with its mission: its status is the mission's.
        parent = permissions.PUBLICATION_PARENTS.get(model._meta.model_name)
        status = f"{parent}__status" if parent else "status"
        queryset = with_parts(
            permissions.scope(model.objects.filter(wanted), user).order_by(
                Case(When(**{status: Status.PUBLISHED}, then=Value(1)), default=Value(0)),
                "-updated_at",
                "-pk",
            )
        )
        if path := lookup.rpartition("__")[0]:  # owner_id() follows it: no query per row
            queryset = queryset.select_related(path)
        language = next(iter(sorted(_user_languages(user, None, by_organisation))), None)
        url = _list_url(model, missing=language) if language else _list_url(model)
        for obj in _bounded(queryset, rows, url):
            statuses = translation_status(obj)
            owner = permissions.owner_id(obj)
            publication = permissions.publication_of(obj)
            rows.items.append(
                _row(
                    obj,
                    since=obj.updated_at,
                    status=publication.get_status_display() if publication else "—",
                    languages=[
                        (language, statuses[language].percent)
                        for language in TARGET_LANGUAGES
                        if language in _user_languages(user, owner, by_organisation)
                    ],
                )
            )
    rows.items.sort(key=lambda row: min((p for _, p in row["languages"]), default=100))
    return rows


def _user_languages(user, owner: int | None, by_organisation) -> frozenset[str]:
    """The languages the user translates in ``owner``'s content (None: in any)."""
    if by_organisation is None:
        return frozenset(TARGET_LANGUAGES)
    if owner is None:
        return frozenset().union(*by_organisation.values())
    return by_organisation.get(owner, frozenset())


# Who sees which panel --------------------------------------------------------------------------


def may_publish(user) -> bool:
    return any(permissions.can(user, "publish", model) for model in WORKFLOW_MODELS)


def may_submit(user) -> bool:
    return any(permissions.can(user, "submit", model) for model in WORKFLOW_MODELS)


def translates(user) -> bool:
    if permissions.is_site_manager(user):
        return True
    return permissions.is_translator_only(user) and bool(_languages_by_organisation(user))


def open_suggestions(request: HttpRequest) -> Rows:
    """Partner reviewers' suggestions the user may accept or decline, oldest first
    (``reviews.open_suggestions_for``), each with its diff."""
    found = reviews.open_suggestions_for(request.user)
    rows = Rows(items=found[:LIMIT])
    if len(found) > LIMIT:
        url = _list_url(Suggestion, status=Suggestion.Status.OPEN)
        rows.more.append((Suggestion._meta.verbose_name_plural, url))
    return rows


def decides_suggestions(user) -> bool:
    return user.has_perm("programmes.change_suggestion")


def reviews_partnerships(user) -> bool:
    # The permission first: it is read already, the reviewer's role would be one query more.
    return user.has_perm("programmes.add_suggestion") and permissions.is_partner_reviewer(user)


def partnerships_to_review(request: HttpRequest) -> Rows:
    """The partnerships a partner reviewer reads, each in their languages, linked to the
    review page: without it their start page showed only "Suggestions", and the texts
    they are there for were two clicks away behind that list's "Texts to review"."""
    languages = permissions.reviewed_partnerships(request.user)
    url = reverse("admin:programmes_suggestion_review")
    partnerships = permissions.reviewable(Partnership.objects.order_by("pk"), request.user)
    return Rows(
        items=[
            {"object": partnership, "url": url, "languages": sorted(languages[partnership.pk])}
            for partnership in partnerships
        ]
    )


PANELS: list[Panel] = [
    Panel(
        "texts-to-review",
        _("Texts to review"),
        "admin/start_page/to_review.html",
        reviews_partnerships,
        partnerships_to_review,
        _("You review no partnership yet."),
    ),
    Panel(
        "waiting-for-review",
        _("Waiting for your review"),
        "admin/start_page/review.html",
        may_publish,
        waiting_for_review,
        _("Nothing waits for your review."),
    ),
    Panel(
        "sent-back",
        _("Sent back to you"),
        "admin/start_page/sent_back.html",
        may_submit,
        sent_back,
        _("Nothing of yours was sent back."),
    ),
    Panel(
        "your-drafts",
        _("Your drafts"),
        "admin/start_page/drafts.html",
        may_submit,
        own_drafts,
        _("You have no drafts."),
    ),
    Panel(
        "missing-translations",
        _("Missing in your languages"),
        "admin/start_page/translations.html",
        translates,
        missing_in_your_languages,
        _("Everything is translated into your languages."),
    ),
    Panel(
        "suggestions",
        _("Suggested by partner reviewers"),
        "admin/start_page/suggestions.html",
        decides_suggestions,
        open_suggestions,
        _("No suggestion of a partner reviewer waits for you."),
    ),
]


def panels_for(request: HttpRequest) -> list[tuple[Panel, Rows]]:
    """The panels ``request.user`` sees, each with its rows."""
    return [(panel, panel.rows(request)) for panel in PANELS if panel.shown_to(request.user)]


register = template.Library()


@register.simple_tag(takes_context=True)
def start_page_panels(context) -> list[tuple[Panel, Rows]]:
    """``{% start_page_panels as panels %}``: the panels of the user's start page."""
    return panels_for(context["request"])
