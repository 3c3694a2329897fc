"""Constraints and the one rule for what is public."""

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from programmes.domain.services import publish, save_content, unpublish
from programmes.models import (
    AuditLogEntry,
    KeyFigure,
    Mission,
    Outcome,
    Partnership,
    ProgrammeItem,
    Region,
    Status,
    Suggestion,
)
from programmes.models.querysets import REGION_ANCESTORS

from ..factories import (
    KeyFigureFactory,
    MissionFactory,
    ObjectiveFactory,
    OrganisationFactory,
    OutcomeFactory,
    PartnershipFactory,
    ProgrammeItemFactory,
    RegionFactory,
    SitePageFactory,
    district_in_zoned_country,
)

pytestmark = pytest.mark.django_db


def test_mission_end_date_cannot_precede_start_date():
    mission = MissionFactory(start_date=dt.date(2012, 5, 10))
    mission.end_date = dt.date(2012, 5, 1)
    with pytest.raises(ValidationError) as excinfo:
        mission.full_clean()
    assert "end_date" in excinfo.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Mission.objects.filter(pk=mission.pk).update(end_date=dt.date(2012, 5, 1))


def test_unknown_mission_dates_are_allowed():
    mission = MissionFactory(start_date=None, end_date=None)
    mission.full_clean()


def test_slugs_are_unique():
    RegionFactory(slug="zhejiang")
    with pytest.raises(IntegrityError), transaction.atomic():
        RegionFactory(slug="zhejiang")


def test_partnership_needs_two_different_regions():
    region = RegionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnershipFactory(home_region=region, partner_region=region)


def test_key_figure_range_must_be_ordered():
    with pytest.raises(IntegrityError), transaction.atomic():
        KeyFigureFactory(value=6_000_000, value_max=5_000_000)


def test_region_cannot_be_its_own_ancestor():
    province = RegionFactory()
    city = RegionFactory(parent=province)
    province.parent = city
    with pytest.raises(ValidationError):
        province.full_clean()


def test_a_time_zone_must_be_a_known_iana_name():
    RegionFactory.build(slug="dalian", time_zone="Asia/Shanghai").full_clean()
    with pytest.raises(ValidationError) as excinfo:
        RegionFactory.build(slug="dalian", time_zone="China/Dalian").full_clean()
    with translation.override("en"):  # the message is translated when it is read
        assert excinfo.value.message_dict == {
            "time_zone": [
                "“China/Dalian” is not a known time zone. Use an IANA name such as Asia/Shanghai."
            ]
        }


def test_a_region_inherits_the_time_zone_of_the_nearest_region_it_lies_in(
    django_assert_num_queries,
):
    district = district_in_zoned_country("Asia/Shanghai")
    city = district.parent
    Region.objects.filter(pk=city.pk).update(time_zone="Asia/Urumqi")

    with django_assert_num_queries(1):
        fetched = Region.objects.select_related(REGION_ANCESTORS).get(pk=district.pk)
        assert fetched.effective_time_zone() == "Asia/Urumqi"  # the city's, not the country's
        assert fetched.parent.parent.effective_time_zone() == "Asia/Shanghai"
    assert RegionFactory().effective_time_zone() == ""


def test_a_programme_item_is_in_its_citys_else_its_only_destinations_else_the_sites_zone(
    settings,
):
    settings.TIME_ZONE = "Europe/Amsterdam"
    china = RegionFactory(kind=Region.Kind.COUNTRY, time_zone="Asia/Shanghai")
    dalian, shanghai = RegionFactory(parent=china), RegionFactory(parent=china)
    belgium = RegionFactory(kind=Region.Kind.COUNTRY, time_zone="Europe/Brussels")
    mission = MissionFactory(destinations=[belgium])
    in_dalian = ProgrammeItemFactory(mission=mission, city=dalian)
    nowhere = ProgrammeItemFactory(mission=mission, city=None)
    unzoned = ProgrammeItemFactory(mission=mission, city=RegionFactory())

    assert in_dalian.effective_time_zone() == "Asia/Shanghai"
    assert nowhere.effective_time_zone() == "Europe/Brussels"
    assert unzoned.effective_time_zone() == "Europe/Brussels"
    mission.destinations.set([dalian, shanghai])
    nowhere = ProgrammeItem.objects.get(pk=nowhere.pk)
    assert nowhere.effective_time_zone() == "Europe/Amsterdam"  # two destinations: no guess


def test_a_programme_item_starts_at_its_local_time():
    dalian = RegionFactory(time_zone="Asia/Shanghai")
    item = ProgrammeItemFactory(city=dalian, date=dt.date(2025, 5, 14), start_time=dt.time(9))

    assert item.starts_at().astimezone(dt.UTC) == dt.datetime(2025, 5, 14, 1, tzinfo=dt.UTC)
    item.start_time = None
    assert item.starts_at() == dt.date(2025, 5, 14)


def test_a_programme_item_ends_at_its_end_time_on_its_day_where_it_takes_place():
    dalian = RegionFactory(time_zone="Asia/Shanghai")
    item = ProgrammeItemFactory(
        city=dalian, date=dt.date(2025, 5, 14), start_time=dt.time(10), end_time=dt.time(12)
    )

    assert item.ends_at().isoformat() == "2025-05-14T12:00:00+08:00"
    assert item.ends_at() - item.starts_at() == dt.timedelta(hours=2)
    item.end_time = None
    assert item.ends_at() is None  # unknown, not zero


@pytest.mark.parametrize(
    ("start_time", "end_time", "message"),
    [
        (None, dt.time(12), "An end time needs a start time."),
        (dt.time(12), dt.time(12), "The end time must be after the start time"),
        (dt.time(22), dt.time(1), "The end time must be after the start time"),
    ],
)
def test_an_end_time_is_after_the_start_time_on_the_same_day(start_time, end_time, message):
    item = ProgrammeItemFactory.build(
        mission=MissionFactory(),
        city=None,
        date=dt.date(2025, 5, 14),
        start_time=start_time,
        end_time=end_time,
    )

    with pytest.raises(ValidationError) as refusal:
        item.full_clean()
    with translation.override("en"):
        assert str(refusal.value.message_dict["end_time"][0]).startswith(message)
    # The database refuses it too, whatever path a write takes.
    with pytest.raises(IntegrityError), transaction.atomic():
        item.save()


def test_outcome_mission_must_belong_to_the_same_partnership():
    outcome = OutcomeFactory()
    outcome.partnership = PartnershipFactory()
    with pytest.raises(ValidationError) as excinfo:
        outcome.full_clean()
    assert "mission" in excinfo.value.message_dict


def test_published_requires_status_and_a_due_date():
    published = RegionFactory()
    draft = RegionFactory(status=Status.DRAFT)
    scheduled = RegionFactory(publish_at=timezone.now() + dt.timedelta(days=1))
    undated = RegionFactory(publish_at=None)
    assert list(Region.objects.published()) == [published]
    assert published.is_published
    assert not any(r.is_published for r in (draft, scheduled, undated))


def test_a_mission_is_public_only_while_its_partnership_is():
    mission = MissionFactory()
    assert list(Mission.objects.published()) == [mission]
    Partnership.objects.filter(pk=mission.partnership_id).update(status=Status.DRAFT)
    assert not Mission.objects.published().exists()


def test_an_outcome_is_public_only_while_its_mission_and_partnership_are():
    outcome = OutcomeFactory()
    partnership_outcome = OutcomeFactory(mission=None, partnership=outcome.partnership)
    assert set(Outcome.objects.published()) == {outcome, partnership_outcome}
    Mission.objects.filter(pk=outcome.mission_id).update(status=Status.DRAFT)
    assert list(Outcome.objects.published()) == [partnership_outcome]


def test_publish_sets_a_date_and_unpublish_hides():
    region = RegionFactory(status=Status.DRAFT, publish_at=None)
    assert publish([region]) == 1
    region.refresh_from_db()
    assert region.is_published
    assert unpublish([region]) == 1
    assert not Region.objects.published().exists()


# Every text has a maximum length: (factory, field, characters) --------------------------------

TEXT_LIMITS = [
    (RegionFactory, "summary", 1_000),
    (RegionFactory, "profile", 50_000),
    (OrganisationFactory, "description", 50_000),
    (PartnershipFactory, "summary", 1_000),
    (PartnershipFactory, "description", 50_000),
    (ObjectiveFactory, "text", 1_000),
    (MissionFactory, "summary", 1_000),
    (MissionFactory, "context", 50_000),
    (MissionFactory, "why", 50_000),
    (MissionFactory, "programme_intro", 50_000),
    (MissionFactory, "result", 50_000),
    (ProgrammeItemFactory, "description", 5_000),
    (OutcomeFactory, "description", 50_000),
    (SitePageFactory, "body", 50_000),
]


def test_every_text_has_a_maximum_length():
    """A TextField without a limit would take a 20 MB text from any write path."""
    unlimited = [
        f"{model.__name__}.{field.name}"
        for model in apps.get_app_config("programmes").get_models()
        for field in model._meta.concrete_fields
        if field.get_internal_type() == "TextField"
        and model is not AuditLogEntry  # the services write its notes, not editors
        and field.editable  # a derived column (search_names) is made from limited texts
        and not any(isinstance(v, MaxLengthValidator) for v in field.validators)
    ]
    assert unlimited == []
    limited = {(factory._meta.model.__name__, name, limit) for factory, name, limit in TEXT_LIMITS}
    assert {
        (model.__name__, field.name, field.max_length)
        for model in apps.get_app_config("programmes").get_models()
        for field in model._meta.concrete_fields
        if field.get_internal_type() == "TextField"
        and model is not AuditLogEntry
        and field.editable
        and model is not Suggestion  # no content: tests/domain/test_reviews.py
        and not field.name.endswith(("_nl", "_en", "_zh_hans"))
    } == limited


@pytest.mark.parametrize(("factory", "name", "limit"), TEXT_LIMITS)
def test_a_text_over_its_maximum_length_is_refused_in_every_language(factory, name, limit):
    instance = factory()
    for column in ("nl", "en", "zh_hans"):
        setattr(instance, f"{name}_{column}", "界" * limit)
    save_content(instance)
    instance.refresh_from_db()
    assert getattr(instance, f"{name}_zh_hans") == "界" * limit
    for column in ("nl", "en", "zh_hans"):
        setattr(instance, f"{name}_{column}", "界" * (limit + 1))
        with pytest.raises(ValidationError) as refusal:
            save_content(instance)
        message = f"Ensure this value has at most {limit} characters (it has {limit + 1})."
        with translation.override("en"):
            errors = refusal.value.message_dict
        assert errors[f"{name}_{column}"] == [message]
        # The untranslated name reads the site's language (Dutch): the same column.
        assert errors == {f"{name}_{column}": [message]} | (
            {name: [message]} if column == "nl" else {}
        )
        setattr(instance, f"{name}_{column}", "界" * limit)
    instance.refresh_from_db()
    assert [getattr(instance, f"{name}_{c}") for c in ("nl", "en", "zh_hans")] == ["界" * limit] * 3


def test_save_content_sanitizes_every_language():
    region = RegionFactory.build(
        slug="xss",
        profile_nl='<p onclick="steal()">Hallo<script>alert(1)</script></p>',
        profile_zh_hans='<p><a href="javascript:alert(1)">链接</a></p>',
    )
    save_content(region)
    region.refresh_from_db()
    assert region.profile_nl == "<p>Hallo</p>"
    assert region.profile_zh_hans == "<p><a>链接</a></p>"


@pytest.mark.parametrize(
    ("value", "value_max", "unit", "approximate", "expected"),
    [
        (54_000_000, None, "count", False, ("54 miljoen", "54 million", "5400万")),
        ("11.8", None, "percent", False, ("11,8 %", "11.8%", "11.8%")),
        (7690, None, "usd", False, ("7.690 USD", "USD 7,690", "7690美元")),
        (
            180_000_000_000,
            None,
            "usd",
            True,
            ("ca. 180 miljard USD", "about USD 180 billion", "约1800亿美元"),
        ),
        (640_000, None, "count", True, ("ca. 640.000", "about 640,000", "约64万")),
        (
            450_000_000,
            None,
            "tonnes",
            True,
            ("ca. 450 miljoen ton", "about 450 million tonnes", "约4.5亿吨"),
        ),
        (4, None, "rank", False, ("4e", "4th", "第4")),
        (5_000_000, 6_000_000, "count", False, ("5–6 miljoen", "5–6 million", "500–600万")),
        ("1500000", None, "count", False, ("1,5 miljoen", "1.5 million", "150万")),
        (35, None, "km", False, ("35 km", "35 km", "35公里")),
    ],
)
def test_key_figures_are_formatted_per_language(value, value_max, unit, approximate, expected):
    figure = KeyFigure(
        value=Decimal(str(value)),
        value_max=None if value_max is None else Decimal(str(value_max)),
        unit=unit,
        approximate=approximate,
    )
    assert tuple(figure.formatted(lang) for lang in ("nl", "en", "zh-hans")) == expected


def test_saving_as_published_without_a_date_publishes_now():
    region = RegionFactory.build(slug="new", status=Status.PUBLISHED, publish_at=None)
    save_content(region)
    assert region.is_published
    assert list(Region.objects.published()) == [region]
