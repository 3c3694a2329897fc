"""Registration for missions, as a visitor meets it: the form, the e-mails, the links.

Double opt-in, the waiting list, no enumeration, rate limits and the honeypot; the mission
page's panel, kept exact through the page cache and the read model; and none of the
registration pages ever stored by a cache. The staff's side is in
``test_registrations_admin.py``, privacy per channel in ``test_registrations_privacy.py``.
"""

import datetime as dt
import re
import time

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django.asserts import assertContains, assertNotContains

from programmes.models import AuditLogEntry, Status
from readpath import caching
from readpath.caching import PAGE_KEY_PREFIX
from readpath.fast_path import COPY_KEY_PREFIX, FastPathWSGIHandler
from registrations import services, tokens
from registrations.models import Registration
from registrations.models import Status as RegistrationStatus

from ..factories import (
    FocusAreaFactory,
    MissionFactory,
    RegistrationFactory,
    RegistrationSettingsFactory,
)
from ..html_forms import form_data
from ..readpath.test_fast_path import call

pytestmark = pytest.mark.django_db


@pytest.fixture
def economy():
    return FocusAreaFactory(
        slug="economy", name_nl="Economie", name_en="Economy", name_zh_hans="经济"
    )


@pytest.fixture
def opened(economy):
    """An upcoming published mission whose registration is open, with 2 places."""
    return RegistrationSettingsFactory(capacity=2)


def register_url(mission, language="nl") -> str:
    with translation.override(language):
        return reverse("registrations:register", kwargs={"slug": mission.slug})


def mission_url(mission, language="nl") -> str:
    with translation.override(language):
        return mission.get_absolute_url()


def details(economy, **overrides) -> dict:
    return {
        "name": "Li Wei",
        "organisation": "大连港集团",
        "role": "经理",
        "email": "li.wei@example.cn",
        "phone": "+86 411 1234 5678",
        "sector": str(economy.pk),
        "interests": "荷兰的物流合作伙伴",
        "dietary": "",
        "visa_notes": "",
        "consent": "on",
        "website": "",
        **overrides,
    }


def links(message) -> list[str]:
    """The addresses in an e-mail, in order; the last is the mission's (the signature)."""
    return re.findall(r"https?://\S+", message.body)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def sign_up(client, mission, economy, language="nl", **overrides):
    return client.post(register_url(mission, language), details(economy, **overrides))


def confirm_by_mail(client, message):
    """Follow the link in a confirmation e-mail and press the button: the manage page."""
    url = links(message)[0]
    assert client.get(path_of(url)).status_code == 200
    return client.post(path_of(url), follow=True)


# The form ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "nl",
            ["Inschrijven voor de missie", "Privacyverklaring", "E-mailadres", "(niet verplicht)"],
        ),
        ("en", ["Register for the mission", "Privacy notice", "E-mail address", "(optional)"]),
        ("zh-hans", ["报名参加交流访问", "隐私声明", "电子邮箱", "（选填）"]),
    ],
)
def test_the_form_is_in_the_pages_language(client, opened, language, texts):
    response = client.get(register_url(opened.mission, language))

    assert response.status_code == 200
    for text in texts:
        assertContains(response, text)
    # The organisation that keeps the data is named in the privacy notice.
    with translation.override(language):
        assertContains(response, opened.mission.partnership.owner.name)
    # Browsers may fill these in (WCAG 1.3.5).
    for purpose in ("name", "organization", "organization-title", "email", "tel"):
        assertContains(response, f'autocomplete="{purpose}"')


def test_the_form_is_never_cached_anywhere(client, opened, django_assert_num_queries):
    """Not by the page cache, not by the fast path, not by a browser or proxy."""
    url = register_url(opened.mission)
    # The mission with its settings, the places, the focus areas, the navigation every page
    # shows (site pages, publishers); the session for CSRF is a cookie, nothing is written.
    with django_assert_num_queries(5):
        first = client.get(url)
    with django_assert_num_queries(5):
        second = client.get(url)

    for response in (first, second):
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]
        assertContains(response, 'name="csrfmiddlewaretoken"')
    # The WSGI fast path keeps no copy of it either: each request goes the full way.
    fast = FastPathWSGIHandler()
    assert [call(fast, url)[0] for _ in range(2)] == ["200 OK", "200 OK"]
    stored = [key for key in cache._cache if PAGE_KEY_PREFIX in key or COPY_KEY_PREFIX in key]
    assert stored == []


def test_no_form_before_registration_opens_or_after_it_closes(client, opened, economy):
    opened.opens_at = timezone.now() + dt.timedelta(days=2)
    opened.closes_at = timezone.now() + dt.timedelta(days=10)
    opened.save()
    response = client.get(register_url(opened.mission, "en"))
    assertContains(response, "Registration opens on")
    assertNotContains(response, '<form class="registration-form"')

    opened.opens_at = timezone.now() - dt.timedelta(days=10)
    opened.closes_at = timezone.now() - dt.timedelta(days=1)
    opened.save()
    response = sign_up(client, opened.mission, economy, "en")
    assertContains(response, "Registration for this mission is closed.")
    assert not Registration.objects.exists()
    assert mail.outbox == []


def test_a_mission_without_registration_or_not_published_has_no_form(client, economy):
    assert client.get(register_url(MissionFactory())).status_code == 404
    draft = RegistrationSettingsFactory(mission__status=Status.DRAFT)
    assert client.get(register_url(draft.mission)).status_code == 404


def test_missing_and_wrong_fields_are_said_in_the_pages_language(client, opened, economy):
    response = sign_up(
        client, opened.mission, economy, "zh-hans", name="", email="not-an-address", consent=""
    )

    assert response.status_code == 200
    assertContains(response, "出现了问题")  # the error summary
    assertContains(response, '<a href="#id_name">')
    assertContains(response, 'aria-invalid="true"', count=3)
    assert "<title>错误" in response.text
    # What was typed is kept.
    assertContains(response, "大连港集团")
    assert not Registration.objects.exists()


def test_too_long_a_text_is_said_with_the_fields_name_and_kept(client, opened, economy):
    response = sign_up(client, opened.mission, economy, "en", name="王" * 201)
    # Named, in the summary and at the field (Django's "Ensure this value…" named neither).
    assertContains(response, "Name: at most 200 characters (this has 201).", count=2)
    assertContains(response, "王" * 201)
    assert not Registration.objects.exists()


def test_sensitive_notes_need_their_own_consent(client, opened, economy):
    response = sign_up(client, opened.mission, economy, "en", dietary="halal")
    assertContains(response, "tick this box to agree to their use")
    assert not Registration.objects.exists()

    sign_up(client, opened.mission, economy, "en", dietary="halal", sensitive_consent="on")
    registration = Registration.objects.get()
    assert registration.dietary == "halal"
    assert registration.sensitive_consented_at is not None


# Double opt-in -----------------------------------------------------------------------------


def test_signing_up_sends_a_link_to_confirm_in_the_visitors_language(client, opened, economy):
    response = sign_up(client, opened.mission, economy, "zh-hans")

    assert response.status_code == 302
    assert response["Location"] == reverse_sent(opened.mission, "zh-hans")
    registration = Registration.objects.get()
    assert (registration.status, registration.language) == (
        RegistrationStatus.UNCONFIRMED,
        "zh-hans",
    )
    [message] = mail.outbox
    assert message.to == ["li.wei@example.cn"]
    assert message.subject == f"请确认报名：{opened.mission.title_zh_hans}"
    # Not the typed name: whoever fills in the form chooses it, and the address is not
    # confirmed yet (the form would otherwise send any text to any address).
    assert message.body.startswith("您好：")
    assert "Li Wei" not in message.body
    url = links(message)[0]
    assert url.startswith("http://testserver/zh-hans/registration/confirm/")
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    # An unconfirmed sign-up takes no place.
    assert services.places(opened.mission_id, 2).taken == 0


def reverse_sent(mission, language):
    with translation.override(language):
        return reverse("registrations:sent", kwargs={"slug": mission.slug})


def test_opening_the_link_confirms_nothing_until_the_button_is_pressed(client, opened, economy):
    """Mail programs open links to check them: a GET must not confirm."""
    sign_up(client, opened.mission, economy)
    url = links(mail.outbox[0])[0]

    page = client.get(path_of(url))
    assertContains(page, "Bevestig mijn inschrijving")
    assert Registration.objects.get().status == RegistrationStatus.UNCONFIRMED

    manage = client.post(path_of(url), follow=True)
    registration = Registration.objects.get()
    assert registration.status == RegistrationStatus.CONFIRMED
    assertContains(manage, "U hebt een plaats.")
    # The confirmation e-mail carries the link to the registration.
    confirmed = mail.outbox[-1]
    assert confirmed.subject.startswith("Inschrijving bevestigd")
    manage_url = links(confirmed)[0]
    assert path_of(manage_url) == manage.redirect_chain[-1][0]


def test_a_confirmation_link_works_once(client, opened, economy):
    sign_up(client, opened.mission, economy)
    url = links(mail.outbox[0])[0]
    client.post(path_of(url))

    again = client.get(path_of(url))
    assert again.status_code == 404
    assertContains(again, "Deze link werkt niet (meer)", status_code=404)


def test_a_confirmation_link_expires(client, opened, economy, settings):
    sign_up(client, opened.mission, economy)
    url = links(mail.outbox[0])[0]
    settings.REGISTRATION_CONFIRM_HOURS = 0  # every link is older than that

    response = client.post(path_of(url))

    assert response.status_code == 404
    assert Registration.objects.get().status == RegistrationStatus.UNCONFIRMED


def test_a_tampered_or_cross_purpose_token_finds_nothing(client, opened):
    registration = RegistrationFactory(mission=opened.mission)
    manage_token = tokens.make(registration, tokens.MANAGE)

    with translation.override("nl"):
        as_confirm = reverse("registrations:confirm", kwargs={"token": manage_token})
        tampered = reverse("registrations:manage", kwargs={"token": manage_token[:-2] + "xx"})
    assert client.get(as_confirm).status_code == 404
    assert client.get(tampered).status_code == 404
    # A token made before the key changed (an erasure, a confirmation) is dead too.
    registration.token_key = "0" * 32
    registration.save()
    with translation.override("nl"):
        old = reverse("registrations:manage", kwargs={"token": manage_token})
    assert client.get(old).status_code == 404


# The waiting list ---------------------------------------------------------------------------


def test_when_full_a_confirmation_joins_the_waiting_list(client, opened, economy):
    RegistrationFactory.create_batch(2, mission=opened.mission)  # both places
    sign_up(client, opened.mission, economy, "en")

    manage = confirm_by_mail(client, mail.outbox[0])

    registration = Registration.objects.get(email="li.wei@example.cn")
    assert registration.status == RegistrationStatus.WAITING
    assertContains(manage, "You are number 1 on the waiting list.")
    assert mail.outbox[-1].subject.startswith("On the waiting list")
    assert "number 1 on the waiting list" in mail.outbox[-1].body


def test_cancelling_moves_the_first_on_the_waiting_list_up_and_tells_them(client, opened):
    first, second = RegistrationFactory.create_batch(2, mission=opened.mission)
    earlier = timezone.now() - dt.timedelta(hours=2)
    waiting_first = RegistrationFactory(
        mission=opened.mission,
        status=RegistrationStatus.WAITING,
        confirmed_at=earlier,
        language="zh-hans",
    )
    waiting_later = RegistrationFactory(mission=opened.mission, status=RegistrationStatus.WAITING)

    with translation.override("en"):
        cancel = reverse(
            "registrations:cancel", kwargs={"token": tokens.make(second, tokens.MANAGE)}
        )
    assertContains(client.get(cancel), "Your place goes to the first person on the waiting list.")
    response = client.post(cancel, follow=True)

    assertContains(response, "You have cancelled this registration.")
    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert statuses == {
        first.pk: RegistrationStatus.CONFIRMED,
        second.pk: RegistrationStatus.CANCELLED,
        waiting_first.pk: RegistrationStatus.CONFIRMED,
        waiting_later.pk: RegistrationStatus.WAITING,
    }
    cancelled, moved_up = mail.outbox
    assert cancelled.to == [second.email]
    assert moved_up.to == [waiting_first.email]
    assert moved_up.subject == f"您有名额了：{opened.mission.title_zh_hans}"
    assert services.waiting_position(Registration.objects.get(pk=waiting_later.pk)) == 1


def test_two_confirmations_for_the_last_place_cannot_both_take_it(opened):
    """The second finds the place taken under the lock (services._lock)."""
    RegistrationFactory(mission=opened.mission)
    one, two = (
        RegistrationFactory(
            mission=opened.mission, status=RegistrationStatus.UNCONFIRMED, confirmed_at=None
        )
        for _ in range(2)
    )
    services.confirm(one, base="https://example.org")
    services.confirm(two, base="https://example.org")

    assert Registration.objects.get(pk=one.pk).status == RegistrationStatus.CONFIRMED
    assert Registration.objects.get(pk=two.pk).status == RegistrationStatus.WAITING


# No enumeration, rate limits, honeypot -----------------------------------------------------


def test_a_known_address_gets_the_same_answer_and_a_link_to_its_registration(
    client, opened, economy
):
    sign_up(client, opened.mission, economy, "en")
    confirm_by_mail(client, mail.outbox[0])
    new_page = client.get(reverse_sent(opened.mission, "en"))
    mail.outbox.clear()

    again = sign_up(
        client, opened.mission, economy, "en", email="LI.WEI@example.cn", name="Someone else"
    )

    assert again.status_code == 302
    assert again["Location"] == reverse_sent(opened.mission, "en")
    assert client.get(again["Location"]).content == new_page.content
    registration = Registration.objects.get()
    assert (registration.name, registration.status) == ("Li Wei", RegistrationStatus.CONFIRMED)
    [reminder] = mail.outbox
    assert reminder.to == ["li.wei@example.cn"]  # the address that is registered
    assert "You are registered already, so nothing has changed." in reminder.body
    assert "/en/registration/" in links(reminder)[0]


def test_signing_up_again_while_unconfirmed_or_after_cancelling_starts_afresh(
    client, opened, economy
):
    sign_up(client, opened.mission, economy, name="Eerste")
    sign_up(client, opened.mission, economy, name="Tweede")
    registration = Registration.objects.get()
    assert (registration.name, registration.status) == ("Tweede", RegistrationStatus.UNCONFIRMED)
    first_link, second_link = (links(message)[0] for message in mail.outbox)
    assert client.get(path_of(first_link)).status_code == 404  # the older link is dead
    assert client.get(path_of(second_link)).status_code == 200

    services.confirm(registration, base="http://testserver")
    services.cancel(Registration.objects.get(), base="http://testserver")
    mail.outbox.clear()
    sign_up(client, opened.mission, economy, name="Derde")
    registration = Registration.objects.get()
    assert (registration.name, registration.status) == ("Derde", RegistrationStatus.UNCONFIRMED)
    assert mail.outbox[0].subject.startswith("Bevestig uw inschrijving")


def test_an_address_gets_at_most_three_mails_an_hour_and_is_told_nothing(client, opened, economy):
    for _ in range(5):
        response = sign_up(client, opened.mission, economy)
        assert response.status_code == 302  # the same answer each time

    assert len(mail.outbox) == 3


def test_a_client_is_limited_and_told_so(client, opened, economy, settings):
    settings.REGISTRATION_RATE_PER_CLIENT = "2/hour"
    for number in range(2):
        assert (
            sign_up(client, opened.mission, economy, email=f"p{number}@example.org").status_code
            == 302
        )

    refused = sign_up(client, opened.mission, economy, "en", email="p3@example.org")

    assert refused.status_code == 429
    assertContains(refused, "Too many sign-ups came from your network", status_code=429)
    assertContains(refused, "p3@example.org", status_code=429)  # nothing typed is lost
    assert Registration.objects.count() == 2
    # Without the proxy a client's own X-Forwarded-For is not believed; another client is
    # not held up.
    claimed = client.post(
        register_url(opened.mission),
        details(economy, email="p4@example.org"),
        headers={"X-Forwarded-For": "192.0.2.8"},
    )
    assert claimed.status_code == 429
    other = client.post(
        register_url(opened.mission),
        details(economy, email="p5@example.org"),
        REMOTE_ADDR="192.0.2.9",
    )
    assert other.status_code == 302


def test_the_honeypot_looks_like_success_and_does_nothing(client, opened, economy):
    response = sign_up(client, opened.mission, economy, website="https://spam.example")

    assert response.status_code == 302
    assert response["Location"] == reverse_sent(opened.mission, "nl")
    assert not Registration.objects.exists()
    assert mail.outbox == []


def test_the_honeypot_is_hidden_from_people(client, opened):
    response = client.get(register_url(opened.mission))
    assertContains(response, '<div class="honeypot" aria-hidden="true">')
    assertContains(response, 'name="website"')
    assertContains(response, 'tabindex="-1"')


# Seeing and changing one's registration ----------------------------------------------------


def test_the_manage_page_shows_and_changes_the_registration(
    client, opened, economy, django_assert_num_queries
):
    registration = RegistrationFactory(mission=opened.mission, language="en")
    with translation.override("en"):
        url = reverse(
            "registrations:manage", kwargs={"token": tokens.make(registration, tokens.MANAGE)}
        )

    # The registration with its mission and sector, the focus areas, the navigation (site
    # pages, publishers); no write.
    with django_assert_num_queries(4):
        page = client.get(url)
    assertContains(page, "You have a place.")
    assertContains(page, registration.email)
    assert page["X-Robots-Tag"] == "noindex"
    assert page["Referrer-Policy"] == "same-origin"  # the token goes to no other site
    assert "no-store" in page["Cache-Control"]

    data = form_data(page.text, form_id="registration-form")
    data["organisation"] = ["Nieuw Bedrijf BV"]
    saved = client.post(url, data, follow=True)

    assertContains(saved, "Your changes are saved.")
    assert Registration.objects.get().organisation == "Nieuw Bedrijf BV"
    entry = AuditLogEntry.objects.filter(action="changed").latest("pk")
    assert (entry.object_repr, entry.changed_fields, entry.username) == (
        f"inschrijving {registration.pk}",
        ["organisation"],
        "",
    )


def test_a_cancelled_registration_can_no_longer_be_changed(client, opened):
    registration = RegistrationFactory(mission=opened.mission, status=RegistrationStatus.CANCELLED)
    with translation.override("nl"):
        token = tokens.make(registration, tokens.MANAGE)
        url = reverse("registrations:manage", kwargs={"token": token})
        cancel = reverse("registrations:cancel", kwargs={"token": token})

    page = client.get(url)
    assertContains(page, "U hebt deze inschrijving geannuleerd.")
    assertNotContains(page, 'id="registration-form"')
    assert client.post(url, {"name": "X"}).status_code == 404
    assert client.post(cancel).status_code == 404


# The mission page --------------------------------------------------------------------------


def panel_of(response) -> str:
    match = re.search(
        r'<section class="section registration-panel".*?</section>', response.text, re.S
    )
    return " ".join(match.group(0).split()) if match else ""


@pytest.mark.parametrize(
    ("language", "left", "full"),
    [
        ("nl", "Nog 1 plaats vrij.", "Vol – schrijf u in voor de wachtlijst."),
        ("en", "1 place left.", "Full – join the waiting list."),
        ("zh-hans", "还剩 1 个名额。", "名额已满，可登记候补。"),
    ],
)
def test_the_mission_page_says_how_many_places_are_left_and_never_who(
    client, opened, language, left, full
):
    taken = RegistrationFactory(mission=opened.mission, name="Zichtbaar Niet")
    url = mission_url(opened.mission, language)

    panel = panel_of(client.get(url))
    assert left in panel
    assert register_url(opened.mission, language) in panel
    assert "Zichtbaar Niet" not in client.get(url).text

    services.confirm(
        RegistrationFactory(
            mission=opened.mission, status=RegistrationStatus.UNCONFIRMED, confirmed_at=None
        ),
        base="http://testserver",
    )
    assert full in panel_of(client.get(url))
    assert taken.email not in client.get(url).text


def test_the_panel_is_never_stale_in_the_page_cache_or_the_read_model(
    client, opened, economy, settings
):
    """A confirmation and a cancellation change the page at once; a sign-up does not."""
    url = mission_url(opened.mission, "en")
    assert "2 places left." in panel_of(client.get(url))
    generation = caching.current_generation()

    # A sign-up through the public form changes no count, and so not the cache: the form,
    # which anyone can post, cannot be used to empty it.
    sign_up(client, opened.mission, economy, "en")
    assert caching.current_generation() == generation
    assert "2 places left." in panel_of(client.get(url))

    confirm_by_mail(client, mail.outbox[0])
    assert caching.current_generation() != generation
    assert "1 place left." in panel_of(client.get(url))
    # And from the read model alone (no page cache): rebuilt as well.
    settings.PAGE_CACHE_SECONDS = 0
    services.cancel(Registration.objects.get(), base="http://testserver")
    assert "2 places left." in panel_of(client.get(url))


def test_the_panel_follows_the_settings_and_the_clock(client, opened):
    url = mission_url(opened.mission, "en")
    opened.opens_at = timezone.now() + dt.timedelta(seconds=1)
    opened.closes_at = timezone.now() + dt.timedelta(days=1)
    opened.save()
    assert "Registration opens on" in panel_of(client.get(url))

    # When the moment comes, the cached page and the read model's entry end by themselves,
    # as at a scheduled publish date: no write is needed.
    time.sleep(max((opened.opens_at - timezone.now()).total_seconds(), 0) + 0.05)
    assert "2 places left." in panel_of(client.get(url))

    opened.capacity = None
    opened.save()
    assert "Registration is open." in panel_of(client.get(url))

    opened.delete()
    assert panel_of(client.get(url)) == ""


def test_a_mission_without_registration_shows_no_panel(client):
    assert panel_of(client.get(mission_url(MissionFactory()))) == ""
