"""Registration on a mission's public page: ``{% registration_panel mission %}``.

Whether registration is open, how many places are left or that the waiting list is open,
with a link to the form: counts only, nothing about anyone. It costs the page one query
(the settings with the counts, ``services.settings_with_counts``), and tells the read model
that the page depends on the mission's places (``readpath.registrations.PLACES``), so the
stored page is rebuilt when they change; the page cache is emptied by the same changes
(``readpath/registrations.py``).
"""

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

from readpath import readmodel
from readpath.registrations import PLACES
from registrations import services

register = template.Library()


@register.filter
def as_time(moment) -> SafeString:
    """A moment as ``<time>``, in the site's time zone and the page's language, for a
    ``{% blocktranslate %}`` that puts it where its language wants it.

    The date as the language writes it, the time on the 24-hour clock: English's "p.m."
    would end a sentence in "p.m..", and the visitors are in Europe and China.
    """
    local = timezone.localtime(moment).replace(microsecond=0)
    shown = f"{date_format(local, 'DATE_FORMAT')} {local:%H:%M}"
    return format_html('<time datetime="{}">{}</time>', local.isoformat(), shown)


@register.inclusion_tag("registrations/includes/panel.html")
def registration_panel(mission) -> dict:
    readmodel.depends_on(PLACES, mission.pk)
    registration_settings = services.settings_with_counts(mission.pk)
    if registration_settings is None:
        return {"registration_settings": None}
    return {
        "mission": mission,
        "registration_settings": registration_settings,
        "state": registration_settings.state(timezone.now()),
        "places": registration_settings.places,
    }
