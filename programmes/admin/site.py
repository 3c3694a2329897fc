"""The admin site's titles, its "View on site" redirect and its language switch."""

from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import check_for_language
from django.utils.translation import gettext_lazy as _
from django.views import i18n

from programmes.models import StaffLanguage

admin.site.site_header = _("Twinning CMS administration")
admin.site.site_title = _("Twinning CMS")
admin.site.index_title = _("Partnerships, missions and regions")


def view_on_site(request, content_type_id, object_id):
    """The admin's "View on site" redirect, for an object the user may see in the admin.

    Django's own (``contenttypes.views.shortcut``, at the same address) redirects any staff
    member to any object's public address, so another organisation's draft would give away
    its slug. This one asks the object's admin first: not found unless it is there.
    """
    if not (content_type_id.isascii() and content_type_id.isdigit()):
        raise Http404  # int() also reads "+6", " 6" and other scripts' digits
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    try:
        model_admin = admin.site.get_model_admin(content_type.model_class())
    except NotRegistered:
        raise Http404 from None
    obj = model_admin.get_object(request, unquote(object_id))
    if obj is None or not model_admin.has_view_or_change_permission(request, obj):
        raise Http404
    return shortcut(request, content_type.pk, obj.pk)


def set_language(request):
    """Django's ``set_language``; a staff member's choice is stored as well.

    The language is a cookie of the browser, which mail sent in the background cannot read:
    the workflow's e-mails (``programmes/domain/notifications.py``) are written in the
    language stored here (``StaffLanguage``), Dutch until a staff member chooses one.
    """
    response = i18n.set_language(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    user = request.user
    if user.is_authenticated and user.is_staff and language and check_for_language(language):
        StaffLanguage.remember(user, language)
    return response
