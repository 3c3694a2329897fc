"""Organisations, and the staff memberships that decide whose content a user edits."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .base import (
    PUBLISHABLE_PERMISSIONS,
    Publishable,
)
from .querysets import (
    OrganisationQuerySet,
)
from .regions import Region
from .richtext import RichTextField
from .search_names import SearchNamesField


class Organisation(Publishable):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        PROVINCE = "province", _("Province")
        DEVELOPMENT_AGENCY = "development_agency", _("Development agency")
        BUSINESS_SUPPORT_OFFICE = "business_support_office", _("Business support office")
        UNIVERSITY = "university", _("University")
        CONSULATE = "consulate", _("Consulate")
        COMPANY = "company", _("Company")
        MUSEUM = "museum", _("Museum")
        PORT = "port", _("Port")
        HIGH_TECH_ZONE = "high_tech_zone", _("High-tech zone")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    # Derived: the name in every language and its pinyin, for the public search.
    search_names = SearchNamesField(_("names for search"), source="name")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind)
    region = models.ForeignKey(
        Region,
        verbose_name=_("located in"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    website = models.URLField(_("website"), blank=True)
    description = RichTextField(_("description"))

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        default_permissions = PUBLISHABLE_PERMISSIONS
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("programmes:organisation", kwargs={"slug": self.slug})


class Membership(models.Model):
    """A staff member works for an organisation: they edit the content it owns.

    What they may do there is their role, a group (editor, publisher, translator or site
    manager, see ``permissions.py``). A translator edits only the texts in ``languages``.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    languages = models.JSONField(
        _("translates into"),
        default=list,
        blank=True,
        help_text=_("For translators: the languages whose texts they edit."),
    )

    class Meta:
        ordering = ["organisation", "user"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique"),
        ]

    def __str__(self):
        return f"{self.user} – {self.organisation}"

    def clean(self):
        translatable = set(settings.MODELTRANSLATION_LANGUAGES) - {
            settings.MODELTRANSLATION_DEFAULT_LANGUAGE
        }
        if not isinstance(self.languages, list) or not set(self.languages) <= translatable:
            raise ValidationError(
                {"languages": _("Choose from: %s.") % ", ".join(sorted(translatable))}
            )


class StaffLanguage(models.Model):
    """The language a staff member chose for the admin (its language switch stores it).

    The admin has no language in its address (its language is a cookie of the browser), so
    mail sent in the background (the workflow's, ``domain/notifications.py``) would not know
    it: the switch stores it here too, and those mails are written in it.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="admin_language",
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)

    class Meta:
        # Set by its owner through the language switch; on a staff member's page in the user
        # admin (the superuser's, who holds every permission): no role needs any.
        default_permissions = ()
        verbose_name = _("language of the admin")
        verbose_name_plural = _("languages of the admin")

    def __str__(self):
        return f"{self.user}: {self.language}"

    @classmethod
    def remember(cls, user, language: str) -> None:
        """Store ``language`` for ``user`` in one query, whether it is new or not."""
        if language not in dict(settings.LANGUAGES):
            return
        cls.objects.bulk_create(
            [cls(user=user, language=language)],
            update_conflicts=True,
            unique_fields=["user"],
            update_fields=["language"],
        )
