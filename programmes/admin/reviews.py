"""Partner reviewers in the admin: reading their partnerships' texts, suggesting changes,
and the owner's staff deciding on those suggestions.

**Reviewers** (``permissions.PARTNER_REVIEWER``) hold no permission on any content, so
every content admin refuses them. They have two pages of their own, under the suggestions'
admin: the content of the partnerships they review (drafts included), and one object's
texts in their languages, read-only, each with a form to suggest a change. The suggestions
list shows them their partnerships' suggestions and what became of them.

**The owner's editors and publishers** find open suggestions on the object's change page
(``EditorialAdmin.render_change_form``) and in the suggestions list; a suggestion's page
shows the diff against the current text and accepts or declines it through
``programmes/domain/reviews.py``.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from programmes.domain import permissions, reviews
from programmes.models import (
    Mission,
    Objective,
    Outcome,
    Partnership,
    Photo,
    ProgrammeItem,
    Status,
    Suggestion,
)


def review_url(obj) -> str:
    """The reviewer's page of ``obj``."""
    content_type = ContentType.objects.get_for_model(obj)
    return reverse("admin:programmes_suggestion_review_object", args=[content_type.pk, obj.pk])


def change_url(obj) -> str:
    """The change page ``obj`` is edited on: its own, or its parent's for a part edited
    inline there (a programme item on its mission's page, an objective on its partnership's)."""
    while not admin.site.is_registered(type(obj)):
        obj = getattr(obj, permissions.PUBLICATION_PARENTS[obj._meta.model_name])
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)])


def _status(obj) -> str:
    return str(Status(obj.status).label) if hasattr(obj, "status") else ""


def _entry(obj, depth: int = 0) -> dict:
    return {
        "object": obj,
        "kind": capfirst(obj._meta.verbose_name),
        "url": review_url(obj),
        "status": _status(obj),
        "depth": depth,
    }


def review_tree(user) -> list[dict]:
    """Each partnership ``user`` reviews with its content, as the reviewer's index lists it:
    the partnership, its objectives, its missions each followed by their programme items,
    outcomes and photos, and the partnership's outcomes without a mission."""

    def fetched(model, order):
        return list(permissions.reviewable(model.objects.order_by(*order), user))

    objectives = fetched(Objective, ["order", "pk"])
    missions = fetched(Mission, ["start_date", "pk"])
    items = fetched(ProgrammeItem, ["order", "pk"])
    outcomes = fetched(Outcome, ["order", "pk"])
    photos = fetched(Photo, ["pk"])
    tree = []
    for partnership in fetched(Partnership, ["pk"]):
        entries = [_entry(partnership)]
        entries += [_entry(o, 1) for o in objectives if o.partnership_id == partnership.pk]
        for mission in (m for m in missions if m.partnership_id == partnership.pk):
            entries.append(_entry(mission, 1))
            for parts in (items, outcomes, photos):
                entries += [_entry(p, 2) for p in parts if p.mission_id == mission.pk]
        entries += [
            _entry(o, 1)
            for o in outcomes
            if o.partnership_id == partnership.pk and o.mission_id is None
        ]
        languages = permissions.reviewed_partnerships(user)[partnership.pk]
        tree.append(
            {"partnership": partnership, "languages": sorted(languages), "entries": entries}
        )
    return tree


def _reviewer_only(request) -> None:
    """The review pages are for partner reviewers (with or without partnerships yet)."""
    if permissions.PARTNER_REVIEWER not in permissions.access(request.user).roles:
        raise PermissionDenied


def review_index(request):
    """The reviewer's start: the content of the partnerships they review, drafts included."""
    _reviewer_only(request)
    context = {
        **admin.site.each_context(request),
        "title": _("Texts to review"),
        "tree": review_tree(request.user),
    }
    return TemplateResponse(request, "admin/programmes/suggestion/review_index.html", context)


def reviewed_object(request, content_type_id: int, object_id: int):
    """The object, if it is content of a partnership ``request.user`` reviews; else 404."""
    content_type = ContentType.objects.filter(pk=content_type_id, app_label="programmes").first()
    model = content_type.model_class() if content_type else None
    if model is None or model._meta.model_name not in permissions.REVIEW_LOOKUPS:
        raise Http404
    obj = permissions.reviewable(model.objects.filter(pk=object_id), request.user).first()
    if obj is None:
        raise Http404
    return obj


def review_object(request, content_type_id: int, object_id: int):
    """One object's texts in the reviewer's languages, read-only, with "suggest a change".

    A POST is one suggestion (field, language, text, comment) through ``reviews.suggest``;
    nothing else on the page can be posted.
    """
    _reviewer_only(request)
    obj = reviewed_object(request, content_type_id, object_id)
    entered = {}
    if request.method == "POST":
        field, language = request.POST.get("field", ""), request.POST.get("language", "")
        text, comment = request.POST.get("text", ""), request.POST.get("comment", "")
        try:
            reviews.suggest(
                obj,
                field=field,
                language=language,
                text=text,
                comment=comment,
                by=request.user,
                interface_language=get_language(),
            )
        except reviews.SuggestionError as refusal:
            messages.error(request, str(refusal))
            # The refusal is said in the form too: the message is at the top of a long page.
            entered[(field, language)] = (text, comment, str(refusal))
        else:
            messages.success(
                request,
                _("Your suggestion is sent to the editors of “%(object)s”.") % {"object": obj},
            )
            return redirect(request.path)
    return _review_page(request, obj, entered)


def _review_page(request, obj, entered: dict):
    model = type(obj)
    languages = sorted(permissions.review_languages(request.user, obj))
    texts = []
    labels = {}
    for field in reviews.reviewable_fields(model):
        label = labels[field] = model._meta.get_field(field).verbose_name
        for language in languages:
            current = reviews.current_text(obj, field, language)
            text, comment, error = entered.get((field, language), (current, "", ""))
            texts.append(
                {
                    "field": field,
                    "label": label,
                    "language": language,
                    "current": reviews.readable(model, field, current),
                    "rich": reviews.is_rich_text(model, field),
                    "text": text,
                    "comment": comment,
                    "error": error,
                }
            )
    suggestions = permissions.suggestions_visible_to(
        Suggestion.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
        ),
        request.user,
    ).select_related("author", "decided_by")
    for suggestion in suggestions:  # listed by the field's name, as the forms are
        suggestion.field_label = labels.get(suggestion.field, suggestion.field)
    context = {
        **admin.site.each_context(request),
        "title": _("Review “%(object)s”") % {"object": obj},
        "object": obj,
        "verbose_name": model._meta.verbose_name,
        "status": _status(obj),
        "texts": texts,
        "suggestions": suggestions,
    }
    return TemplateResponse(request, "admin/programmes/suggestion/review_object.html", context)


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    """The suggestions a user may read: a reviewer's partnerships' (in their languages), or
    those for their organisations' content. Nobody edits a suggestion as a form: its page
    shows the diff and decides (accept, decline with a reply) through the domain."""

    list_display = ["object_repr", "field_name", "language", "author", "status", "created_at"]
    list_filter = ["status", "language"]
    list_select_related = ["author", "content_type"]
    list_per_page = 50
    actions = None

    @admin.display(description=_("field"))
    def field_name(self, obj):
        model = obj.content_type.model_class()
        return model._meta.get_field(obj.field).verbose_name if model else obj.field

    def get_queryset(self, request):
        return permissions.suggestions_visible_to(super().get_queryset(request), request.user)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("programmes.view_suggestion")

    def has_add_permission(self, request):
        return False  # reviewers suggest on the object's review page

    def has_change_permission(self, request, obj=None):
        return False  # decisions are made on the suggestion's page, through the domain

    def has_delete_permission(self, request, obj=None):
        return False  # a decision is history: declined suggestions stay

    def get_urls(self):
        return [
            path(
                "review/",
                self.admin_site.admin_view(review_index),
                name="programmes_suggestion_review",
            ),
            path(
                "review/<int:content_type_id>/<int:object_id>/",
                self.admin_site.admin_view(review_object),
                name="programmes_suggestion_review_object",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra = {"may_review": permissions.is_partner_reviewer(request.user)}
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The suggestion against the current text, and (for those who may) the decision."""
        suggestion = self.get_object(request, unquote(object_id))
        if suggestion is None or not self.has_view_permission(request, suggestion):
            raise Http404
        target = reviews.target_of(suggestion)
        may_decide = suggestion.is_open and permissions.may_decide(request.user, suggestion, target)
        if request.method == "POST":
            if not may_decide:
                raise PermissionDenied
            return self._decide(request, suggestion)
        base_text = reviews.readable(
            suggestion.content_type.model_class(), suggestion.field, suggestion.base_text
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Suggestion for “%(object)s”") % {"object": suggestion.object_repr},
            "opts": self.opts,
            "review": reviews.review(suggestion, target),
            "base_text": base_text,
            "may_decide": may_decide,
            "object_url": self._object_url(request, target),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/programmes/suggestion/decide.html", context)

    @staticmethod
    def _object_url(request, target) -> str | None:
        """Where the object is for this user: its change page, or the reviewer's page."""
        if target is None:
            return None
        if permissions.can(request.user, "view", target):
            return change_url(target)
        if permissions.review_languages(request.user, target):
            return review_url(target)
        return None

    def _decide(self, request, suggestion):
        base_url = settings.SITE_URL or request.build_absolute_uri("/")
        try:
            if "_accept" in request.POST:
                reviews.accept(
                    suggestion,
                    by=request.user,
                    replace_newer_text=bool(request.POST.get("replace_newer_text")),
                    base_url=base_url,
                )
                done = _("The suggestion is accepted: the text is changed.")
            elif "_decline" in request.POST:
                reviews.decline(
                    suggestion,
                    by=request.user,
                    reply=request.POST.get("reply", ""),
                    base_url=base_url,
                )
                done = _("The suggestion is declined; the reviewer is told why.")
            else:
                return redirect(request.path)
        except reviews.SuggestionError as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, done)
        return redirect(request.path)
