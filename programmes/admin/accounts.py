"""Staff accounts (role and organisations), roles (groups) and the login records."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from programmes.domain.translation_status import TARGET_LANGUAGES
from programmes.models import Membership, PartnerReviewer, StaffLanguage
from twinning.admin_search import BoundedSearch


class MembershipForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("translates into"),
        choices=[(code, name) for code, name in settings.LANGUAGES if code in TARGET_LANGUAGES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("For translators: the languages whose texts they edit."),
    )

    class Meta:
        model = Membership
        fields = ["organisation", "languages"]


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    autocomplete_fields = ["organisation"]
    extra = 0


class PartnerReviewerForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("reviews in"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The languages whose texts they read and suggest changes to."),
    )

    class Meta:
        model = PartnerReviewer
        fields = ["partnership", "languages"]


class PartnerReviewerInline(admin.TabularInline):
    """The partnerships a partner reviewer reviews (with the role "Partner reviewer")."""

    model = PartnerReviewer
    form = PartnerReviewerForm
    autocomplete_fields = ["partnership"]


class StaffLanguageInline(admin.TabularInline):
    """The language the workflow's e-mails to this person are written in (the last one they
    chose for the admin)."""

    model = StaffLanguage
    fields = ["language"]
    max_num = 1
    extra = 0


User = get_user_model()
# Django's groups (the roles) and django-axes' login records: their own admins, with the
# bounded search box. Declared one by one, as every admin here is.
admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(BoundedSearch, GroupAdmin):
    pass


class LoginAttemptAdmin(BoundedSearch, AccessAttemptAdmin):
    pass


class LoginLogAdmin(BoundedSearch, AccessLogAdmin):
    pass


class LoginFailureLogAdmin(BoundedSearch, AccessFailureLogAdmin):
    pass


if admin.site.is_registered(AccessAttempt):  # AXES_ENABLE_ADMIN
    admin.site.unregister([AccessAttempt, AccessLog, AccessFailureLog])
    admin.site.register(AccessAttempt, LoginAttemptAdmin)
    admin.site.register(AccessLog, LoginLogAdmin)
    admin.site.register(AccessFailureLog, LoginFailureLogAdmin)

admin.site.unregister(User)


@admin.register(User)
class StaffAdmin(BoundedSearch, UserAdmin):
    """Django's user admin, with the organisations a staff member works for.

    The role is a group (Editor, Publisher, Translator, Site manager, Partner reviewer)
    under "Permissions"; the organisations, and a translator's languages, are below it, and
    a partner reviewer's partnerships and languages below those.
    """

    inlines = [*UserAdmin.inlines, MembershipInline, PartnerReviewerInline, StaffLanguageInline]
