"""Site pages: the texts a public body must publish about its own site.

A contact page, a privacy statement, an accessibility statement (toegankelijkheidsverklaring),
a colophon: free texts that belong to the site rather than to a partnership, so no
organisation owns them and only site managers edit them (``permissions.py``). They go
through the same workflow, revisions, search and page cache as the rest of the content.

``purpose`` names the few pages other features must be able to find ("the privacy
statement", which the registration form links to); at most one page has each purpose.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .base import PUBLISHABLE_PERMISSIONS, Publishable
from .querysets import SitePageQuerySet
from .richtext import RichTextField
from .search_names import SearchNamesField


class SitePage(Publishable):
    """A free page of the site: title, body, where it is linked, and what it is for."""

    class Placement(models.TextChoices):
        FOOTER = "footer", _("Footer")
        MAIN_MENU = "main_menu", _("Main menu")

    class Purpose(models.TextChoices):
        CONTACT = "contact", _("Contact")
        PRIVACY = "privacy", _("Privacy statement")
        ACCESSIBILITY = "accessibility", _("Accessibility statement")
        COLOPHON = "colophon", _("Colophon")

    title = models.CharField(_("title"), max_length=200)
    body = RichTextField(_("body"))
    placement = models.CharField(
        _("placement"),
        max_length=20,
        choices=Placement,
        default=Placement.FOOTER,
        help_text=_("Where every page links to this one: in the footer or in the main menu."),
    )
    order = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Lower numbers come first in the footer or menu.")
    )
    purpose = models.CharField(
        _("purpose"),
        max_length=20,
        choices=Purpose,
        blank=True,
        help_text=_(
            "What the page is for, if it is one of these. The registration form links to the "
            "published privacy statement. At most one page has each purpose."
        ),
    )

    search_names = SearchNamesField(_("names for search"), source="title")

    objects = SitePageQuerySet.as_manager()

    class Meta:
        ordering = ["placement", "order", "pk"]
        default_permissions = PUBLISHABLE_PERMISSIONS
        verbose_name = _("site page")
        verbose_name_plural = _("site pages")
        constraints = [
            models.UniqueConstraint(
                fields=["purpose"],
                condition=~models.Q(purpose=""),
                name="programmes_sitepage_one_per_purpose",
                violation_error_message=_("Another page already has this purpose."),
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("programmes:page", kwargs={"slug": self.slug})
