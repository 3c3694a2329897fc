"""A mission's destinations keep the editor's order: "Shanghai, Dalian", as the source says.

The order is ``MissionDestination.position`` (migration 0015 turned Django's table into that
model). Every write path keeps it: the seed loader, the admin's inline, the bundle import,
a revert; every read path shows it: the pages, the API, the calendar. Bundles are in
``test_bundles.py``, with their fixtures.
"""

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains

from programmes.domain import services
from programmes.exchange.seed import CONTENT_DIR
from programmes.models import AuditLogEntry, Mission, MissionDestination, Region

from ..factories import MissionFactory, RegionFactory, StaffFactory
from ..html_forms import form_data

SEED_TRIP = "inspiration-trip-shanghai-dalian"
LANGUAGES = ["nl", "en", "zh-hans"]


def names(mission: Mission) -> list[str]:
    """The destinations as the pages read them (in Dutch)."""
    with translation.override("nl"):
        return [
            str(region)
            for region in Mission.objects.for_list().get(pk=mission.pk).destinations.all()
        ]


def slugs(mission: Mission) -> list[str]:
    return list(
        MissionDestination.objects.filter(mission=mission)
        .order_by("position", "pk")
        .values_list("region__slug", flat=True)
    )


def in_order(text: str, *parts: str) -> bool:
    positions = [text.index(part) for part in parts]
    return positions == sorted(positions)


# The seed's order, wherever the destinations are shown ------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_seeded_trip_lists_shanghai_before_dalian_everywhere(client, seeded, language):
    trip = Mission.objects.get(slug=SEED_TRIP)
    shanghai, dalian = Region.objects.get(slug="shanghai"), Region.objects.get(slug="dalian")
    with translation.override(language):
        detail = client.get(trip.get_absolute_url()).text
        listing = client.get(reverse("programmes:missions")).text
        home = client.get(reverse("programmes:home")).text
    shanghai_link = f'href="{_url(shanghai, language)}"'
    dalian_link = f'href="{_url(dalian, language)}"'

    # "Dalian, Shanghai" (by name) was the bug; "Shanghai, Dalian" is the source's order.
    assert in_order(detail, shanghai_link, dalian_link)
    assert in_order(listing, shanghai_link, dalian_link)
    assert in_order(home.split('id="missions-heading"')[1], shanghai_link, dalian_link)


def _url(region: Region, language: str) -> str:
    with translation.override(language):
        return region.get_absolute_url()


def test_the_api_lists_the_destinations_in_the_missions_order(client, seeded):
    trip = Mission.objects.get(slug=SEED_TRIP)

    answer = client.get(f"/api/v1/missions/{trip.uuid}").json()

    assert answer["destinations"] == [
        str(Region.objects.get(slug=slug).uuid) for slug in ("shanghai", "dalian")
    ]


def test_the_calendar_names_the_destinations_in_order(client, db):
    import datetime as dt

    import icalendar

    shanghai = RegionFactory(name_nl="Shanghai", name_en="Shanghai")
    dalian = RegionFactory(name_nl="Dalian", name_en="Dalian")
    mission = MissionFactory(start_date=dt.date(2026, 5, 12), destinations=[shanghai, dalian])

    calendar = icalendar.Calendar.from_ical(
        client.get(reverse("programmes:mission-calendar", args=[mission.slug])).content
    )

    assert calendar.walk("VEVENT")[0]["LOCATION"] == "Shanghai, Dalian"


# The seed loader ------------------------------------------------------------------------


def copy_of_the_seed(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def reorder_trip(content: Path, destinations: str) -> None:
    path = content / "000-enschede-dalian.toml"
    text = path.read_text(encoding="utf-8")
    old = 'destinations = ["shanghai", "dalian"]'
    assert old in text
    path.write_text(text.replace(old, f"destinations = {destinations}"), encoding="utf-8")


def load(content: Path) -> str:
    out = io.StringIO()
    call_command("load_seed_content", content_dir=content, verbosity=1, stdout=out)
    return out.getvalue()


def test_the_seed_loader_writes_the_data_files_order_and_nothing_when_it_is_kept(seeded, tmp_path):
    trip = Mission.objects.get(slug=SEED_TRIP)
    assert slugs(trip) == ["shanghai", "dalian"]
    content = copy_of_the_seed(tmp_path)
    logged = AuditLogEntry.objects.count()

    assert load(content).endswith("(0 created, 0 updated, 73 unchanged).\n")
    assert AuditLogEntry.objects.count() == logged

    reorder_trip(content, '["dalian", "shanghai"]')
    assert load(content).endswith("(0 created, 1 updated, 72 unchanged).\n")
    assert slugs(trip) == ["dalian", "shanghai"]
    # Both rows moved: two changes, each in the audit log with the loader's comment.
    moved = AuditLogEntry.objects.filter(content_type__model="missiondestination")
    assert moved.filter(action="changed").count() == 2


def test_the_seed_loader_refuses_a_destination_listed_twice(db, tmp_path):
    content = copy_of_the_seed(tmp_path)
    reorder_trip(content, '["shanghai", "dalian", "shanghai"]')

    with pytest.raises(CommandError) as refusal:
        load(content)

    assert str(refusal.value) == (
        f'000-enschede-dalian.toml, [[missions]] "{SEED_TRIP}": "destinations" lists '
        '"shanghai" twice.'
    )
    assert not Mission.objects.exists()


# The service every write path uses --------------------------------------------------------


def test_set_in_order_writes_only_the_rows_that_move(db):
    a, b, c = RegionFactory(slug="a"), RegionFactory(slug="b"), RegionFactory(slug="c")
    mission = MissionFactory(destinations=[a, b])

    with CaptureQueriesContext(connection) as queries:
        assert services.set_in_order(mission, "destinations", [a, b]) is False
    # The rows are read; none is written (no revision, no audit log entry, no event).
    assert [query["sql"].split()[0] for query in queries] == ["SAVEPOINT", "SELECT", "RELEASE"]

    assert services.set_in_order(mission, "destinations", [c, a]) is True
    assert slugs(mission) == ["c", "a"]
    actions = list(
        AuditLogEntry.objects.filter(content_type__model="missiondestination")
        .order_by("pk")
        .values_list("action", "object_repr")
    )
    assert actions == [("deleted", str(b)), ("created", str(c)), ("changed", str(a))]


def test_set_in_order_refuses_a_region_twice(db):
    region = RegionFactory()
    mission = MissionFactory()

    with pytest.raises(ValueError, match="once"):
        services.set_in_order(mission, "destinations", [region, region])
    assert not MissionDestination.objects.exists()


def test_a_new_order_reaches_the_cached_page_and_partners(client, db):
    shanghai = RegionFactory(name_nl="Shanghai")
    dalian = RegionFactory(name_nl="Dalian")
    mission = MissionFactory(destinations=[shanghai, dalian])
    page = client.get(mission.get_absolute_url()).text  # now in the cache and the read model
    assert in_order(page, ">Shanghai<", ">Dalian<")
    before = client.get(f"/api/v1/missions/{mission.uuid}").json()["updated_at"]

    services.set_in_order(mission, "destinations", [dalian, shanghai])

    assert in_order(client.get(mission.get_absolute_url()).text, ">Dalian<", ">Shanghai<")
    after = client.get(f"/api/v1/missions/{mission.uuid}").json()
    assert after["destinations"] == [str(dalian.uuid), str(shanghai.uuid)]
    assert after["updated_at"] > before  # partners that sync with updated_since see it


# The admin -----------------------------------------------------------------------------


def test_an_editor_orders_the_destinations_in_the_missions_form(client, db):
    shanghai = RegionFactory(slug="shanghai", name_nl="Shanghai")
    dalian = RegionFactory(slug="dalian", name_nl="Dalian")
    mission = MissionFactory(destinations=[dalian, shanghai])
    client.force_login(StaffFactory(is_superuser=True))
    url = reverse("admin:programmes_mission_change", args=[mission.pk])
    data = form_data(client.get(url).text, "mission_form")
    assert data["destination_links-0-region"] == [str(dalian.pk)]

    data["destination_links-0-position"] = ["2"]
    data["destination_links-1-position"] = ["1"]
    response = client.post(url, data)

    assert response.status_code == 302
    assert slugs(mission) == ["shanghai", "dalian"]
    assert names(mission) == ["Shanghai", "Dalian"]


def test_the_missions_form_refuses_a_destination_twice(client, db):
    shanghai = RegionFactory(slug="shanghai")
    mission = MissionFactory(destinations=[shanghai])
    client.force_login(StaffFactory(is_superuser=True))
    client.cookies["django_language"] = "en"
    url = reverse("admin:programmes_mission_change", args=[mission.pk])
    data = form_data(client.get(url).text, "mission_form")
    data["destination_links-TOTAL_FORMS"] = ["2"]
    data["destination_links-1-region"] = [str(shanghai.pk)]
    data["destination_links-1-position"] = ["1"]
    data["destination_links-1-mission"] = [str(mission.pk)]

    response = client.post(url, data)

    assert response.status_code == 200
    assertContains(response, "Destination with this Mission and Destination already exists.")
    assert slugs(mission) == ["shanghai"]


def test_reverting_a_mission_brings_back_the_order_of_its_destinations(client, db):
    shanghai = RegionFactory(slug="shanghai")
    dalian = RegionFactory(slug="dalian")
    mission = MissionFactory(destinations=[shanghai, dalian])
    manager = StaffFactory(is_superuser=True)
    services.save_content(mission, user=manager)  # the version with Shanghai first
    services.set_in_order(mission, "destinations", [dalian, shanghai], user=manager)
    services.save_content(mission, user=manager)
    client.force_login(manager)
    from reversion.models import Version

    first = Version.objects.get_for_object(mission).order_by("pk").first()
    url = reverse("admin:programmes_mission_revision", args=[mission.pk, first.pk])

    response = client.post(url, form_data(client.get(url).text, "mission_form"))

    assert response.status_code == 302
    assert slugs(mission) == ["shanghai", "dalian"]


# The migration ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_every_row_and_numbers_them_in_the_order_they_were_added():
    before = [("programmes", "0014_programme_item_end_time")]
    after = [("programmes", "0015_ordered_destinations")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        region = old.get_model("programmes", "Region")
        partnership = old.get_model("programmes", "Partnership")
        mission_model = old.get_model("programmes", "Mission")
        organisation = old.get_model("programmes", "Organisation")
        owner = organisation.objects.create(slug="owner", name="Owner", kind="municipality")
        home, shanghai, dalian = (
            region.objects.create(slug=slug, name=slug, kind="city")
            for slug in ("enschede", "shanghai", "dalian")
        )
        link = partnership.objects.create(
            slug="link",
            title="Link",
            kind="city_link",
            owner=owner,
            home_region=home,
            partner_region=dalian,
        )
        mission = mission_model.objects.create(
            slug="trip", title="Trip", kind="inspiration_trip", partnership=link
        )
        # Django's own table had no order: rows in the order they were added.
        mission.destinations.add(shanghai)
        mission.destinations.add(dalian)

        executor = MigrationExecutor(connection)
        executor.migrate(after)

        new = executor.loader.project_state(after).apps
        rows = new.get_model("programmes", "MissionDestination").objects.order_by("position")
        assert [(row.region.slug, row.position) for row in rows] == [
            ("shanghai", 0),
            ("dalian", 1),
        ]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
