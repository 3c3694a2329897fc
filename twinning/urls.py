from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from api.endpoints import api, trailing_slash_urls
from programmes.admin.site import set_language, view_on_site
from public.sitemaps import sitemap_index, sitemap_section
from public.views import bundle_schema, language_redirect

urlpatterns = [
    path("", language_redirect, name="language-redirect"),
    # Before the admin: its "View on site" redirect, scoped to what the user may see. The same
    # pattern as the admin's own, so that no spelling of an id reaches Django's unscoped view.
    path(
        "admin/r/<path:content_type_id>/<path:object_id>/",
        admin.site.admin_view(view_on_site),
        name="admin-view-on-site",
    ),
    path("admin/", admin.site.urls),
    # Before the API: its paths are all the ninja API's otherwise.
    path("api/v1/schema/bundle.json", bundle_schema, name="bundle-schema"),
    path("api/v1/", api.urls),
    # After the API: its addresses with a trailing slash, redirected to those without.
    path("api/v1/", include(trailing_slash_urls())),
    # Django's language switch (django.conf.urls.i18n, at its address), which also stores a
    # staff member's choice: the workflow's e-mails are written in it.
    path("i18n/setlang/", set_language, name="set_language"),
    path("sitemap.xml", sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemap_section, name="sitemap-section"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots-txt",
    ),
]
urlpatterns += i18n_patterns(
    path("", include("public.urls")),
    path("", include("public.registration_urls")),
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "public.views.page_not_found"
handler500 = "public.views.server_error"
