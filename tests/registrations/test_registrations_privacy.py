"""Registrations are personal data: nothing of a registrant leaves through any public or
partner channel, and the purge erases them when their time is up.

One test per channel, each with registrants whose every text carries ``MARKER``: the
partner API, exchange bundles, webhooks, the Atom feeds, search, the sitemap, iCalendar,
the revisions (django-reversion), the page cache, the read model and the WSGI fast path,
the public pages, and the audit log. Then retention: ``purge_registrations``.
"""

import datetime as dt
import io
import re
import zipfile

import pytest
import reversion
from django.core.cache import cache
from django.core.management import call_command
from django.tasks import default_task_backend
from django.urls import reverse
from django.utils import timezone, translation
from reversion.models import Version

from programmes.domain import services as content_services
from programmes.exchange import bundles
from programmes.models import AuditLogEntry, ProgrammeItem, ReadModelEntry
from public.search import search
from readpath.fast_path import FastPathWSGIHandler
from registrations import services, tokens
from registrations.models import Registration, RegistrationSettings, RegistrationTally
from registrations.models import Status as RegistrationStatus
from webhooks.models import Delivery, Endpoint

from ..factories import (
    FocusAreaFactory,
    MissionFactory,
    ProgrammeItemFactory,
    RegistrationFactory,
    RegistrationSettingsFactory,
)
from ..readpath.test_fast_path import call

pytestmark = pytest.mark.django_db

MARKER = "geheimregistrant"  # lower case; in every text of every registrant
LANGUAGES = ("nl", "en", "zh-hans")
BASE = "http://testserver"


def secret_person(mission, n, status, **kwargs):
    return RegistrationFactory(
        mission=mission,
        status=status,
        name=f"Geheimregistrant {n}",
        organisation=f"Geheimregistrant BV {n}",
        role=f"geheimregistrant-directeur {n}",
        email=f"geheimregistrant{n}@example.org",
        phone="+31 6 1234 5678",
        interests=f"Geheimregistrant zoekt partners {n}",
        dietary=f"geheimregistrant dieet {n}",
        visa_notes=f"geheimregistrant visum {n}",
        **kwargs,
    )


@pytest.fixture
def registrants():
    """A published upcoming mission with a programme, whose registration is open, and a
    registrant in every status (one of them through the real form and e-mail steps)."""
    economy = FocusAreaFactory(slug="economy")
    registration_settings = RegistrationSettingsFactory(capacity=3)
    mission = registration_settings.mission
    ProgrammeItemFactory(mission=mission, date=mission.start_date)
    people = [
        secret_person(mission, n, status, sector=economy)
        for n, status in enumerate(RegistrationStatus)
    ]
    services.confirm(
        secret_person(
            mission, "c", RegistrationStatus.UNCONFIRMED, sector=economy, confirmed_at=None
        ),
        base=BASE,
    )
    return registration_settings, people


def leaks(text: str | bytes) -> bool:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return MARKER in text.lower()


def public_addresses(mission) -> list[str]:
    """Every page type that could show a mission, in every language, and the documents."""
    addresses = ["/sitemap.xml", "/robots.txt"]
    for language in LANGUAGES:
        with translation.override(language):
            addresses += [
                f"/{language}/",
                f"/{language}/missions/",
                mission.get_absolute_url(),
                mission.partnership.get_absolute_url(),
                reverse("programmes:mission-calendar", kwargs={"slug": mission.slug}),
                reverse("programmes:mission-feed"),
                reverse("programmes:outcome-feed"),
                reverse("registrations:register", kwargs={"slug": mission.slug}),
                reverse("registrations:sent", kwargs={"slug": mission.slug}),
            ]
    return addresses


# The partner API ----------------------------------------------------------------------------


def test_the_api_never_shows_a_registrant(client, registrants):
    registration_settings, _people = registrants
    mission = registration_settings.mission
    schema = client.get("/api/v1/openapi.json").json()
    assert not leaks(str(schema))
    assert not any("regist" in path for path in schema["paths"])

    answers = []
    for path in schema["paths"]:
        concrete = path.replace("{uuid}", str(mission.uuid))
        for query in ("", "?lang=zh-hans"):
            response = client.get(f"/api/v1{concrete}{query}")
            answers.append(response.content)
    assert len(answers) > 10
    assert not any(leaks(answer) for answer in answers)


# Exchange bundles ---------------------------------------------------------------------------


def test_an_exchange_bundle_holds_no_registrant(registrants, tmp_path):
    registration_settings, _people = registrants
    path = tmp_path / "bundle.zip"
    bundles.export_bundle(path, [registration_settings.mission.partnership])

    with zipfile.ZipFile(path) as archive:
        contents = b"".join(archive.read(name) for name in archive.namelist())
    assert b"missions" in contents
    assert not leaks(contents)


# Webhooks -----------------------------------------------------------------------------------


def test_webhooks_tell_partners_nothing_of_registrations(
    registrants, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://twinning.example.org"
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    Endpoint.objects.create(url="https://partner.example/hooks", all_partnerships=True)
    registration_settings, people = registrants
    mission = registration_settings.mission

    with django_capture_on_commit_callbacks(execute=True):
        new = secret_person(mission, "w", RegistrationStatus.UNCONFIRMED, confirmed_at=None)
        services.confirm(new, base=BASE)
        services.cancel(people[1], base=BASE)
        services.erase(people[2], user=None, base=BASE)
    assert not Delivery.objects.exists()  # registrations are no content event at all

    with django_capture_on_commit_callbacks(execute=True):
        mission.title_en = "Trade mission, changed"
        content_services.save_content(mission)
    payloads = list(Delivery.objects.values_list("payload", flat=True))
    assert payloads  # the mission's change is told…
    assert not any(leaks(str(payload)) for payload in payloads)  # …and nobody in it
    default_task_backend.clear()


# Feeds, sitemap, iCalendar, the public pages ----------------------------------------------


def test_feeds_sitemap_calendar_and_pages_show_no_registrant(client, registrants):
    registration_settings, _people = registrants
    mission = registration_settings.mission
    addresses = public_addresses(mission)
    sitemap = client.get("/sitemap.xml").text
    addresses += [
        re.sub(r"^https?://[^/]+", "", loc) for loc in re.findall(r"<loc>(.*?)</loc>", sitemap)
    ]

    shown = {address: client.get(address) for address in addresses}

    assert {a: r.status_code for a, r in shown.items() if r.status_code != 200} == {}
    assert [address for address, response in shown.items() if leaks(response.content)] == []
    # The mission's page says how registration stands, in numbers only: 3 places, one
    # confirmed and one accepted person.
    with translation.override("en"):
        page = client.get(mission.get_absolute_url()).text
    assert "1 place left." in page


def test_search_finds_no_registrant(registrants):
    found = {
        (language, query): search(query, language).total
        for language in LANGUAGES
        for query in ("Geheimregistrant", "geheimregistrant0@example.org", "dieet")
    }
    assert set(found.values()) == {0}


# Revisions ----------------------------------------------------------------------------------


def test_registrations_are_never_in_a_revision(registrants):
    registration_settings, _people = registrants
    mission = registration_settings.mission
    assert not reversion.is_registered(Registration)
    assert not reversion.is_registered(RegistrationSettings)

    # A mission's revision follows its programme, outcomes and photos: not its people.
    mission.title_nl = "Handelsmissie, gewijzigd"
    content_services.save_content(mission)
    content_services.delete_content(ProgrammeItem.objects.get(mission=mission))

    assert Version.objects.get_for_object(mission).exists()
    assert not any(
        leaks(data) for data in Version.objects.values_list("serialized_data", flat=True)
    )


# Caches: the page cache, the read model, the WSGI fast path ---------------------------------


def test_no_cache_holds_a_registrant(client, registrants, settings):
    """Not the pages, and not the personal pages reached from the e-mails either."""
    registration_settings, people = registrants
    mission = registration_settings.mission
    personal = []
    for person in people:
        with translation.override(person.language):
            personal.append(
                reverse(
                    "registrations:manage", kwargs={"token": tokens.make(person, tokens.MANAGE)}
                )
            )
            personal.append(
                reverse(
                    "registrations:confirm", kwargs={"token": tokens.make(person, tokens.CONFIRM)}
                )
            )
    fast = FastPathWSGIHandler()
    for address in public_addresses(mission) + personal:
        for _ in range(2):  # the second visit is the one a cache would answer
            client.get(address)
            call(fast, address)

    stored = b"".join(
        value if isinstance(value, bytes) else str(value).encode()
        for value in cache._cache.values()
    )
    assert stored  # the public pages are cached…
    assert not leaks(stored)  # …and nobody is in them
    entries = ReadModelEntry.objects.all()
    assert entries.exists()
    assert not any(leaks(bytes(entry.content)) for entry in entries)
    # The manage page was shown (with the person's data) and never stored.
    assert any(leaks(client.get(address).content) for address in personal)


# The audit log ------------------------------------------------------------------------------


def test_the_audit_log_names_registrations_by_number_only(registrants):
    _settings, people = registrants
    services.erase(people[0], user=None, base=BASE)
    services.log_access(AuditLogEntry.Action.EXPORTED, people[1:], user=None, message="xlsx")

    entries = list(AuditLogEntry.objects.values_list("object_repr", "message", "changed_fields"))
    assert len(entries) > 5
    assert not any(leaks(str(entry)) for entry in entries)


# Retention ------------------------------------------------------------------------------------


def ended_mission(days_ago: int, **kwargs):
    today = timezone.localdate()
    end = today - dt.timedelta(days=days_ago)
    return MissionFactory(start_date=end - dt.timedelta(days=3), end_date=end, **kwargs)


def test_purge_erases_registrations_months_after_the_mission_keeping_the_counts(settings):
    settings.REGISTRATION_RETENTION_MONTHS = 6
    economy, culture = FocusAreaFactory(slug="economy"), FocusAreaFactory(slug="culture")
    old = ended_mission(days_ago=190)
    recent = ended_mission(days_ago=150)
    for n, (status, sector) in enumerate(
        [
            (RegistrationStatus.ACCEPTED, economy),
            (RegistrationStatus.ACCEPTED, economy),
            (RegistrationStatus.ACCEPTED, culture),
            (RegistrationStatus.CANCELLED, economy),
            (RegistrationStatus.WAITING, None),
        ]
    ):
        secret_person(old, n, status, sector=sector)
    secret_person(recent, "r", RegistrationStatus.ACCEPTED, sector=economy)
    output = io.StringIO()

    call_command("purge_registrations", stdout=output)

    assert not Registration.objects.filter(mission=old).exists()
    assert Registration.objects.filter(mission=recent).count() == 1
    assert sorted(
        RegistrationTally.objects.filter(mission=old).values_list("status", "sector__slug", "count")
    ) == [
        ("accepted", "culture", 1),
        ("accepted", "economy", 2),
        ("cancelled", "economy", 1),
        ("waiting", None, 1),
    ]
    assert f"5 registrations of “{old}” (mission {old.pk}) erased." in output.getvalue()
    # What stays is counts and the log's numbers: nothing of anyone.
    stays = [
        *RegistrationTally.objects.values_list(),
        *AuditLogEntry.objects.values_list("object_repr", "message"),
    ]
    assert not any(leaks(str(row)) for row in stays)
    # A second run finds nothing more to do, and adds nothing to the counts.
    call_command("purge_registrations", stdout=io.StringIO())
    assert sum(RegistrationTally.objects.values_list("count", flat=True)) == 5


def test_a_mission_without_dates_is_purged_months_after_registration_closed(settings):
    settings.REGISTRATION_RETENTION_MONTHS = 1
    registration_settings = RegistrationSettingsFactory(
        mission=MissionFactory(start_date=None, end_date=None),
        opens_at=timezone.now() - dt.timedelta(days=90),
        closes_at=timezone.now() - dt.timedelta(days=40),
    )
    secret_person(registration_settings.mission, 1, RegistrationStatus.ACCEPTED)

    purged = services.purge_ended()

    assert purged == {registration_settings.mission: 1}
    assert not Registration.objects.exists()


def test_unconfirmed_sign_ups_expire(settings):
    settings.REGISTRATION_CONFIRM_HOURS = 48
    registration_settings = RegistrationSettingsFactory()
    stale = secret_person(registration_settings.mission, 1, RegistrationStatus.UNCONFIRMED)
    Registration.objects.filter(pk=stale.pk).update(
        status_changed_at=timezone.now() - dt.timedelta(hours=49)
    )
    fresh = secret_person(registration_settings.mission, 2, RegistrationStatus.UNCONFIRMED)

    assert services.expire_unconfirmed() == 1
    assert list(Registration.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not RegistrationTally.objects.exists()  # never confirmed: nothing to count


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 8, 31), 6, dt.date(2027, 2, 28)),
        (dt.date(2027, 8, 31), 6, dt.date(2028, 2, 29)),
        (dt.date(2026, 1, 15), 12, dt.date(2027, 1, 15)),
        (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),
    ],
)
def test_months_are_calendar_months(day, months, expected):
    assert services.add_months(day, months) == expected
