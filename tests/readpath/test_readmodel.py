"""The read model (readpath/readmodel.py): the same bytes, and never stale.

A page served from the read model must be the page the views render, byte for byte, in
every language; and after any write that changes what a page shows, the next request
must show the change (in the same transaction, after a rollback, when a date passes).
"""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from programmes.domain import services
from programmes.models import (
    ContentStamp,
    Mission,
    Organisation,
    Outcome,
    Partnership,
    ReadModelEntry,
    Region,
    Status,
)
from readpath import readmodel

from ..factories import (
    MissionFactory,
    OrganisationFactory,
    OutcomeFactory,
    PhotoFactory,
    ProgrammeItemFactory,
    RegionFactory,
    district_in_zoned_country,
)

LANGUAGES = ["nl", "en", "zh-hans"]
DETAIL_MODELS = {
    "missions": Mission,
    "regions": Region,
    "partnerships": Partnership,
    "organisations": Organisation,
    "outcomes": Outcome,
}


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    """The page cache would answer the second request before the read model is asked."""
    settings.PAGE_CACHE_SECONDS = 0


def page_url(obj, language: str) -> str:
    folder = {model: name for name, model in DETAIL_MODELS.items()}[type(obj)]
    return f"/{language}/{folder}/{obj.slug}/"


@pytest.fixture
def big_mission(db):
    """A mission of 40 items, timed, in districts, with outcomes, organisers and a photo."""
    mission = MissionFactory(
        programme_items=40,
        destinations=[RegionFactory(), RegionFactory()],
        organisers=[OrganisationFactory(), OrganisationFactory(status=Status.DRAFT)],
    )
    OutcomeFactory.create_batch(3, mission=mission)
    PhotoFactory(mission=mission)
    for index, item in enumerate(mission.programme_items.all()):
        if index % 3 == 0:
            item.city = district_in_zoned_country()
            item.date, item.start_time = dt.date(2025, 5, 12 + index % 2), dt.time(9, index)
            item.save()
    return mission


def test_pages_from_the_read_model_are_the_rendered_pages(client, seeded, big_mission):
    """Detail pages of each kind from the seed content, and a big mission, in three
    languages: the first request renders (the old path) and stores; the second reads the
    stored row."""
    objects = [big_mission]
    for model in DETAIL_MODELS.values():
        objects += list(model.objects.published().exclude(pk=big_mission.pk).order_by("pk")[:4])
    for obj in objects:
        for language in LANGUAGES:
            rendered = client.get(page_url(obj, language))
            assert rendered.status_code == 200
            with pytest.MonkeyPatch.context() as patch:
                # Reading the row must be all the second request does.
                patch.setattr(readmodel.Build, "store", _must_not_build)
                stored = client.get(page_url(obj, language))
            assert stored.content == rendered.content, (obj, language)
            assert stored["Content-Type"] == rendered["Content-Type"]
    assert ReadModelEntry.objects.filter(kind__startswith="page:").count() == 3 * len(objects)


@pytest.mark.parametrize("lang", ["", "nl", "en", "zh-hans"])
def test_api_answers_from_the_read_model_are_the_rendered_answers(client, big_mission, lang):
    path = f"/api/v1/missions/{big_mission.uuid}" + (f"?lang={lang}" if lang else "")
    rendered = client.get(path)
    assert rendered.status_code == 200
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(readmodel.Build, "store", _must_not_build)
        stored = client.get(path)
    assert stored.content == rendered.content
    assert stored["ETag"] == rendered["ETag"]
    assert stored["Content-Type"] == rendered["Content-Type"]


def _must_not_build(*args, **kwargs):
    raise AssertionError("The page was built again instead of read from the read model.")


def test_a_stored_page_costs_one_query(client, big_mission, django_assert_num_queries):
    client.get(page_url(big_mission, "en"))
    with django_assert_num_queries(1):
        client.get(page_url(big_mission, "en"))


def test_a_stored_api_answer_costs_one_query(client, big_mission, django_assert_num_queries):
    path = f"/api/v1/missions/{big_mission.uuid}"
    built = client.get(path)
    # The row, with the ETag and Last-Modified it was built with.
    with django_assert_num_queries(1):
        stored = client.get(path)
    with django_assert_num_queries(1):
        not_modified = client.get(path, headers={"If-None-Match": built["ETag"]})

    assert (stored["ETag"], stored["Last-Modified"]) == (built["ETag"], built["Last-Modified"])
    assert (not_modified.status_code, not_modified.content) == (304, b"")


# Never stale ------------------------------------------------------------------------------


def test_renaming_a_region_changes_the_mission_page_that_shows_it(client, big_mission):
    city = big_mission.programme_items.first().city
    assert city.name_en in client.get(page_url(big_mission, "en")).text

    city.name_en = "Renamed Town"
    city.save()

    assert "Renamed Town" in client.get(page_url(big_mission, "en")).text


def test_renaming_a_region_leaves_pages_that_do_not_show_it(client, big_mission):
    other = MissionFactory()
    client.get(page_url(other, "en"))
    city = big_mission.programme_items.first().city

    city.name_en = "Renamed Town"
    city.save()

    key = readmodel.Key("page:mission", other.slug, "en", "http://testserver")
    assert readmodel.lookup(key) is not None


def test_a_new_programme_item_appears(client, big_mission):
    client.get(page_url(big_mission, "en"))

    ProgrammeItemFactory(mission=big_mission, title_en="A brand new visit", order=99)

    assert "A brand new visit" in client.get(page_url(big_mission, "en")).text


def test_an_edit_of_one_mission_leaves_its_sibling_pages(client, big_mission):
    sibling = MissionFactory(partnership=big_mission.partnership)
    client.get(page_url(sibling, "en"))

    big_mission.title_en = "Another title"
    big_mission.save()

    key = readmodel.Key("page:mission", sibling.slug, "en", "http://testserver")
    assert readmodel.lookup(key) is not None
    # The partnership's page lists the mission: that one is stale.
    assert "Another title" in client.get(page_url(big_mission.partnership, "en")).text


def test_unpublishing_the_partnership_takes_the_mission_page_down(client, big_mission):
    assert client.get(page_url(big_mission, "en")).status_code == 200

    services.unpublish([big_mission.partnership])

    assert client.get(page_url(big_mission, "en")).status_code == 404
    api = client.get(f"/api/v1/missions/{big_mission.uuid}")
    assert api.status_code == 404


def test_publishing_a_partnership_shows_its_missions_on_the_organisers_page(client, db):
    organiser = OrganisationFactory()
    mission = MissionFactory(organisers=[organiser], partnership__status=Status.DRAFT)
    assert mission.title_en not in client.get(page_url(organiser, "en")).text

    services.publish([mission.partnership])

    assert mission.title_en in client.get(page_url(organiser, "en")).text


def test_an_organisation_link_appears_when_its_publish_date_passes(
    client, big_mission, monkeypatch
):
    soon = timezone.now() + dt.timedelta(hours=1)
    organiser = OrganisationFactory(publish_at=soon, name_en="Future Office")
    big_mission.organisers.add(organiser)
    link = f'<a href="/en/organisations/{organiser.slug}/">Future Office</a>'
    page = client.get(page_url(big_mission, "en")).text
    assert "Future Office" in page
    assert link not in page
    assert readmodel.lookup(
        readmodel.Key("page:mission", big_mission.slug, "en", "http://testserver")
    )

    later = soon + dt.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert link in client.get(page_url(big_mission, "en")).text


def test_a_rolled_back_write_leaves_the_read_model_correct(client, big_mission):
    city = big_mission.programme_items.first().city
    original = city.name_en
    client.get(page_url(big_mission, "en"))

    with pytest.raises(RuntimeError), transaction.atomic():
        city.name_en = "Never Committed"
        city.save()
        # Inside the transaction the page shows the write, and is rebuilt from it.
        assert "Never Committed" in client.get(page_url(big_mission, "en")).text
        raise RuntimeError("roll back")

    page = client.get(page_url(big_mission, "en")).text
    assert "Never Committed" not in page
    assert original in page


def test_an_entry_built_before_a_write_committed_is_stale(
    big_mission, django_capture_on_commit_callbacks
):
    """Another process read the old state, then the write committed, then it stored."""
    key = readmodel.Key("page:mission", big_mission.slug, "en", "http://testserver")
    build = readmodel.Build()
    with build:
        Mission.objects.get(pk=big_mission.pk)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        big_mission.title_en = "Changed meanwhile"
        big_mission.save()
    assert callbacks  # the stamp is written again once the write commits
    build.store(key, b"old page", "text/html")

    assert readmodel.lookup(key) is None


def test_stamps_after_commit_are_later_than_the_write(
    big_mission, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        big_mission.save()
    during = ContentStamp.objects.get(model="programmes.mission", object_id=big_mission.pk)
    for callback in callbacks:
        callback()
    after = ContentStamp.objects.get(model="programmes.mission", object_id=big_mission.pk)
    assert after.changed_at > during.changed_at


def test_staff_never_read_or_fill_the_read_model(client, big_mission):
    from ..factories import StaffFactory

    client.force_login(StaffFactory(is_superuser=True))
    big_mission.status = Status.DRAFT
    big_mission.save()

    response = client.get(page_url(big_mission, "en"))

    assert response.status_code == 200
    assert "Draft — not public." in response.text
    assert not ReadModelEntry.objects.filter(kind="page:mission").exists()


def test_a_list_fetched_apart_depends_on_what_points_at_its_places(big_mission):
    """A region's page lists the missions to it and to the places within it in a query of
    its own: a new destination there stamps ``(region+, pk)``, which the page must depend on
    whether or not anything was prefetched on the region."""
    region = Region.objects.get(pk=big_mission.destinations.first().pk)  # nothing prefetched

    with readmodel.Build() as build:
        readmodel.depends_on_reverse_relations([region])

    assert ("programmes.region+", region.pk) in build.dependencies()


def test_a_query_string_is_rendered_not_stored(client, big_mission):
    client.get(page_url(big_mission, "en") + "?utm_source=feed")

    assert not ReadModelEntry.objects.exists()


def test_moving_outcomes_with_their_mission_makes_their_pages_stale(client, big_mission):
    outcome = big_mission.outcomes.first()
    client.get(page_url(outcome, "en"))
    other = Partnership.objects.exclude(pk=big_mission.partnership_id).first() or (
        MissionFactory().partnership
    )
    big_mission.partnership = other
    big_mission.save()

    services.align_outcomes_with_mission(big_mission)

    assert other.title_en in client.get(page_url(outcome, "en")).text


def test_a_date_set_in_another_process_is_kept(client, big_mission, monkeypatch):
    """This process's page-cache generation (memory) may not know a date set elsewhere."""
    from readpath import caching

    soon = timezone.now() + dt.timedelta(hours=1)
    organiser = OrganisationFactory(publish_at=soon, name_en="Future Office")
    big_mission.organisers.add(organiser)
    caching._store_generation(caching.Generation("elsewhere", timezone.now().timestamp(), None))
    client.get(page_url(big_mission, "en"))

    later = soon + dt.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    link = f'<a href="/en/organisations/{organiser.slug}/">Future Office</a>'
    assert link in client.get(page_url(big_mission, "en")).text
