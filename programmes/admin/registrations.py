"""Registrations in the admin: each mission's settings, and the people who signed up.

Both admins are ``RoleScopedAdmin``s (``base.py``): the lists, searches,
filters, actions and addresses hold only the user's organisations' missions, and every
permission is asked per object through ``permissions.can``. Who sees what:

- **Registration settings** (opening, closing, places) and the counts: editors,
  publishers and site managers of the mission's organisation; editors only while the
  mission is not published (opening registration changes its public page).
- **Registrations** (the people): publishers and site managers only
  (``view_registration``); editors see the counts, on the settings and on the mission's
  own page (``{% registration_summary %}``).

Reading personal data is logged: opening the list, a registration, or exporting
(``services.log_access``, the audit log's "viewed" and "exported"). Registrations are not
added or deleted here: people sign up themselves, and "Erase this person" (which keeps
the count and moves the waiting list up) replaces Django's delete.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from programmes.domain import permissions
from programmes.models import AuditLogEntry
from registrations import emails, services
from registrations.models import HOLDS_PLACE, Registration, RegistrationSettings, Status

from . import registration_exports as exports
from .base import RoleScopedAdmin

Action = AuditLogEntry.Action


def mission_summary(request, mission) -> dict | None:
    """A mission's registration in counts, for its admin page (``MissionAdmin``).

    For anyone who may see the mission's registration settings (editors too); the link to
    the people only for those who may see them (publishers, site managers). None for the
    others (translators).
    """
    user = request.user
    if not permissions.can(user, "view", RegistrationSettings):
        return None
    registration_settings = services.settings_with_counts(mission.pk)
    if registration_settings is None:
        add = reverse("admin:registrations_registrationsettings_add")
        return {"registration_settings": None, "add_url": f"{add}?mission={mission.pk}"}
    people = reverse("admin:registrations_registration_changelist")
    may_see_people = permissions.can(user, "view", Registration)
    return {
        "registration_settings": registration_settings,
        "state": registration_settings.state(timezone.now()),
        "places": registration_settings.places,
        "opens": _when(registration_settings.opens_at),
        "closes": _when(registration_settings.closes_at),
        "settings_url": reverse(
            "admin:registrations_registrationsettings_change", args=[registration_settings.pk]
        ),
        "people_url": f"{people}?mission__id__exact={mission.pk}" if may_see_people else None,
    }


def _when(moment) -> str:
    """As on the public page: the language's date, the 24-hour clock."""
    local = timezone.localtime(moment)
    return f"{date_format(local, 'DATE_FORMAT')} {local:%H:%M}"


def _counted(statuses) -> Count:
    return Count("mission__registrations", filter=Q(mission__registrations__status__in=statuses))


@admin.register(RegistrationSettings)
class RegistrationSettingsAdmin(RoleScopedAdmin, admin.ModelAdmin):
    list_display = [
        "mission",
        "opens_at",
        "closes_at",
        "capacity",
        "state",
        "taken",
        "waiting",
        "unconfirmed",
    ]
    list_select_related = ["mission"]
    list_filter = ["opens_at", "closes_at"]
    search_fields = ["mission__title_nl", "mission__title_en", "mission__title_zh_hans"]
    autocomplete_fields = ["mission"]
    readonly_fields = ["counts"]
    fieldsets = [
        (
            None,
            {
                "fields": ["mission", ("opens_at", "closes_at"), "capacity"],
                "description": _(
                    "While registration is open, the mission's page shows a link to the "
                    "registration form, and how many places are left. Editors can open "
                    "registration while the mission is not published yet; after that a "
                    "publisher changes it."
                ),
            },
        ),
        (_("Registrations so far"), {"fields": ["counts"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                taken_count=_counted(HOLDS_PLACE),
                waiting_count=_counted([Status.WAITING]),
                unconfirmed_count=_counted([Status.UNCONFIRMED]),
            )
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return fieldsets if obj is not None else fieldsets[:1]

    @admin.display(description=_("state"))
    def state(self, obj):
        return RegistrationSettings.State(obj.state()).label

    @admin.display(description=_("places taken"), ordering="taken_count")
    def taken(self, obj):
        return obj.taken_count

    @admin.display(description=_("waiting list"), ordering="waiting_count")
    def waiting(self, obj):
        return obj.waiting_count

    @admin.display(description=_("unconfirmed"), ordering="unconfirmed_count")
    def unconfirmed(self, obj):
        return obj.unconfirmed_count

    def get_list_display(self, request):
        """With a link to each mission's people, for those who may see them."""
        shown = super().get_list_display(request)
        return [*shown, "people"] if permissions.can(request.user, "view", Registration) else shown

    @admin.display(description=_("registrations"))
    def people(self, obj):
        url = reverse("admin:registrations_registration_changelist")
        return format_html(
            '<a href="{}?mission__id__exact={}">{}</a>', url, obj.mission_id, _("people")
        )

    @admin.display(description=_("counts"))
    def counts(self, obj):
        now = services.places(obj.mission_id, obj.capacity)
        tallied = {tally.status: tally.count for tally in obj.mission.registration_tallies.all()}
        parts = [
            _("%(taken)s places taken") % {"taken": now.taken},
            _("%(left)s left") % {"left": now.left} if now.left is not None else _("no limit"),
            _("%(waiting)s on the waiting list") % {"waiting": now.waiting},
            _("%(unconfirmed)s not confirmed yet") % {"unconfirmed": now.unconfirmed},
        ]
        if tallied:
            erased = sum(tallied.values())
            parts.append(_("%(erased)s erased (counted only)") % {"erased": erased})
        return " · ".join(str(part) for part in parts)

    def save_model(self, request, obj, form, change):
        services.save_settings(obj, user=request.user, base=emails.base_url(request))

    def delete_model(self, request, obj):
        services.delete_settings(obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.delete_settings(obj, user=request.user)


class RegistrationExportForm(forms.Form):
    """Which columns, and which kind of file."""

    columns = forms.MultipleChoiceField(
        label=_("Columns"),
        choices=[(name, column.label) for name, column in exports.COLUMNS.items()],
        initial=[name for name, column in exports.COLUMNS.items() if column.default],
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Only what the recipient needs. Dietary requirements and visa notes are sensitive: "
            "choose them only for whoever arranges catering or visas."
        ),
    )
    file_format = forms.ChoiceField(
        label=_("File"),
        choices=[("xlsx", _("Excel (XLSX)")), ("csv", _("CSV"))],
        initial="xlsx",
        widget=forms.RadioSelect,
    )


class RegistrationAdminForm(forms.ModelForm):
    """A registration as staff correct it. Dietary requirements and visa notes need the
    person's own consent (GDPR art. 9), which only they give, on the public form or their
    manage page: staff may correct notes the person agreed to, never add them without."""

    def clean(self):
        cleaned = super().clean()
        sensitive = any(cleaned.get(name) for name in ("dietary", "visa_notes"))
        if sensitive and self.instance.sensitive_consented_at is None:
            self.add_error(
                None,
                _(
                    "Only the person can agree to the use of dietary requirements and visa "
                    "notes: ask them to fill these in through the link in their e-mail."
                ),
            )
        return cleaned


@admin.register(Registration)
class RegistrationAdmin(RoleScopedAdmin, admin.ModelAdmin):
    list_display = [
        "name",
        "organisation",
        "email",
        "mission",
        "status",
        "sector",
        "confirmed_at",
        "created_at",
    ]
    list_filter = [
        "status",
        ("mission", admin.RelatedOnlyFieldListFilter),
        ("sector", admin.RelatedOnlyFieldListFilter),
        "language",
    ]
    list_select_related = ["mission", "sector"]
    search_fields = ["name", "organisation", "email", "role"]
    ordering = ["mission", "confirmed_at", "created_at", "pk"]
    list_per_page = 100
    form = RegistrationAdminForm
    actions = ["accept_selected", "decline_selected", "export_selected"]
    change_form_template = "admin/registrations/registration/change_form.html"
    readonly_fields = [
        "mission",
        "email",
        "status",
        "language",
        "consented_at",
        "sensitive_consented_at",
        "created_at",
        "confirmed_at",
        "status_changed_at",
        "updated_at",
    ]
    fieldsets = [
        (_("Person"), {"fields": ["name", "organisation", "role", "email", "phone"]}),
        (
            _("Registration"),
            {
                "fields": ["mission", "status", "sector", "interests"],
                "description": _(
                    "Accept or decline people with the actions of the list; they are told by "
                    "e-mail. When someone with a place cancels or is declined, the first on "
                    "the waiting list moves up and is told."
                ),
            },
        ),
        (
            _("Sensitive: only for catering and travel"),
            {
                "fields": ["dietary", "visa_notes", "sensitive_consented_at"],
                "description": _(
                    "These notes may say something about health, religion or nationality. "
                    "Use them only to arrange catering and visas."
                ),
            },
        ),
        (
            _("Record"),
            {
                "fields": [
                    "language",
                    "consented_at",
                    "created_at",
                    "confirmed_at",
                    "status_changed_at",
                    "updated_at",
                ]
            },
        ),
    ]

    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/personal-data/",
                self.admin_site.admin_view(self.personal_data_view),
                name="registrations_registration_personal_data",
            ),
            path(
                "<path:object_id>/erase/",
                self.admin_site.admin_view(self.erase_view),
                name="registrations_registration_erase",
            ),
        ]
        return urls + super().get_urls()

    # Permissions: people sign up themselves, and an erasure replaces deleting.

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_export_permission(self, request, obj=None):
        return permissions.can(request.user, "export", Registration if obj is None else obj)

    def has_erase_permission(self, request, obj=None):
        return permissions.can(request.user, "delete", Registration if obj is None else obj)

    # Reading is logged.

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if request.method == "GET" and getattr(response, "context_data", None):
            changelist = response.context_data.get("cl")
            if changelist is not None:
                filters = sorted(
                    f"{name}={value}"
                    for name, value in request.GET.items()
                    if name not in ("q", "p", "o")
                )
                searched = ["search"] if request.GET.get("q") else []
                services.log_access(
                    Action.VIEWED,
                    [],
                    user=request.user,
                    message=", ".join([*filters, *searched, f"{changelist.result_count} shown"]),
                )
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if request.method == "GET" and obj is not None:
            services.log_access(Action.VIEWED, [obj], user=request.user)
        context["may_export"] = obj is not None and self.has_export_permission(request, obj)
        context["may_erase"] = obj is not None and self.has_erase_permission(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        details = {
            name: form.cleaned_data[name]
            for name in services.DETAIL_FIELDS
            if name in form.cleaned_data
        }
        # The person's consent is kept as it is (``RegistrationAdminForm``): staff give none.
        services.update_details(obj, details, sensitive_consent=False, user=request.user)

    # Accept, decline: each person is told by e-mail.

    def _each(self, request, queryset, step, done_message) -> None:
        base = emails.base_url(request)
        done = 0
        for registration in queryset.select_related("mission", "sector"):
            try:
                step(registration, user=request.user, base=base)
            except services.RegistrationError as refusal:
                self.message_user(request, str(refusal), messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done) % {"count": done})

    @admin.action(
        description=_("Accept the selected people (they are told by e-mail)"),
        permissions=["change"],
    )
    def accept_selected(self, request, queryset):
        self._each(
            request,
            queryset,
            services.accept,
            lambda n: ngettext("Accepted %(count)d person.", "Accepted %(count)d people.", n),
        )

    @admin.action(
        description=_("Decline the selected people (they are told by e-mail)"),
        permissions=["change"],
    )
    def decline_selected(self, request, queryset):
        self._each(
            request,
            queryset,
            services.decline,
            lambda n: ngettext("Declined %(count)d person.", "Declined %(count)d people.", n),
        )

    # Exports.

    @admin.action(
        description=_("Export the selected registrations (CSV or XLSX)…"), permissions=["export"]
    )
    def export_selected(self, request, queryset):
        """First the choice of columns and file (an intermediate page), then the file."""
        form = RegistrationExportForm(request.POST if "post" in request.POST else None)
        if form.is_bound and form.is_valid():
            columns = form.cleaned_data["columns"]
            registrations = list(
                queryset.select_related("mission", "sector").order_by(*self.ordering)
            )
            file_format = form.cleaned_data["file_format"]
            services.log_access(
                Action.EXPORTED,
                registrations,
                user=request.user,
                message=f"{file_format}: {', '.join(columns)}",
            )
            stamp = timezone.now().strftime("%Y%m%d-%H%M")
            respond = exports.xlsx_response if file_format == "xlsx" else exports.csv_response
            return respond(registrations, columns, f"registrations-{stamp}")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Export registrations"),
            "opts": self.opts,
            "form": form,
            "count": queryset.count(),
            "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/registrations/registration/export.html", context)

    # One person: their data as a file, and erasure.

    def _person(self, request, object_id, allowed) -> Registration:
        registration = self.get_object(request, unquote(object_id))
        if registration is None:
            raise Http404
        if not allowed(request, registration):
            raise PermissionDenied
        return registration

    def personal_data_view(self, request, object_id):
        """Everything stored about this person, as a JSON file (their right of access)."""
        registration = self._person(request, object_id, self.has_export_permission)
        services.log_access(
            Action.EXPORTED, [registration], user=request.user, message="personal data (JSON)"
        )
        return exports.person_json(registration)

    def erase_view(self, request, object_id):
        """Ask, then erase this person's registration; the count stays."""
        registration = self._person(request, object_id, self.has_erase_permission)
        if request.method == "POST":
            services.erase(registration, user=request.user, base=emails.base_url(request))
            self.message_user(request, _("The registration is erased; only its count is kept."))
            return redirect("admin:registrations_registration_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Erase this person's registration?"),
            "opts": self.opts,
            "object": registration,
            "holds_place": registration.holds_place,
        }
        return TemplateResponse(request, "admin/registrations/registration/erase.html", context)
