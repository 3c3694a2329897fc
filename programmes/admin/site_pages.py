"""Site pages: contact, privacy statement, accessibility statement, colophon.

Texts about the site itself rather than a partnership: site managers write them (no other
role holds a permission on them, ``permissions.py``), in the same workflow as other content.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from programmes.models import SitePage

from .base import (
    PUBLICATION_DESCRIPTION,
    RECORD_FIELDS,
    PublishableAdmin,
)


@admin.register(SitePage)
class SitePageAdmin(PublishableAdmin):
    list_display = [
        "title",
        "purpose",
        "placement",
        "order",
        "status",
        "publish_at",
        "translation_status",
        "updated_at",
    ]
    list_filter = ["status", "placement", "purpose"]
    search_fields = ["title_nl", "title_en", "title_zh_hans", "slug"]
    prepopulated_fields = {"slug": ["title_nl"]}
    readonly_fields = RECORD_FIELDS
    fieldsets = [
        (
            _("Content"),
            {
                "fields": ["title", "body"],
                "description": _(
                    "What a public body publishes about its site: how to reach it, its "
                    "privacy statement, its accessibility statement, a colophon."
                ),
            },
        ),
        (
            _("Place on the site"),
            {
                "fields": ["purpose", ("placement", "order")],
                "description": _(
                    "Every public page links to the published site pages, in the main menu or "
                    "in the footer."
                ),
            },
        ),
        (
            _("Publication"),
            {
                "fields": ["slug", ("status", "publish_at", "unpublish_at"), *RECORD_FIELDS],
                "description": PUBLICATION_DESCRIPTION,
            },
        ),
    ]
