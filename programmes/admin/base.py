"""What every admin here shares: role scoping, the revision and history views,
translation status, and the workflow's buttons and actions (the bounded search box, which
the webhooks' admin shares too, is ``twinning/admin_search.py``).

Who sees and changes what (their organisations' content, by role) is decided in
``programmes/domain/permissions.py``; ``RoleScopedAdmin`` applies it to an admin,
``RoleScopedInline`` to an inline. ``EditorialAdmin`` is the base of every content admin,
``PublishableAdmin`` of those with a publication status.
"""

from contextlib import contextmanager, nullcontext

import reversion
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten, flatten_fieldsets, model_ngettext, quote, unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.csp import CSP
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.csp import csp_override
from django_prose_editor.fields import ProseEditorField
from modeltranslation.admin import TabbedTranslationAdmin
from modeltranslation.fields import TranslationField
from modeltranslation.utils import build_localized_fieldname
from reversion.admin import VersionAdmin
from reversion.errors import RevertError
from reversion.models import Version
from reversion.utils import mute_signals

from programmes.domain import permissions, reviews, revisions, services, workflow
from programmes.domain.translation_status import (
    TARGET_LANGUAGES,
    missing_q,
    translated_fields,
    translation_status,
    with_parts,
)
from programmes.models import (
    AuditLogEntry,
    Publishable,
    Status,
)
from programmes.models.richtext import sanitize_html
from twinning.admin_search import BoundedSearch

from . import editor_forms
from .conflicts import EditConflictAdminMixin

RECORD_FIELDS = ("uuid", "created_at", "updated_at")
PUBLICATION_DESCRIPTION = _(
    "Drafts are visible to staff only. Published content appears on the public site, "
    "in the partner export and in the feeds from its publish date on."
)

# The rich text editor (Tiptap, inside django-prose-editor) injects its base stylesheet as an
# inline <style> element without a nonce. The form pages allow exactly that stylesheet by its
# hash; everything else keeps the site's strict policy. tests/admin/test_admin.py recomputes the
# hash from the installed editor, so an upgrade that changes the stylesheet fails loudly.
PROSE_EDITOR_STYLE_HASH = "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"


def allow_prose_editor_style(policy: dict) -> dict:
    """``policy`` with the editor's stylesheet allowed; no policy stays no policy."""
    if not policy:
        return policy
    style_src = policy.get("style-src", policy.get("default-src", [CSP.SELF]))
    return policy | {"style-src": [*style_src, PROSE_EDITOR_STYLE_HASH]}


WORKFLOW_FIELDS = services.WORKFLOW_FIELDS
SAVE_REFUSED = _(
    "You may not save this: it would belong to another organisation or to the shared "
    "reference data, or change a published page, which only a publisher may do."
)
SHARED_PAGE_REFUSED = _(
    "Only a site manager may put this on a %(page)s's page: those pages are shared by every "
    "organisation."
)


def declared_fields(model_admin) -> list[str]:
    """The fields an admin or inline shows, a translated field once per language.

    An inline of a model without texts (a mission's destinations) is no translation admin.
    """
    if model_admin.fieldsets:
        declared = flatten_fieldsets(model_admin.fieldsets)
    else:
        declared = flatten(model_admin.fields or [])
    if not hasattr(model_admin, "replace_orig_field"):
        return list(declared)
    return list(model_admin.replace_orig_field(declared))


def role_readonly_fields(model_admin, request, obj) -> list[str]:
    """The fields the workflow and the user's role make read-only on ``obj``'s form.

    The status changes through the workflow only; the publish and unpublish dates are
    for those who may publish; a translator edits the texts of their languages and
    nothing else. A read-only field is not part of the form, so a crafted POST cannot
    change it. For an inline, ``obj`` is the parent, whose owner is the rows' owner.

    The shared page an object is on (a photo's region) is read-only for those who may not
    change such pages: they keep it as it is, and an add form offers no choice that would
    then be refused (``choices_for`` offers them none, so a crafted choice is refused too).
    """
    user, model = request.user, model_admin.model
    readonly = []
    shared = permissions.shared_page_field(model)
    if shared and not permissions.can(user, "change", model._meta.get_field(shared).related_model):
        readonly.append(shared)
    if issubclass(model, Publishable):
        may_publish = permissions.can(user, "publish", model if obj is None else obj)
        readonly += [name for name in WORKFLOW_FIELDS if name == "status" or not may_publish]
    languages = permissions.editable_languages(user, obj)
    if languages is not None:
        editable = {
            build_localized_fieldname(field, language)
            for field in translated_fields(model)
            for language in languages
        }
        readonly += [name for name in declared_fields(model_admin) if name not in editable]
    return [name for name in dict.fromkeys(readonly) if name in declared_fields(model_admin)]


def permission_checked(form_class: type[forms.ModelForm], user, action: str):
    """``form_class``, refusing with a form error to save what ``user`` may not."""

    class PermissionCheckedForm(form_class):
        def _post_clean(self):
            super()._post_clean()
            if not self.errors and not permissions.can(user, action, self.instance):
                self.add_error(None, SAVE_REFUSED)

    PermissionCheckedForm.__name__ = form_class.__name__
    return PermissionCheckedForm


class RoleScopedFields:
    """Form fields by role, for admins and inlines alike."""

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        extra = role_readonly_fields(self, request, obj)
        return readonly + [name for name in extra if name not in readonly]

    def get_prepopulated_fields(self, request, obj=None):
        """Without a slug whose field or source is read-only (Django's form would fail)."""
        readonly = set(self.get_readonly_fields(request, obj))
        return {
            field: sources
            for field, sources in super().get_prepopulated_fields(request, obj).items()
            if field not in readonly and readonly.isdisjoint(sources)
        }

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        return editor_forms.with_time_zone_help(formfield, db_field)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """A shared page (a photo's region) refused with a message that says why."""
        if db_field.name == permissions.shared_page_field(self.model) and not permissions.can(
            request.user, "change", db_field.related_model
        ):
            kwargs.setdefault("error_messages", {})["invalid_choice"] = SHARED_PAGE_REFUSED % {
                "page": db_field.related_model._meta.verbose_name
            }
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_field_queryset(self, db, db_field, request):
        """Relation choices: only what the user may pick (``permissions.choices_for``)."""
        queryset = super().get_field_queryset(db, db_field, request)
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.using(db)
        return permissions.choices_for(request.user, self.model, db_field.name, queryset)


class _ShownOnly(Exception):  # noqa: N818 (a signal, not an error)
    """Carries a revert page out of its transaction, which is then rolled back."""

    def __init__(self, response):
        super().__init__()
        self.response = response


class RoleScopedAdmin(BoundedSearch, RoleScopedFields):
    """What ``permissions.py`` decides, applied to a model admin.

    Lists, autocompletes (which use the target's admin), filters and relation choices
    hold only what the user may see; the change, delete and history URLs of another
    organisation's object answer 404; every permission is asked per object, so published
    content is read-only for editors and translators; and a form that would put content
    into another organisation is refused with an error.
    """

    def get_queryset(self, request):
        return permissions.scope(super().get_queryset(request), request.user)

    def get_object(self, request, object_id, from_field=None):
        """None for a missing object (Django's "perhaps it was deleted?"); 404 for a hidden one.

        Staff without any permission on the model get Django's 403, as before.
        """
        obj = super().get_object(request, object_id, from_field)
        if (
            obj is None
            and self.has_view_or_change_permission(request)
            and self._exists(object_id, from_field)
        ):
            raise Http404
        return obj

    def _exists(self, object_id, from_field) -> bool:
        field = self.opts.pk if from_field is None else self.opts.get_field(from_field)
        try:
            value = field.to_python(object_id)
        except ValidationError:
            return False
        return self.model._default_manager.filter(**{field.name: value}).exists()

    def recoverlist_view(self, request, extra_context=None):
        """reversion's "Recover deleted …", listing only what the user may add back.

        Another organisation's deleted objects are not listed (recovering one would be
        refused anyway: its change form is not found for the user).
        """
        ordering = self.get_version_ordering(request) or ()
        deleted = Version.objects.get_deleted(self.model).select_related("revision")
        recoverable = [
            version
            for version in deleted.order_by(*ordering)
            if self._may_recover(request, version)
        ]
        return super().recoverlist_view(request, {"deleted": recoverable, **(extra_context or {})})

    def _may_recover(self, request, version) -> bool:
        """Whether the user may add the object back as ``services.revert_revision`` would:
        as a draft, unless they may publish it."""
        user = request.user
        columns = {field.attname for field in self.opts.concrete_fields}
        obj = self.model(**{k: v for k, v in version.field_dict.items() if k in columns})
        try:
            if isinstance(obj, Publishable) and not permissions.can(user, "publish", obj):
                obj.status = Status.DRAFT
            return permissions.can(user, "add", obj)
        except ObjectDoesNotExist:  # what it belonged to is gone too
            return permissions.is_site_manager(user)

    def recover_view(self, request, version_id, extra_context=None):
        """reversion's "Recover …" page, for the last version of a deleted object of this model.

        reversion finds the version by its id alone, whatever it is a version of, and then
        opens the change form of this model's object with that version's object id: a
        version of another organisation's programme item would open (and, saved, revert)
        one of the user's own missions. Here it must be a deleted object of this model
        that the user may add back; anything else is not found.
        """
        if not self.has_add_permission(request):
            raise PermissionDenied
        version = get_object_or_404(Version.objects.get_deleted(self.model), pk=version_id)
        if not self._may_recover(request, version):
            raise Http404
        context = {
            "title": _("Recover %(name)s") % {"name": version.object_repr},
            "recover": True,
            **(extra_context or {}),
        }
        template = self.recover_form_template or self._reversion_get_template_list(
            "recover_form.html"
        )
        return self._revision_form_view(
            request, version, AuditLogEntry.Action.RECOVERED, template, context
        )

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """reversion's "Revert …" page, for a version of this very object.

        reversion matches the version's object id but not its model, so a version of a
        programme item would do for the mission with the same id. Here the version must
        be one of this object, which the user must be able to see.
        """
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        version = get_object_or_404(Version.objects.get_for_object(obj), pk=version_id)
        context = {
            "title": _("Revert %(name)s") % {"name": version.object_repr},
            "revert": True,
            **(extra_context or {}),
        }
        template = self.revision_form_template or self._reversion_get_template_list(
            "revision_form.html"
        )
        return self._revision_form_view(
            request, version, AuditLogEntry.Action.REVERTED, template, context
        )

    def _revision_form_view(self, request, version, action, template_name, context):
        """Put ``version``'s revision back, then show (GET) or save (POST) the change form.

        reversion's own flow, with the revert made by ``services.revert_revision``, which
        asks the permissions for every object of the revision and keeps what only a
        publisher may change. A GET shows the old version and rolls everything back; a
        POST keeps it when the form saves.
        """
        muted = (
            mute_signals(pre_save, post_save, pre_delete, post_delete, m2m_changed)
            if request.method == "GET"
            else nullcontext()
        )
        try:
            with transaction.atomic(using=version.db), muted:
                services.revert_revision(
                    version.revision, user=request.user, action=action, form_version=version
                )
                with self.create_revision(request):
                    response = self.changeform_view(
                        request, quote(version.object_id), request.path, context
                    )
                    if request.method == "POST" and response.status_code == 302:
                        reversion.set_comment(
                            _("Reverted to previous version, saved on %(datetime)s")
                            % {"datetime": date_format(localtime(version.revision.date_created))}
                        )
                        return response
                    if response.status_code != 200:
                        raise RevertError(
                            _("Could not load %(object_repr)s version - not found")
                            % {"object_repr": version.object_repr}
                        )
                    response.template_name = template_name
                    response.render()  # with the old version, before it is rolled back
                    raise _ShownOnly(response)
        except _ShownOnly as shown:
            return shown.response
        except services.RevertPermissionError as refusal:
            if refusal.hidden:
                raise Http404 from None
            raise PermissionDenied(
                _("You may not revert “%(object)s”.") % {"object": refusal.object}
            ) from None
        except (RevertError, models.ProtectedError) as error:
            messages.error(request, str(error))
            return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")

    def has_view_permission(self, request, obj=None):
        return permissions.can(request.user, "view", self.model if obj is None else obj)

    def has_add_permission(self, request):
        return permissions.can(request.user, "add", self.model)

    def has_change_permission(self, request, obj=None):
        return permissions.can(request.user, "change", self.model if obj is None else obj)

    def has_delete_permission(self, request, obj=None):
        return permissions.can(request.user, "delete", self.model if obj is None else obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form = editor_forms.slug_filled(form, self.get_prepopulated_fields(request, obj))
        return permission_checked(form, request.user, "add" if obj is None else "change")

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if request.method == "GET" and obj is not None:
            self._explain_limits(request, obj)
        _rich_text_shown_formatted(context)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _explain_limits(self, request, obj) -> None:
        """Say why a form is read-only, in whole or in part."""
        user = request.user
        may_change = permissions.can(user, "change", obj)
        if permissions.is_frozen(obj) and not may_change:
            messages.info(
                request,
                _(
                    "“%(object)s” is published: only a publisher can change it. Ask a "
                    "publisher to unpublish it (or to make the change); then edit it and "
                    "submit it for review."
                )
                % {"object": obj},
            )
        languages = permissions.editable_languages(user, obj)
        if may_change and languages:
            names = dict(settings.LANGUAGES)
            messages.info(
                request,
                _("You translate into %(languages)s; the other fields are read-only.")
                % {"languages": ", ".join(str(names[language]) for language in sorted(languages))},
            )


def _rich_text_shown_formatted(context) -> None:
    """Read-only rich text shows formatted, not as its HTML source.

    Django escapes a read-only field's value, so an editor looking at a published mission
    (or a translator at the languages they do not translate) read "<p>China is …</p>". A
    rich text field that is not in a form is shown read-only (or not at all); the instances
    only serve the page here. The value is sanitized again with the editor's allow-list
    before it is marked safe, whatever path stored it.
    """
    adminform = context.get("adminform")
    forms_shown = [adminform] if adminform else []  # helpers.AdminForm, InlineAdminForm
    for inline in context.get("inline_admin_formsets", []):
        forms_shown += list(inline)
    for shown in forms_shown:
        form, instance = shown.form, shown.form.instance
        read_only = set(shown.readonly_fields) | {
            name for name in _field_names(instance) if name not in form.fields
        }
        fields = instance._meta.concrete_fields
        # A translated field's language columns are shown; the field itself reads and
        # writes one of them through modeltranslation's descriptor, so it is left alone.
        translated = {f.translated_field.name for f in fields if isinstance(f, TranslationField)}
        for field in fields:
            if field.name in translated or field.name not in read_only:
                continue
            value = getattr(instance, field.attname)
            if isinstance(field, ProseEditorField) and value:
                setattr(instance, field.attname, mark_safe(sanitize_html(value)))


def _field_names(instance) -> list[str]:
    return [field.name for field in instance._meta.concrete_fields]


class RoleScopedInline(RoleScopedFields):
    """An inline's rows are parts of the parent's page: the parent's permissions apply.

    The rows are scoped as the model's own admin scopes them: a shared region's page lists
    only the photos the user may see, not another organisation's (of a draft mission).
    """

    def get_queryset(self, request):
        return permissions.scope(super().get_queryset(request), request.user)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = editor_forms.slug_filled(
            formset.form, self.get_prepopulated_fields(request, obj)
        )
        return formset

    def _may(self, request, action: str, parent) -> bool:
        user = request.user
        if not permissions.can(user, action, self.model):
            return False
        return parent is None or permissions.can(
            user, "view" if action == "view" else "change", parent
        )

    def has_view_permission(self, request, obj=None):
        return self._may(request, "view", obj)

    def has_add_permission(self, request, obj):
        return self._may(request, "add", obj)

    def has_change_permission(self, request, obj=None):
        return self._may(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return self._may(request, "delete", obj)


class MissingTranslationFilter(admin.SimpleListFilter):
    """Filters "missing English", "missing Simplified Chinese": a Dutch text is untranslated."""

    title = _("translation")
    parameter_name = "missing"

    def lookups(self, request, model_admin):
        names = dict(settings.LANGUAGES)
        return [
            (language, _("missing %(language)s") % {"language": names[language]})
            for language in TARGET_LANGUAGES
        ]

    def queryset(self, request, queryset):
        if self.value() in TARGET_LANGUAGES:
            return queryset.filter(missing_q(queryset.model, self.value()))
        return queryset


class TranslationStatusChangeList(ChangeList):
    """The list with the parts the translation column counts, fetched once for the page."""

    def get_queryset(self, request, exclude_parameters=None):
        return with_parts(super().get_queryset(request, exclude_parameters))


@method_decorator(
    csp_override(allow_prose_editor_style(settings.SECURE_CSP)), name="changeform_view"
)
class EditorialAdmin(RoleScopedAdmin, EditConflictAdminMixin, VersionAdmin, TabbedTranslationAdmin):
    """Translations as tabs, a translation status column, and sanitized saves.

    Every save and delete goes through the services, which keep a revision (reversion's
    ``VersionAdmin`` adds history, revert and "Recover deleted …") and an audit log entry.
    Forms refuse to save over a newer version (``conflicts.py``).
    """

    list_per_page = 50
    object_history_template = "admin/programmes/object_history.html"

    class Media:
        # After modeltranslation's tabs, which it relabels (programmes/admin/editor_forms.py):
        # naming them here is what puts it after them when the admin merges the media.
        js = [
            "admin/js/jquery.init.js",
            "modeltranslation/js/tabbed_translation_fields.js",
            "editor/forms.js",
        ]
        css = {"all": ["editor/forms.css"]}

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """With what ``static/editor/forms.js`` needs (``editor_forms.form_settings``), and
        the partner reviewers' open suggestions for the page's texts, for those who read
        them (``templates/admin/programmes/change_form.html``)."""
        context["editor_form"] = editor_forms.form_settings(
            request, obj, context.get("inline_admin_formsets", [])
        )
        if request.method == "POST" and context.get("errors"):
            editor_forms.say_files_not_kept(request)
        user = request.user
        if (
            obj is not None
            and permissions.is_reviewable(type(obj))
            and user.has_perm("programmes.view_suggestion")
        ):
            context["suggestion_reviews"] = reviews.open_on_page(obj, user)
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description=_("translations"))
    def translation_status(self, obj):
        """How complete each translation is: "en 100% · zh-hans 40%"."""
        return " · ".join(
            f"{language} {status.percent}%" for language, status in translation_status(obj).items()
        )

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), MissingTranslationFilter]

    def get_changelist(self, request, **kwargs):
        return TranslationStatusChangeList

    def get_fieldsets(self, request, obj=None):
        """Without the record (uuid, dates) on the add form: it does not exist yet."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None:
            return fieldsets
        without_record = [
            (name, {**options, "fields": [f for f in options["fields"] if f not in RECORD_FIELDS]})
            for name, options in fieldsets
        ]
        return [(name, options) for name, options in without_record if options["fields"]]

    def save_model(self, request, obj, form, change):
        services.save_content(
            obj, validate=False, user=request.user, action=self.history_action(request)
        )

    def save_formset(self, request, form, formset, change):
        # commit=False so inline objects are sanitized too; deletions are then ours to do.
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.delete_content(obj, user=request.user)
        for instance in instances:
            services.save_content(instance, validate=False, user=request.user)
        formset.save_m2m()

    def delete_model(self, request, obj):
        services.delete_content(obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.delete_content(obj, user=request.user)

    @staticmethod
    def history_action(request) -> str | None:
        """A save from reversion's revert or recover page is logged as that, not as a change."""
        url_name = request.resolver_match.url_name if request.resolver_match else ""
        if url_name.endswith("_revision"):
            return AuditLogEntry.Action.REVERTED
        if url_name.endswith("_recover"):
            return AuditLogEntry.Action.RECOVERED
        return None

    @contextmanager
    def create_revision(self, request):
        """reversion's one revision per admin request, except around the list's actions.

        Actions write through the services, which make one revision per object; one
        revision around a whole action would tie the objects together, so reverting one
        of them later would revert them all.
        """
        match = request.resolver_match
        if match is not None and match.url_name.endswith("_changelist"):
            yield
            return
        with super().create_revision(request):
            yield

    def history_view(self, request, object_id, extra_context=None):
        """Each version with what changed since the one before, per field and language."""
        obj = self.get_object(request, unquote(object_id))
        context = dict(extra_context or {})
        if obj is not None and self.has_view_or_change_permission(request, obj):
            opts = self.opts
            may_revert = self.has_change_permission(request, obj)
            context["history"] = [
                (
                    entry,
                    reverse(
                        f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_revision",
                        args=[quote(obj.pk), entry.version.pk],
                    )
                    if may_revert and index > 0
                    else None,
                )
                for index, entry in enumerate(revisions.history(obj))
            ]
        return super().history_view(request, object_id, context)


class PublishableAdmin(EditorialAdmin):
    """An admin for public content: the workflow's transitions as buttons and actions.

    Each calls the service in ``workflow.py``, which checks the permission and the state
    and says in words why it refuses.
    """

    actions = [
        "submit_for_review_selected",
        "publish_selected",
        "unpublish_selected",
        "send_back_selected",
    ]
    # The change form's extra buttons: each saves the form, then makes the transition.
    workflow_buttons = {
        "submit_for_review": _("Save and submit for review"),
        "publish": _("Save and publish"),
        "unpublish": _("Save and unpublish"),
        "send_back": _("Save and send back to draft"),
    }

    def has_submit_permission(self, request, obj=None):
        return permissions.can(request.user, "submit", self.model if obj is None else obj)

    def has_publish_permission(self, request, obj=None):
        return permissions.can(request.user, "publish", self.model if obj is None else obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        transitions = workflow.available_transitions(
            request.user, self.model if obj is None else obj
        )
        context["workflow_buttons"] = [
            (f"_{name}", label)
            for name, label in self.workflow_buttons.items()
            if name in transitions
        ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        opts = self.opts
        return [
            path(
                "<path:object_id>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name=f"{opts.app_label}_{opts.model_name}_publish",
            ),
            *super().get_urls(),
        ]

    def response_add(self, request, obj, post_url_continue=None):
        confirmation = self._press_workflow_button(request, obj)
        return confirmation or super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        confirmation = self._press_workflow_button(request, obj)
        return confirmation or super().response_change(request, obj)

    def _press_workflow_button(self, request, obj):
        """Make the transition of the button pressed, if any; the publish confirmation page
        when the object is not translated completely (the form is saved, not yet public)."""
        for name in self.workflow_buttons:
            if f"_{name}" not in request.POST:
                continue
            options = (
                {"comment": request.POST.get("_send_back_comment", "")}
                if name == "send_back"
                else {}
            )
            try:
                done = self._transition(request, obj, name, **options)
            except workflow.ConfirmationNeeded:
                self.message_user(
                    request,
                    _("“%(object)s” is saved, not yet published: confirm below.") % {"object": obj},
                    messages.WARNING,
                )
                return redirect(self._url(obj, "publish"))
            if done:
                self.message_user(request, self._transition_done(obj, name))
        return None

    def _url(self, obj, view: str) -> str:
        opts = self.opts
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_{view}",
            args=[quote(obj.pk)],
        )

    def publish_view(self, request, object_id):
        """What publishing ``object_id`` would put up incomplete, and "Publish anyway".

        The change form's "Save and publish" leads here when a language is missing texts.
        A POST with ``confirmed`` publishes; otherwise nothing changes.
        """
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_publish_permission(request, obj):
            raise PermissionDenied
        confirmed = request.method == "POST" and request.POST.get("confirmed") == "yes"
        if confirmed and self._transition(request, obj, "publish", confirmed=True):
            self.message_user(request, self._transition_done(obj, "publish"))
            return redirect(self._url(obj, "change"))
        return self.publish_confirmation(request, [obj], action=None)

    def publish_confirmation(self, request, objects, *, action: str | None):
        """The confirmation page for ``objects``: per language, the texts still missing.

        ``action``: the list action that asked (the page posts back to the list), or None
        for one object's page.
        """
        names = dict(settings.LANGUAGES)
        rows = [
            {
                "object": obj,
                "change_url": self._url(obj, "change"),
                "outside": workflow.items_outside_dates(obj),
                "languages": [
                    {"name": names[language], "code": language, "status": status}
                    for language, status in workflow.missing_translations(obj).items()
                ],
            }
            for obj in objects
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Publish without every translation?"),
            "opts": self.opts,
            "rows": rows,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "blocked": any(row["outside"] for row in rows),
        }
        return TemplateResponse(request, "admin/programmes/publish_confirmation.html", context)

    @staticmethod
    def _transition_done(obj, name: str) -> str:
        if name == "publish" and not obj.is_published:
            return _("“%(object)s” is scheduled: it will be public from %(date)s.") % {
                "object": obj,
                "date": date_format(localtime(obj.publish_at), "DATETIME_FORMAT"),
            }
        return {
            "submit_for_review": _("“%(object)s” is in review: a publisher can publish it."),
            "publish": _("“%(object)s” is published."),
            "unpublish": _("“%(object)s” is unpublished; editors may change it again."),
            "send_back": _("“%(object)s” is a draft again."),
        }[name] % {"object": obj}

    def _transition(self, request, obj, name: str, **options) -> bool:
        """Make the transition ``name``; say what happened, or why not.

        A publication that needs a confirmation is not refused: the caller asks for it
        (``workflow.ConfirmationNeeded`` passes through).
        """
        try:
            getattr(workflow, name)(obj, by=request.user, **options)
        except workflow.ConfirmationNeeded:
            raise
        except (PermissionDenied, workflow.TransitionError) as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return False
        return True

    def _transition_selected(self, request, queryset, name: str, done_message) -> None:
        sources = workflow.TRANSITIONS[name].sources
        done = sum(
            self._transition(request, obj, name) for obj in queryset.filter(status__in=sources)
        )
        if done:
            self.message_user(
                request,
                done_message(done) % {"count": done, "items": model_ngettext(self.opts, done)},
            )

    @admin.action(
        description=_("Submit selected %(verbose_name_plural)s for review"),
        permissions=["submit"],
    )
    def submit_for_review_selected(self, request, queryset):
        self._transition_selected(
            request,
            queryset,
            "submit_for_review",
            lambda count: ngettext(
                "Submitted %(count)d %(items)s for review.",
                "Submitted %(count)d %(items)s for review.",
                count,
            ),
        )

    @admin.action(
        description=_("Publish selected %(verbose_name_plural)s"), permissions=["publish"]
    )
    def publish_selected(self, request, queryset):
        """Publish what is complete; ask once for the rest (the confirmation page), which
        posts back here with ``confirmed``."""
        confirmed = request.POST.get("confirmed") == "yes"
        sources = workflow.TRANSITIONS["publish"].sources
        done, incomplete = 0, []
        for obj in with_parts(queryset.filter(status__in=sources)):
            try:
                done += self._transition(request, obj, "publish", confirmed=confirmed)
            except workflow.ConfirmationNeeded:
                incomplete.append(obj)
        if done:
            message = ngettext(
                "Published %(count)d %(items)s.", "Published %(count)d %(items)s.", done
            )
            self.message_user(
                request, message % {"count": done, "items": model_ngettext(self.opts, done)}
            )
        if incomplete:
            return self.publish_confirmation(request, incomplete, action="publish_selected")
        return None

    @admin.action(
        description=_("Unpublish selected %(verbose_name_plural)s"), permissions=["publish"]
    )
    def unpublish_selected(self, request, queryset):
        self._transition_selected(
            request,
            queryset,
            "unpublish",
            lambda count: ngettext(
                "Unpublished %(count)d %(items)s; editors may change it again.",
                "Unpublished %(count)d %(items)s; editors may change them again.",
                count,
            ),
        )

    @admin.action(
        description=_("Send selected %(verbose_name_plural)s back to draft"),
        permissions=["publish"],
    )
    def send_back_selected(self, request, queryset):
        self._transition_selected(
            request,
            queryset,
            "send_back",
            lambda count: ngettext(
                "Sent %(count)d %(items)s back to draft.",
                "Sent %(count)d %(items)s back to draft.",
                count,
            ),
        )
