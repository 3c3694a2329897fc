"""Messages of libraries whose catalogs lack our languages, so that our catalogs translate them.

``makemessages`` reads our code only; naming a library's message here puts it in ``locale/``,
which Django reads before the libraries' own catalogs. Nothing imports this module.
"""

from django.utils.translation import gettext_noop

LIBRARY_MESSAGES = (
    # Django 6.1's date hierarchy above a list (admin/date_hierarchy.html) is new and not yet
    # in its Dutch and Chinese catalogs: the Chinese admin said "Filter by 时间".
    gettext_noop("Filter by %(field_name)s"),
    # The suffix of every form label. Chinese takes the full-width colon, as Django's own
    # Chinese strings ("日期：") and ours ("背景：") do; Django's catalog keeps ":".
    gettext_noop(":"),
    # django-axes (login attempts, shown to site managers) has no Dutch or Chinese catalog.
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
)
