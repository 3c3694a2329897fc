"""Translation status: per object and language, which texts are filled and how complete.

Dutch decides what needs translating; the parts edited in an object's form (programme
items, objectives, key figures, clusters) count with it.
"""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from programmes.domain import services
from programmes.domain.permissions import EDITOR, SITE_MANAGER
from programmes.domain.translation_status import (
    missing_q,
    outdated_translations,
    translation_status,
    with_parts,
)
from programmes.models import Mission, Outcome, Partnership, Photo, Region, Status

from ..factories import (
    ClusterFactory,
    KeyFigureFactory,
    MissionFactory,
    ObjectiveFactory,
    OrganisationFactory,
    OutcomeFactory,
    PartnershipFactory,
    PhotoFactory,
    ProgrammeItemFactory,
    RegionFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db


def summary(obj) -> dict[str, tuple[int, int, list[str]]]:
    """Per language: filled, total, and the missing texts by name (in English)."""
    with translation.override("en"):
        return {
            language: (len(status.filled), status.total, [str(text) for text in status.missing])
            for language, status in translation_status(obj).items()
        }


def test_a_mission_counts_its_own_texts_and_its_programme():
    mission = MissionFactory(summary_zh_hans="", result_en="")
    ProgrammeItemFactory(mission=mission, title_en="Tongji University")
    ProgrammeItemFactory(mission=mission, title_en="The port", description_zh_hans="")

    statuses = translation_status(mission)

    # Eight texts of the mission and two of each programme item are filled in Dutch.
    assert summary(mission) == {
        "en": (11, 12, ["result"]),
        "zh-hans": (10, 12, ["summary", "programme item “The port”: description"]),
    }
    assert (statuses["en"].percent, statuses["zh-hans"].percent) == (91, 83)
    assert not statuses["en"].complete


def test_a_text_empty_in_dutch_needs_no_translation():
    mission = MissionFactory(summary_nl="", summary_en="", summary_zh_hans="", context_zh_hans="")
    assert summary(mission) == {"en": (7, 7, []), "zh-hans": (6, 7, ["why these destinations"])}


def test_an_object_without_dutch_text_is_complete():
    outcome = OutcomeFactory.build(title_nl="", parties_nl="", description_nl="")
    statuses = translation_status(outcome)
    assert [(status.total, status.percent, status.complete) for status in statuses.values()] == [
        (0, 100, True),
        (0, 100, True),
    ]


def test_a_region_counts_its_key_figures_and_clusters():
    region = RegionFactory(name_en="Shaoxing", summary_en="")
    KeyFigureFactory(region=region, label_en="Inhabitants", source_zh_hans="")
    ClusterFactory(region=region, sector_en="textiles", sector_zh_hans="")

    assert summary(region) == {
        "en": (5, 6, ["summary"]),
        "zh-hans": (
            4,
            6,
            [
                "key figure “Inhabitants: 54 million”: source",
                "cluster “Shaoxing: textiles”: sector",
            ],
        ),
    }


# The query condition agrees with the Python rule ----------------------------------------------


def untranslated_objects():
    """Objects each missing one text in one language, in themselves or in a part."""
    MissionFactory(title_en="")
    missing_zh_in_programme = MissionFactory()
    ProgrammeItemFactory(mission=missing_zh_in_programme, description_zh_hans="")
    complete = MissionFactory()
    ProgrammeItemFactory(mission=complete)
    partnership = PartnershipFactory()
    ObjectiveFactory(partnership=partnership, text_en="")
    region = RegionFactory()
    ClusterFactory(region=region, sector_zh_hans="")
    OutcomeFactory(description_en="")
    PhotoFactory(caption_zh_hans="")


@pytest.mark.parametrize(
    ("model", "language", "untranslated"),
    [
        (Mission, "en", 1),
        (Mission, "zh-hans", 1),
        (Partnership, "en", 1),
        (Partnership, "zh-hans", 0),
        (Region, "en", 0),
        (Region, "zh-hans", 1),
        (Outcome, "en", 1),
        (Outcome, "zh-hans", 0),
        (Photo, "en", 0),
        (Photo, "zh-hans", 1),
    ],
)
def test_the_list_filter_agrees_with_the_status(model, language, untranslated):
    untranslated_objects()

    in_python = {
        obj
        for obj in with_parts(model.objects.all())
        if not translation_status(obj)[language].complete
    }
    in_the_database = set(model.objects.filter(missing_q(model, language)))

    assert in_the_database == in_python
    assert len(in_python) == untranslated


# The admin -----------------------------------------------------------------------------------


def login(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return user


def test_missing_chinese_filter_and_column(client):
    partnership = PartnershipFactory()
    complete = MissionFactory(partnership=partnership, title_en="Complete")
    in_programme = MissionFactory(partnership=partnership, title_en="Untranslated programme")
    ProgrammeItemFactory(mission=in_programme, description_zh_hans="")
    login(client, StaffFactory(role=EDITOR, organisations=[partnership.owner]))
    url = reverse("admin:programmes_mission_changelist")

    everything = client.get(url)
    missing_chinese = client.get(url, {"missing": "zh-hans"})

    assert '<a href="?missing=zh-hans">missing Simplified Chinese</a>' in everything.text
    assert list(missing_chinese.context["cl"].result_list) == [in_programme]
    assert complete not in missing_chinese.context["cl"].result_list
    assert '<td class="field-translation_status">en 100% · zh-hans 90%</td>' in (
        missing_chinese.text
    )


@pytest.fixture
def two_organisations():
    enschede = OrganisationFactory(name_en="Municipality of Enschede")
    pom = OrganisationFactory()
    ours = MissionFactory(
        partnership=PartnershipFactory(owner=enschede, title_en="Enschede – Dalian"),
        title_en="Inspiration trip",
        summary_zh_hans="",
        status=Status.DRAFT,
    )
    MissionFactory(partnership=PartnershipFactory(owner=pom), title_en="Business Days")
    return enschede, pom, ours


def overview(client, **query):
    return client.get(reverse("admin:programmes_translation_overview"), query)


def test_the_overview_shows_the_organisations_objects_by_language(client, two_organisations):
    enschede, _pom, mission = two_organisations
    login(client, StaffFactory(role=EDITOR, organisations=[enschede]))

    response = overview(client)

    assert response.status_code == 200
    assert response.context["choices"] == [(str(enschede.pk), "Municipality of Enschede")]
    assert response.context["languages"] == ["English", "Simplified Chinese"]
    assert [
        (
            str(section["title"]),
            [
                (str(row["object"]), row["status"], [s.percent for s in row["languages"]])
                for row in section["rows"]
            ],
        )
        for section in response.context["sections"]
    ] == [
        ("partnerships", [("Enschede – Dalian", "Published", [100, 100])]),
        ("missions", [("Inspiration trip", "Draft", [100, 87])]),
        ("outcomes", []),
        ("photos", []),
    ]
    # Three texts of the partnership (its coordinator's role is empty) and eight of the
    # mission; Chinese lacks one.
    assert response.context["totals"] == [100, 90]
    assert "Business Days" not in response.text
    assert '<meter min="0" max="100" value="87"></meter> 87%' in response.text
    assert "<li>summary</li>" in response.text
    assert reverse("admin:programmes_mission_change", args=[mission.pk]) in response.text


def test_the_overview_refuses_another_organisation(client, two_organisations):
    enschede, pom, _mission = two_organisations
    login(client, StaffFactory(role=EDITOR, organisations=[enschede]))
    assert overview(client, organisation=pom.pk).status_code == 404
    assert overview(client, organisation="shared").status_code == 404


def test_the_overview_needs_an_organisation(client, two_organisations):
    login(client, StaffFactory(role=EDITOR))
    assert overview(client).status_code == 403


def test_a_site_manager_chooses_any_organisation_or_the_shared_data(client, two_organisations):
    enschede, pom, _mission = two_organisations
    login(client, StaffFactory(role=SITE_MANAGER))

    response = overview(client, organisation="shared")

    choices = [value for value, _label in response.context["choices"]]
    assert (sorted(choices[:-1]), choices[-1]) == (
        sorted([str(enschede.pk), str(pom.pk)]),
        "shared",
    )
    assert [str(section["title"]) for section in response.context["sections"]] == [
        "regions",
        "organisations",
        "focus areas",
    ]
    assert len(response.context["sections"][0]["rows"]) == Region.objects.count()


def test_every_content_list_links_to_the_overview(client, two_organisations):
    login(client, StaffFactory(role=EDITOR, organisations=[two_organisations[0]]))
    response = client.get(reverse("admin:programmes_mission_changelist"))
    assert (
        f'<li><a href="{reverse("admin:programmes_translation_overview")}">'
        "Translation overview</a></li>"
    ) in response.text


@pytest.mark.parametrize("missions", [1, 10])
def test_the_overview_queries_do_not_grow(
    client, django_assert_num_queries, two_organisations, missions
):
    enschede, _pom, mission = two_organisations
    for _ in range(missions):
        ProgrammeItemFactory(mission=MissionFactory(partnership=mission.partnership))
    login(client, StaffFactory(role=EDITOR, organisations=[enschede]))

    # 13, and the revisions (out of date) of the partnership, the missions and their items.
    with django_assert_num_queries(16):
        overview(client)


# Out of date: the Dutch changed after the translation was saved -----------------------------


def test_a_translation_is_out_of_date_when_its_dutch_changed_in_a_later_revision():
    mission = MissionFactory(status=Status.DRAFT, programme_items=1)
    item = mission.programme_items.get()
    editor = StaffFactory()
    services.save_content(mission, user=editor)
    services.save_content(item, user=editor)
    assert outdated_translations([mission])[mission] == {"en": (), "zh-hans": ()}

    mission.title_nl = "Nieuwe titel"
    services.save_content(mission, user=editor)
    item.description_nl = "Nieuwe beschrijving"
    services.save_content(item, user=editor)
    outdated = outdated_translations([mission])[mission]
    assert [(text.obj, text.field, text.part) for text in outdated["en"]] == [
        (mission, "title", False),
        (item, "description", True),
    ]

    mission.title_en = "New title"  # the translator catches up; Chinese still lags
    services.save_content(mission, user=editor)
    outdated = outdated_translations([mission])[mission]
    assert [text.field for text in outdated["en"]] == ["description"]
    assert [text.field for text in outdated["zh-hans"]] == ["title", "description"]


def test_an_empty_translation_is_missing_not_out_of_date():
    mission = MissionFactory(status=Status.DRAFT, summary_zh_hans="")
    services.save_content(mission, user=StaffFactory())
    mission.summary_nl = "Anders"
    services.save_content(mission, user=StaffFactory())
    outdated = outdated_translations([mission])[mission]
    assert [text.field for text in outdated["en"]] == ["summary"]
    assert outdated["zh-hans"] == ()


def test_out_of_date_translations_of_a_list_take_one_query_per_kind_of_object(
    django_assert_num_queries,
):
    missions = [MissionFactory(status=Status.DRAFT, programme_items=3) for _ in range(4)]
    for mission in missions:
        services.save_content(mission, user=None)
    listed = list(with_parts(Mission.objects.all()))
    with django_assert_num_queries(2):  # the missions' versions, the programme items'
        outdated = outdated_translations(listed)
    assert set(outdated) == set(missions)
