"""Partner sync: a mirror kept through ``updated_since`` and ``/deleted`` stays identical.

The mirror in these tests uses only what docs/api.md documents: the lists with their
pages, ``updated_since``, ``/deleted?since=`` and the recipe "deletions first, then
updates". Time passing (a publish or unpublish date) is Django's clock moved forward:
no write, no signal, as in production.
"""

import datetime as dt
from uuid import UUID

import pytest
from django.utils import timezone

from programmes.domain import services, sync
from programmes.models import ExportRecord, ProgrammeItem, Region, Status

from .factories import (
    FocusAreaFactory,
    MissionFactory,
    ObjectiveFactory,
    OrganisationFactory,
    OutcomeFactory,
    PartnershipFactory,
    PhotoFactory,
    ProgrammeItemFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "region": "regions",
    "organisation": "organisations",
    "partnership": "partnerships",
    "mission": "missions",
    "outcome": "outcomes",
}


class Mirror:
    """A partner site's copy of the API, by type and UUID, in every language."""

    def __init__(self, client, *, page_size: int = 2):
        self.client = client
        self.page_size = page_size  # small, so paging is exercised
        self.objects: dict[str, dict[str, dict]] = {type_: {} for type_ in ENDPOINTS}
        self.cursor: dt.datetime | None = None
        self.received = 0

    def pages(self, path: str, **params) -> list[dict]:
        """Every item of a list, page by page, until ``count`` is reached."""
        items, offset = [], 0
        while True:
            response = self.client.get(
                f"/api/v1/{path}",
                query_params={**params, "limit": self.page_size, "offset": offset},
            )
            assert response.status_code == 200, response.content
            # What a partner reads from the Date header of its first response.
            self.first_answer_at = self.first_answer_at or timezone.now()
            page = response.json()
            items += page["items"]
            offset += self.page_size
            if offset >= page["count"]:
                assert len(items) == page["count"]
                return items

    def full_sync(self) -> None:
        self.cursor = None
        self.objects = {type_: {} for type_ in ENDPOINTS}
        self.sync()

    def sync(self) -> None:
        """Deletions since the cursor first, then everything updated since it."""
        since = {"since": self.cursor.isoformat()} if self.cursor else {}
        updated_since = {"updated_since": self.cursor.isoformat()} if self.cursor else {}
        # A partner takes the Date header of its first response (minus a few minutes in
        # production, for writes still committing); the test server shares our clock.
        self.first_answer_at = None
        for tombstone in self.pages("deleted", **since):
            self.objects[tombstone["type"]].pop(tombstone["uuid"], None)
        for type_, path in ENDPOINTS.items():
            for item in self.pages(path, **updated_since):
                self.objects[type_][item["uuid"]] = item
                self.received += 1
        self.cursor = self.first_answer_at

    def uuids(self, type_: str) -> set[str]:
        return set(self.objects[type_])


def fresh(client) -> dict[str, dict[str, dict]]:
    mirror = Mirror(client, page_size=100)
    mirror.full_sync()
    return mirror.objects


class Clock:
    """The time as Django sees it (``timezone.now``), moved forward at will."""

    def __init__(self, monkeypatch):
        self.offset = dt.timedelta()
        real_now = timezone.now
        monkeypatch.setattr(timezone, "now", lambda: real_now() + self.offset)

    def advance(self, **delta) -> None:
        """Hours pass: publish and unpublish dates are reached, with no write at all."""
        self.offset += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def test_an_incremental_sync_leaves_the_mirror_identical_to_a_full_sync(client, clock):
    twente = PartnershipFactory()
    dalian = RegionFactory(slug="dalian")
    nbso = OrganisationFactory(slug="nbso")
    trip = MissionFactory(
        partnership=twente, programme_items=2, destinations=[dalian], organisers=[nbso]
    )
    trip_outcome = OutcomeFactory(mission=trip)
    PhotoFactory(mission=trip)
    stable = MissionFactory(partnership=twente)
    to_unpublish = MissionFactory(partnership=twente)
    to_delete = MissionFactory(partnership=twente)
    doomed_outcome = OutcomeFactory(mission=to_delete)
    scheduled = MissionFactory(partnership=twente, publish_at=timezone.now() + dt.timedelta(days=1))
    expiring = MissionFactory(
        partnership=twente, unpublish_at=timezone.now() + dt.timedelta(days=1)
    )
    brabant = PartnershipFactory()
    brabant_mission = MissionFactory(partnership=brabant)
    brabant_outcome = OutcomeFactory(mission=None, partnership=brabant)
    draft_partnership = PartnershipFactory(status=Status.DRAFT)
    waiting_mission = MissionFactory(partnership=draft_partnership)
    flicker = MissionFactory(partnership=twente)
    lonely = PartnershipFactory()
    area = FocusAreaFactory()
    twente.focus_areas.set([area])

    mirror = Mirror(client)
    mirror.full_sync()
    assert mirror.objects == fresh(client)
    assert str(scheduled.uuid) not in mirror.uuids("mission")
    assert str(waiting_mission.uuid) not in mirror.uuids("mission")
    total = sum(len(objects) for objects in mirror.objects.values())

    # Edits: a programme item alone, a new photo, a renamed focus area, a new objective.
    item = trip.programme_items.first()
    item.title_en = "Visit to the port of Dalian"
    item.save()
    PhotoFactory(mission=trip)
    area.name_zh_hans = "经济合作"
    area.save()
    ObjectiveFactory(partnership=brabant)
    # Unpublished, deleted (with its outcome), a whole partnership unpublished.
    services.unpublish([to_unpublish])
    services.delete_content(to_delete)
    services.unpublish([brabant])
    services.delete_content(lonely)
    # Published again: a mission unpublished and republished in between syncs, and a
    # draft partnership whose mission was waiting for it.
    services.unpublish([flicker])
    flicker.title_en = "Back again"
    services.save_content(flicker)
    services.publish([flicker])
    services.publish([draft_partnership])
    # A region the trip visits is unpublished: the trip no longer refers to it.
    services.unpublish([dalian])
    # A day passes: one mission's publish date, another's unpublish date.
    clock.advance(days=2)

    received_before = mirror.received
    mirror.sync()

    assert mirror.objects == fresh(client)
    missions = mirror.uuids("mission")
    assert {str(m.uuid) for m in (scheduled, waiting_mission, flicker, trip, stable)} <= missions
    gone = {str(m.uuid) for m in (to_unpublish, to_delete, expiring, brabant_mission)}
    assert not gone & missions
    assert not {str(o.uuid) for o in (doomed_outcome, brabant_outcome)} & mirror.uuids("outcome")
    assert str(trip_outcome.uuid) in mirror.uuids("outcome")
    assert not {str(brabant.uuid), str(lonely.uuid)} & mirror.uuids("partnership")
    assert str(dalian.uuid) not in mirror.uuids("region")
    mirrored_trip = mirror.objects["mission"][str(trip.uuid)]
    assert mirrored_trip["destinations"] == []
    assert mirrored_trip["programme_items"][0]["title"]["en"] == "Visit to the port of Dalian"
    assert len(mirrored_trip["photos"]) == 2
    assert mirror.objects["mission"][str(flicker.uuid)]["title"]["en"] == "Back again"
    # Only what changed came again, not everything.
    assert mirror.received - received_before < total / 2
    assert str(stable.uuid) in missions

    # A second round: the partnership comes back with its mission and outcome.
    services.publish([brabant])
    mirror.sync()

    assert mirror.objects == fresh(client)
    assert str(brabant_mission.uuid) in mirror.uuids("mission")
    assert str(brabant_outcome.uuid) in mirror.uuids("outcome")


def deleted(client, **params) -> list[tuple[str, UUID]]:
    response = client.get("/api/v1/deleted", query_params=params)
    assert response.status_code == 200, response.content
    return [(item["type"], UUID(item["uuid"])) for item in response.json()["items"]]


def test_a_deleted_mission_leaves_tombstones_for_itself_and_its_outcomes(client):
    mission = MissionFactory()
    outcome = OutcomeFactory(mission=mission)
    draft = OutcomeFactory(mission=mission, status=Status.DRAFT)
    client.get("/api/v1/missions")

    services.delete_content(mission)

    assert sorted(deleted(client)) == sorted([("mission", mission.uuid), ("outcome", outcome.uuid)])
    assert ("outcome", draft.uuid) not in deleted(client)


def test_a_published_object_deleted_before_any_comparison_gets_a_tombstone(client):
    region = RegionFactory()

    region.delete()

    assert deleted(client) == [("region", region.uuid)]


def test_a_draft_that_was_never_public_leaves_no_tombstone(client):
    MissionFactory(status=Status.DRAFT).delete()

    assert deleted(client) == []


def reschedule(mission) -> None:
    mission.publish_at = timezone.now() + dt.timedelta(days=1)
    services.save_content(mission)


@pytest.mark.parametrize(
    "hide",
    [
        lambda mission, clock: services.unpublish([mission]),
        lambda mission, clock: services.unpublish([mission.partnership]),
        lambda mission, clock: clock.advance(days=2),
        lambda mission, clock: reschedule(mission),
        lambda mission, clock: services.delete_content(mission),
    ],
    ids=[
        "unpublished",
        "partnership-unpublished",
        "unpublish-date-passed",
        "rescheduled",
        "deleted",
    ],
)
def test_every_way_out_of_the_public_set_is_a_deletion_for_partners(client, clock, hide):
    mission = MissionFactory(unpublish_at=timezone.now() + dt.timedelta(days=1))
    outcome = OutcomeFactory(mission=mission)
    other = MissionFactory(partnership=PartnershipFactory())
    before = timezone.now()
    assert client.get("/api/v1/missions").json()["count"] == 2

    hide(mission, clock)

    gone = set(deleted(client, since=before.isoformat()))
    assert gone - {("partnership", mission.partnership.uuid)} == {
        ("mission", mission.uuid),
        ("outcome", outcome.uuid),
    }
    missions = client.get("/api/v1/missions").json()["items"]
    assert [item["uuid"] for item in missions] == [str(other.uuid)]


def test_a_passed_publish_date_shows_up_in_updated_since(client, clock):
    mission = MissionFactory(publish_at=timezone.now() + dt.timedelta(hours=1))
    assert client.get("/api/v1/missions").json()["count"] == 0
    since = timezone.now()

    clock.advance(hours=2)
    page = client.get("/api/v1/missions", query_params={"updated_since": since.isoformat()})

    assert [item["uuid"] for item in page.json()["items"]] == [str(mission.uuid)]
    assert page.json()["items"][0]["updated_at"] > since.isoformat()


def test_a_partnership_published_on_a_date_brings_its_missions_along(client, clock):
    partnership = PartnershipFactory(publish_at=timezone.now() + dt.timedelta(hours=1))
    mission = MissionFactory(partnership=partnership)
    assert client.get("/api/v1/missions").json()["count"] == 0
    since = timezone.now()

    clock.advance(hours=2)

    assert updated(client, "missions", since) == [str(mission.uuid)]
    assert updated(client, "partnerships", since) == [str(partnership.uuid)]


def updated(client, path: str, since: dt.datetime) -> list[str]:
    response = client.get(f"/api/v1/{path}", query_params={"updated_since": since.isoformat()})
    assert response.status_code == 200, response.content
    return [item["uuid"] for item in response.json()["items"]]


@pytest.mark.parametrize(
    "change",
    [
        lambda m: ProgrammeItemFactory(mission=m),
        lambda m: m.programme_items.first().delete(),
        lambda m: ProgrammeItem.objects.filter(mission=m).first().save(),
        lambda m: PhotoFactory(mission=m),
        lambda m: OutcomeFactory(mission=m),
        lambda m: m.destinations.add(RegionFactory()),
        lambda m: m.organisers.clear(),
        lambda m: services.unpublish([m.destinations.first()]),
        lambda m: services.unpublish([m.organisers.first()]),
    ],
    ids=[
        "item-added",
        "item-deleted",
        "item-saved",
        "photo-added",
        "outcome-added",
        "destination-added",
        "organisers-cleared",
        "destination-unpublished",
        "organiser-unpublished",
    ],
)
def test_a_change_inside_a_mission_counts_as_a_change_of_the_mission(client, change):
    mission = MissionFactory(
        programme_items=1, destinations=[RegionFactory()], organisers=[OrganisationFactory()]
    )
    other = MissionFactory()
    client.get("/api/v1/missions")
    since = timezone.now()

    change(mission)

    assert updated(client, "missions", since) == [str(mission.uuid)]
    assert other.updated_at < since


def test_a_renamed_focus_area_changes_partnerships_and_outcomes(client):
    area = FocusAreaFactory()
    partnership = PartnershipFactory()
    partnership.focus_areas.set([area])
    outcome = OutcomeFactory(area=area)
    client.get("/api/v1/partnerships")
    since = timezone.now()

    area.name_en = "Trade"
    area.save()

    assert updated(client, "partnerships", since) == [str(partnership.uuid)]
    assert updated(client, "outcomes", since) == [str(outcome.uuid)]
    assert updated(client, "missions", since) == [str(outcome.mission.uuid)]


@pytest.mark.parametrize("change", ["time_zone", "parent"])
def test_a_changed_time_zone_changes_the_regions_and_missions_that_inherit_it(client, change):
    china = RegionFactory(kind=Region.Kind.COUNTRY, time_zone="Asia/Shanghai")
    liaoning = RegionFactory(kind=Region.Kind.PROVINCE, parent=china)
    dalian = RegionFactory(parent=liaoning)
    in_dalian = MissionFactory(programme_items=0)
    ProgrammeItemFactory(mission=in_dalian, city=dalian)
    to_dalian = MissionFactory(programme_items=0, destinations=[dalian])
    elsewhere = MissionFactory(programme_items=1)
    client.get("/api/v1/missions")
    since = timezone.now()

    if change == "time_zone":
        china.time_zone = "Asia/Urumqi"
        china.save()
        moved = china
    else:  # Liaoning moves to a country in another time zone
        liaoning.parent = RegionFactory(kind=Region.Kind.COUNTRY, time_zone="Asia/Tokyo")
        liaoning.save()
        moved = liaoning

    regions = {r["uuid"]: r["time_zone"] for r in get_json_items(client, "regions", since)}
    assert regions[str(dalian.uuid)] == ("Asia/Urumqi" if change == "time_zone" else "Asia/Tokyo")
    assert str(liaoning.uuid) in regions and str(moved.uuid) in regions
    assert sorted(updated(client, "missions", since)) == sorted(
        [str(in_dalian.uuid), str(to_dalian.uuid)]
    )
    assert elsewhere.updated_at < since


def get_json_items(client, path: str, since: dt.datetime) -> list[dict]:
    response = client.get(f"/api/v1/{path}", query_params={"updated_since": since.isoformat()})
    assert response.status_code == 200, response.content
    return response.json()["items"]


def test_an_outcome_moved_to_another_mission_changes_both(client):
    first = MissionFactory()
    second = MissionFactory(partnership=first.partnership)
    outcome = OutcomeFactory(mission=first)
    client.get("/api/v1/missions")
    since = timezone.now()

    outcome.mission = second
    outcome.save()

    assert sorted(updated(client, "missions", since)) == sorted([str(first.uuid), str(second.uuid)])


def test_updated_since_takes_any_iso_8601_form_never_a_unix_time(client):
    MissionFactory()

    for value in ("2026-11-20", "20261120", "2026-11-20T09:30:00+08:00", "2026-11-20T09:30Z"):
        response = client.get("/api/v1/missions", query_params={"updated_since": value})
        assert response.status_code == 200, (value, response.content)


def test_updated_since_without_a_time_zone_is_utc(client):
    MissionFactory()
    client.get("/api/v1/missions")
    now = timezone.now().astimezone(dt.UTC)

    naive_past = (now - dt.timedelta(hours=1)).replace(tzinfo=None).isoformat()
    naive_future = (now + dt.timedelta(hours=1)).replace(tzinfo=None).isoformat()

    assert client.get(f"/api/v1/missions?updated_since={naive_past}").json()["count"] == 1
    assert client.get(f"/api/v1/missions?updated_since={naive_future}").json()["count"] == 0


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01T00:00:00Z", "1700000000", ""])
def test_a_bad_updated_since_is_a_422_problem(client, value):
    response = client.get("/api/v1/missions", query_params={"updated_since": value})

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:twinning:problem:invalid-parameters"
    assert [(error["in"], error["name"], error["type"]) for error in problem["errors"]] == [
        ("query", "updated_since", "iso_8601")
    ]
    assert problem["errors"][0]["detail"] == (
        "Not an ISO 8601 date and time, such as 2026-11-20T09:30:00Z"
    )


def test_the_comparison_runs_when_a_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        region = RegionFactory()

    record = ExportRecord.objects.get(uuid=region.uuid)
    assert (record.type, record.public) == ("region", True)

    with django_capture_on_commit_callbacks(execute=True):
        services.unpublish([region])

    record.refresh_from_db()
    assert record.public is False


def test_a_comparison_costs_two_queries_per_type_and_writes_only_changes(django_assert_num_queries):
    for _ in range(3):
        MissionFactory()
    sync.reconcile()

    # for each of the five types: what entered, what left
    with django_assert_num_queries(10):
        changes = sync.reconcile()

    assert not any(changes["entered"].values()) and not any(changes["left"].values())
    for type_, model in sync.EXPORTED.items():
        public = ExportRecord.objects.filter(type=type_, public=True)
        assert set(public.values_list("uuid", flat=True)) == set(
            model.objects.published().values_list("uuid", flat=True)
        )
