"""The JSON export for partner sites, /api/v1/: shapes, languages, publishing, queries, docs."""

import datetime as dt
import re
from decimal import Decimal
from types import SimpleNamespace
from typing import get_args

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from modeltranslation.translator import translator
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate as validate_openapi_document
from playwright.sync_api import expect, sync_playwright

from api.endpoints import exported_at
from api.schemas import Language, TranslatedText
from programmes.models import (
    Cluster,
    FocusArea,
    KeyFigure,
    Mission,
    Objective,
    Organisation,
    Outcome,
    Partnership,
    ProgrammeItem,
    Region,
    Status,
)

from .factories import (
    ClusterFactory,
    FocusAreaFactory,
    KeyFigureFactory,
    MissionFactory,
    ObjectiveFactory,
    OrganisationFactory,
    OutcomeFactory,
    PartnershipFactory,
    PhotoFactory,
    ProgrammeItemFactory,
    RegionFactory,
    district_in_zoned_country,
)

pytestmark = pytest.mark.django_db

RESOURCES = {
    "regions": RegionFactory,
    "partnerships": PartnershipFactory,
    "missions": MissionFactory,
    "outcomes": OutcomeFactory,
    "organisations": OrganisationFactory,
}
SCHEMAS = {
    "regions": "Region",
    "partnerships": "Partnership",
    "missions": "Mission",
    "outcomes": "Outcome",
    "organisations": "Organisation",
}


def get_json(client, path: str, *, status: int = 200, **params):
    """The JSON body of a GET; an error must be a problem (RFC 9457, tests/test_api_http.py)."""
    response = client.get(f"/api/v1/{path}", query_params=params)
    assert response.status_code == status, response.content
    content_type = (
        "application/json; charset=utf-8" if status == 200 else "application/problem+json"
    )
    assert response["Content-Type"] == content_type
    return response.json()


def not_found(client, path: str) -> dict:
    """The 404 problem of ``path``, checked for its shape; returns its ``detail``."""
    problem = get_json(client, path, status=404)
    assert problem == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": problem["detail"],
        "instance": f"/api/v1/{path}",
    }
    return problem["detail"]


def timestamp(value: dt.datetime) -> str:
    """``value`` as the API writes it: Django's JSON encoder (milliseconds, "Z")."""
    return DjangoJSONEncoder().default(value)


def exported(obj) -> str:
    """``updated_at`` as the API shows it: when the object's export last changed (sync.py)."""
    return timestamp(type(obj).objects.annotate(at=exported_at()).get(pk=obj.pk).at)


def economy() -> str:
    return uuid(FocusArea.objects.get(slug="economy"))


def texts(nl: str, en: str, zh: str) -> dict[str, str]:
    return {"nl": nl, "en": en, "zh-hans": zh}


def uuid(obj) -> str:
    return str(obj.uuid)


# Content modelled on the seeds, with some translations left out on purpose.


def make_ningbo():
    """A city in a province, with two key figures and a cluster; no English or Chinese summary."""
    zhejiang = RegionFactory(slug="zhejiang", kind=Region.Kind.PROVINCE, time_zone="Asia/Shanghai")
    ningbo = RegionFactory(
        slug="ningbo",
        kind=Region.Kind.CITY,
        parent=zhejiang,
        latitude=Decimal("29.86800"),
        longitude=Decimal("121.54400"),
        name_nl="Ningbo",
        name_en="Ningbo",
        name_zh_hans="宁波",
        summary_nl="Havenstad in Zhejiang.",
        summary_en="",
        summary_zh_hans="",
        profile_nl="<p>Een <strong>haven</strong>.</p>",
        profile_en="<p>A <strong>port</strong>.</p>",
        profile_zh_hans="<p>一个<strong>港口</strong>。</p>",
    )
    throughput = KeyFigureFactory(
        region=ningbo,
        order=2,
        label_nl="Overslag haven",
        label_en="Port throughput",
        label_zh_hans="港口吞吐量",
        value=Decimal("450000000"),
        unit=KeyFigure.Unit.TONNES,
        approximate=True,
        year=2010,
        source_nl="POM West-Vlaanderen",
        source_en="POM West Flanders",
        source_zh_hans="",
    )
    population = KeyFigureFactory(
        region=ningbo,
        order=1,
        label_nl="Inwoners",
        label_en="Population",
        label_zh_hans="人口",
        value=Decimal("5000000"),
        value_max=Decimal("6000000"),
        unit=KeyFigure.Unit.COUNT,
        year=None,
        source_nl="",
        source_en="",
        source_zh_hans="",
    )
    cluster = ClusterFactory(
        region=ningbo,
        sector_nl="havenlogistiek",
        sector_en="port logistics",
        sector_zh_hans="港口物流",
    )
    return ningbo, population, throughput, cluster


def make_nbso():
    dalian = RegionFactory(slug="dalian")
    return OrganisationFactory(
        slug="nbso-dalian",
        kind=Organisation.Kind.BUSINESS_SUPPORT_OFFICE,
        region=dalian,
        website="https://www.nbso-dalian.example/",
        name_nl="NBSO Dalian",
        name_en="NBSO Dalian",
        name_zh_hans="",
        description_nl="<p>Steunpunt voor ondernemers.</p>",
        description_en="<p>Support office for entrepreneurs.</p>",
        description_zh_hans="<p>企业支持办公室。</p>",
    )


def make_friendship():
    economy = FocusAreaFactory(
        slug="economy", name_nl="Economie", name_en="Economy", name_zh_hans="经济"
    )
    partnership = PartnershipFactory(
        slug="west-vlaanderen-zhejiang",
        kind=Partnership.Kind.FRIENDSHIP_AGREEMENT,
        home_region=RegionFactory(slug="west-vlaanderen"),
        partner_region=RegionFactory(slug="zhejiang"),
        coordinator=OrganisationFactory(slug="pom-west-vlaanderen"),
        since_year=2000,
        coordinator_since_year=2008,
        title_nl="West-Vlaanderen – Zhejiang",
        title_en="West Flanders – Zhejiang",
        title_zh_hans="西佛兰德 – 浙江",
        coordinator_role_nl="economisch luik",
        coordinator_role_en="economic part",
        coordinator_role_zh_hans="",
        summary_nl="Vriendschapsakkoord sinds 2000.",
        summary_en="Friendship agreement since 2000.",
        summary_zh_hans="自2000年起的友好协议。",
        description_nl="<p>Twee facetten.</p>",
        description_en="<p>Two facets.</p>",
        description_zh_hans="<p>两个方面。</p>",
    )
    partnership.focus_areas.set([economy])
    inbound = ObjectiveFactory(
        partnership=partnership,
        order=2,
        text_nl="Investeringen aantrekken",
        text_en="Attract investment",
        text_zh_hans="吸引投资",
    )
    outbound = ObjectiveFactory(
        partnership=partnership,
        order=1,
        text_nl="Bedrijven begeleiden",
        text_en="Support companies",
        text_zh_hans="",
    )
    return partnership, outbound, inbound


def make_dalian_trip():
    """A mission with two programme items (one without Chinese title) and an outcome."""
    dalian = RegionFactory(slug="dalian", time_zone="Asia/Shanghai")
    nbso = OrganisationFactory(slug="nbso-dalian", region=dalian)
    enschede = OrganisationFactory(slug="gemeente-enschede")
    economy = FocusAreaFactory(
        slug="economy", name_nl="Economie", name_en="Economy", name_zh_hans="经济"
    )
    mission = MissionFactory(
        slug="inspiratiereis-dalian",
        kind=Mission.Kind.INSPIRATION_TRIP,
        partnership=PartnershipFactory(slug="enschede-dalian"),
        destinations=[dalian],
        organisers=[enschede],
        start_date=dt.date(2012, 5, 7),
        end_date=dt.date(2012, 5, 12),
        leader_name="Marijke van Hees",
        title_nl="Inspiratiereis Dalian",
        title_en="Inspiration trip to Dalian",
        title_zh_hans="大连考察之旅",
        summary_nl="Ondernemers uit Twente in Dalian.",
        summary_en="Entrepreneurs from Twente in Dalian.",
        summary_zh_hans="",
        context_nl="<p>Waarom China.</p>",
        context_en="<p>Why China.</p>",
        context_zh_hans="<p>为什么是中国。</p>",
        why_nl="<p>Inspiratie.</p>",
        why_en="<p>Inspiration.</p>",
        why_zh_hans="<p>灵感。</p>",
        programme_intro_nl="<p>Het programma.</p>",
        programme_intro_en="<p>The programme.</p>",
        programme_intro_zh_hans="<p>日程。</p>",
        result_nl="<p>Nieuwe contacten.</p>",
        result_en="<p>New contacts.</p>",
        result_zh_hans="<p>新的联系。</p>",
    )
    museum = ProgrammeItemFactory(
        mission=mission,
        city=dalian,
        host=None,
        kind=ProgrammeItem.Kind.MUSEUM,
        order=2,
        title_nl="Dalian Museum",
        title_en="Dalian Museum",
        title_zh_hans="大连博物馆",
        description_nl="",
        description_en="",
        description_zh_hans="",
    )
    zone = ProgrammeItemFactory(
        mission=mission,
        city=dalian,
        host=nbso,
        kind=ProgrammeItem.Kind.SITE_VISIT,
        order=1,
        date=dt.date(2012, 5, 10),
        start_time=dt.time(9, 30),
        title_nl="New High Tech Zone",
        title_en="New High Tech Zone",
        title_zh_hans="",
        description_nl="Rondleiding met de NBSO.",
        description_en="Tour with the NBSO.",
        description_zh_hans="与NBSO参观。",
    )
    outcome = OutcomeFactory(
        mission=mission,
        slug="havensamenwerking",
        kind=Outcome.Kind.COLLABORATION,
        area=economy,
        progress=Outcome.Progress.IN_PROGRESS,
        date=dt.date(2013, 1, 15),
        title_nl="Havensamenwerking",
        title_en="Port collaboration",
        title_zh_hans="港口合作",
        parties_nl="Haven Dalian en Twentse bedrijven",
        parties_en="Port of Dalian and Twente companies",
        parties_zh_hans="",
        description_nl="<p>Een eerste stap.</p>",
        description_en="<p>A first step.</p>",
        description_zh_hans="<p>第一步。</p>",
    )
    return SimpleNamespace(
        mission=mission,
        dalian=dalian,
        nbso=nbso,
        enschede=enschede,
        zone=zone,
        museum=museum,
        outcome=outcome,
    )


# The exact shape of each object, with and without ``lang``.


def test_region_in_one_language_falls_back_and_says_so(client):
    ningbo, population, throughput, cluster = make_ningbo()

    assert get_json(client, f"regions/{ningbo.uuid}", lang="zh-hans") == {
        "uuid": uuid(ningbo),
        "slug": "ningbo",
        "url": "http://testserver/zh-hans/regions/ningbo/",
        "updated_at": exported(ningbo),
        "kind": "city",
        "name": "宁波",
        "parent": uuid(ningbo.parent),
        "time_zone": "Asia/Shanghai",  # Zhejiang's
        "latitude": 29.868,
        "longitude": 121.544,
        "summary": "Havenstad in Zhejiang.",
        "profile": "<p>一个<strong>港口</strong>。</p>",
        "key_figures": [
            {
                "uuid": uuid(population),
                "label": "人口",
                "value": 5000000,
                "value_max": 6000000,
                "unit": "count",
                "approximate": False,
                "year": None,
                "source": "",
                "formatted": "500–600万",
                "fallbacks": {},
            },
            {
                "uuid": uuid(throughput),
                "label": "港口吞吐量",
                "value": 450000000,
                "value_max": None,
                "unit": "tonnes",
                "approximate": True,
                "year": 2010,
                "source": "POM West Flanders",
                "formatted": "约4.5亿吨",
                "fallbacks": {"source": "en"},
            },
        ],
        "clusters": [{"uuid": uuid(cluster), "sector": "港口物流", "fallbacks": {}}],
        "photos": [],
        "fallbacks": {"summary": "nl"},
    }


def test_region_in_all_languages(client):
    ningbo, population, throughput, cluster = make_ningbo()

    assert get_json(client, f"regions/{ningbo.uuid}") == {
        "uuid": uuid(ningbo),
        "slug": "ningbo",
        "url": "http://testserver/nl/regions/ningbo/",
        "updated_at": exported(ningbo),
        "kind": "city",
        "name": texts("Ningbo", "Ningbo", "宁波"),
        "parent": uuid(ningbo.parent),
        "time_zone": "Asia/Shanghai",  # Zhejiang's
        "latitude": 29.868,
        "longitude": 121.544,
        "summary": texts("Havenstad in Zhejiang.", "", ""),
        "profile": texts(
            "<p>Een <strong>haven</strong>.</p>",
            "<p>A <strong>port</strong>.</p>",
            "<p>一个<strong>港口</strong>。</p>",
        ),
        "key_figures": [
            {
                "uuid": uuid(population),
                "label": texts("Inwoners", "Population", "人口"),
                "value": 5000000,
                "value_max": 6000000,
                "unit": "count",
                "approximate": False,
                "year": None,
                "source": texts("", "", ""),
                "formatted": texts("5–6 miljoen", "5–6 million", "500–600万"),
            },
            {
                "uuid": uuid(throughput),
                "label": texts("Overslag haven", "Port throughput", "港口吞吐量"),
                "value": 450000000,
                "value_max": None,
                "unit": "tonnes",
                "approximate": True,
                "year": 2010,
                "source": texts("POM West-Vlaanderen", "POM West Flanders", ""),
                "formatted": texts("ca. 450 miljoen ton", "about 450 million tonnes", "约4.5亿吨"),
            },
        ],
        "clusters": [
            {
                "uuid": uuid(cluster),
                "sector": texts("havenlogistiek", "port logistics", "港口物流"),
            }
        ],
        "photos": [],
    }


def test_organisation_in_one_language_and_in_all(client):
    nbso = make_nbso()

    assert get_json(client, f"organisations/{nbso.uuid}", lang="en") == {
        "uuid": uuid(nbso),
        "slug": "nbso-dalian",
        "url": "http://testserver/en/organisations/nbso-dalian/",
        "updated_at": exported(nbso),
        "kind": "business_support_office",
        "name": "NBSO Dalian",
        "region": uuid(nbso.region),
        "website": "https://www.nbso-dalian.example/",
        "description": "<p>Support office for entrepreneurs.</p>",
        "fallbacks": {},
    }
    assert get_json(client, f"organisations/{nbso.uuid}") == {
        "uuid": uuid(nbso),
        "slug": "nbso-dalian",
        "url": "http://testserver/nl/organisations/nbso-dalian/",
        "updated_at": exported(nbso),
        "kind": "business_support_office",
        "name": texts("NBSO Dalian", "NBSO Dalian", ""),
        "region": uuid(nbso.region),
        "website": "https://www.nbso-dalian.example/",
        "description": texts(
            "<p>Steunpunt voor ondernemers.</p>",
            "<p>Support office for entrepreneurs.</p>",
            "<p>企业支持办公室。</p>",
        ),
    }


def test_partnership_in_one_language(client):
    partnership, outbound, inbound = make_friendship()

    assert get_json(client, f"partnerships/{partnership.uuid}", lang="zh-hans") == {
        "uuid": uuid(partnership),
        "slug": "west-vlaanderen-zhejiang",
        "url": "http://testserver/zh-hans/partnerships/west-vlaanderen-zhejiang/",
        "updated_at": exported(partnership),
        "kind": "friendship_agreement",
        "title": "西佛兰德 – 浙江",
        "home_region": uuid(partnership.home_region),
        "partner_region": uuid(partnership.partner_region),
        "since_year": 2000,
        "coordinator": uuid(partnership.coordinator),
        "coordinator_since_year": 2008,
        "coordinator_role": "economic part",
        "focus_areas": [{"uuid": economy(), "slug": "economy", "name": "经济", "fallbacks": {}}],
        "summary": "自2000年起的友好协议。",
        "description": "<p>两个方面。</p>",
        "objectives": [
            {"uuid": uuid(outbound), "text": "Support companies", "fallbacks": {"text": "en"}},
            {"uuid": uuid(inbound), "text": "吸引投资", "fallbacks": {}},
        ],
        "fallbacks": {"coordinator_role": "en"},
    }


def test_partnership_in_all_languages(client):
    partnership, outbound, inbound = make_friendship()

    assert get_json(client, f"partnerships/{partnership.uuid}") == {
        "uuid": uuid(partnership),
        "slug": "west-vlaanderen-zhejiang",
        "url": "http://testserver/nl/partnerships/west-vlaanderen-zhejiang/",
        "updated_at": exported(partnership),
        "kind": "friendship_agreement",
        "title": texts("West-Vlaanderen – Zhejiang", "West Flanders – Zhejiang", "西佛兰德 – 浙江"),
        "home_region": uuid(partnership.home_region),
        "partner_region": uuid(partnership.partner_region),
        "since_year": 2000,
        "coordinator": uuid(partnership.coordinator),
        "coordinator_since_year": 2008,
        "coordinator_role": texts("economisch luik", "economic part", ""),
        "focus_areas": [
            {"uuid": economy(), "slug": "economy", "name": texts("Economie", "Economy", "经济")}
        ],
        "summary": texts(
            "Vriendschapsakkoord sinds 2000.",
            "Friendship agreement since 2000.",
            "自2000年起的友好协议。",
        ),
        "description": texts("<p>Twee facetten.</p>", "<p>Two facets.</p>", "<p>两个方面。</p>"),
        "objectives": [
            {
                "uuid": uuid(outbound),
                "text": texts("Bedrijven begeleiden", "Support companies", ""),
            },
            {
                "uuid": uuid(inbound),
                "text": texts("Investeringen aantrekken", "Attract investment", "吸引投资"),
            },
        ],
    }


def test_mission_in_one_language_marks_the_english_summary_it_falls_back_to(client):
    trip = make_dalian_trip()

    assert get_json(client, f"missions/{trip.mission.uuid}", lang="zh-hans") == {
        "uuid": uuid(trip.mission),
        "slug": "inspiratiereis-dalian",
        "url": "http://testserver/zh-hans/missions/inspiratiereis-dalian/",
        "updated_at": exported(trip.mission),
        "kind": "inspiration_trip",
        "title": "大连考察之旅",
        "partnership": uuid(trip.mission.partnership),
        "destinations": [uuid(trip.dalian)],
        "start_date": "2012-05-07",
        "end_date": "2012-05-12",
        "leader_name": "Marijke van Hees",
        "leader_role": "副市长",
        "organisers": [uuid(trip.enschede)],
        "participants": "企业家",
        "summary": "Entrepreneurs from Twente in Dalian.",
        "context": "<p>为什么是中国。</p>",
        "why": "<p>灵感。</p>",
        "programme_intro": "<p>日程。</p>",
        "result": "<p>新的联系。</p>",
        "programme_items": [
            {
                "uuid": uuid(trip.zone),
                "kind": "site_visit",
                "title": "New High Tech Zone",
                "description": "与NBSO参观。",
                "city": uuid(trip.dalian),
                "host": uuid(trip.nbso),
                "date": "2012-05-10",
                "start_time": "09:30:00",
                "time_zone": "Asia/Shanghai",
                "fallbacks": {"title": "en"},
            },
            {
                "uuid": uuid(trip.museum),
                "kind": "museum",
                "title": "大连博物馆",
                "description": "",
                "city": uuid(trip.dalian),
                "host": None,
                "date": None,
                "start_time": None,
                "time_zone": "Asia/Shanghai",
                "fallbacks": {},
            },
        ],
        "outcomes": [
            {
                "uuid": uuid(trip.outcome),
                "slug": "havensamenwerking",
                "url": "http://testserver/zh-hans/outcomes/havensamenwerking/",
                "updated_at": exported(trip.outcome),
                "kind": "collaboration",
                "title": "港口合作",
                "area": {"uuid": economy(), "slug": "economy", "name": "经济", "fallbacks": {}},
                "partnership": uuid(trip.mission.partnership),
                "mission": uuid(trip.mission),
                "parties": "Port of Dalian and Twente companies",
                "date": "2013-01-15",
                "progress": "in_progress",
                "description": "<p>第一步。</p>",
                "fallbacks": {"parties": "en"},
            }
        ],
        "photos": [],
        "fallbacks": {"summary": "en"},
    }


def test_mission_in_all_languages(client):
    trip = make_dalian_trip()

    assert get_json(client, f"missions/{trip.mission.uuid}") == {
        "uuid": uuid(trip.mission),
        "slug": "inspiratiereis-dalian",
        "url": "http://testserver/nl/missions/inspiratiereis-dalian/",
        "updated_at": exported(trip.mission),
        "kind": "inspiration_trip",
        "title": texts("Inspiratiereis Dalian", "Inspiration trip to Dalian", "大连考察之旅"),
        "partnership": uuid(trip.mission.partnership),
        "destinations": [uuid(trip.dalian)],
        "start_date": "2012-05-07",
        "end_date": "2012-05-12",
        "leader_name": "Marijke van Hees",
        "leader_role": texts("loco-burgemeester", "deputy mayor", "副市长"),
        "organisers": [uuid(trip.enschede)],
        "participants": texts("ondernemers", "entrepreneurs", "企业家"),
        "summary": texts(
            "Ondernemers uit Twente in Dalian.", "Entrepreneurs from Twente in Dalian.", ""
        ),
        "context": texts("<p>Waarom China.</p>", "<p>Why China.</p>", "<p>为什么是中国。</p>"),
        "why": texts("<p>Inspiratie.</p>", "<p>Inspiration.</p>", "<p>灵感。</p>"),
        "programme_intro": texts("<p>Het programma.</p>", "<p>The programme.</p>", "<p>日程。</p>"),
        "result": texts("<p>Nieuwe contacten.</p>", "<p>New contacts.</p>", "<p>新的联系。</p>"),
        "programme_items": [
            {
                "uuid": uuid(trip.zone),
                "kind": "site_visit",
                "title": texts("New High Tech Zone", "New High Tech Zone", ""),
                "description": texts(
                    "Rondleiding met de NBSO.", "Tour with the NBSO.", "与NBSO参观。"
                ),
                "city": uuid(trip.dalian),
                "host": uuid(trip.nbso),
                "date": "2012-05-10",
                "start_time": "09:30:00",
                "time_zone": "Asia/Shanghai",
            },
            {
                "uuid": uuid(trip.museum),
                "kind": "museum",
                "title": texts("Dalian Museum", "Dalian Museum", "大连博物馆"),
                "description": texts("", "", ""),
                "city": uuid(trip.dalian),
                "host": None,
                "date": None,
                "start_time": None,
                "time_zone": "Asia/Shanghai",
            },
        ],
        "outcomes": [get_json(client, f"outcomes/{trip.outcome.uuid}")],
        "photos": [],
    }


def test_outcome_in_all_languages(client):
    trip = make_dalian_trip()

    assert get_json(client, f"outcomes/{trip.outcome.uuid}") == {
        "uuid": uuid(trip.outcome),
        "slug": "havensamenwerking",
        "url": "http://testserver/nl/outcomes/havensamenwerking/",
        "updated_at": exported(trip.outcome),
        "kind": "collaboration",
        "title": texts("Havensamenwerking", "Port collaboration", "港口合作"),
        "area": {
            "uuid": economy(),
            "slug": "economy",
            "name": texts("Economie", "Economy", "经济"),
        },
        "partnership": uuid(trip.mission.partnership),
        "mission": uuid(trip.mission),
        "parties": texts(
            "Haven Dalian en Twentse bedrijven", "Port of Dalian and Twente companies", ""
        ),
        "date": "2013-01-15",
        "progress": "in_progress",
        "description": texts("<p>Een eerste stap.</p>", "<p>A first step.</p>", "<p>第一步。</p>"),
    }


def test_outcome_of_a_partnership_in_one_language(client):
    partnership = PartnershipFactory()
    outcome = OutcomeFactory(
        mission=None,
        partnership=partnership,
        area=None,
        slug="studentenuitwisseling",
        kind=Outcome.Kind.EDUCATION,
        title_nl="Studentenuitwisseling",
        title_en="Student exchange",
        title_zh_hans="学生交流",
        parties_nl="",
        parties_en="",
        parties_zh_hans="",
        description_nl="<p>Jaarlijks.</p>",
        description_en="",
        description_zh_hans="",
    )

    assert get_json(client, f"outcomes/{outcome.uuid}", lang="nl") == {
        "uuid": uuid(outcome),
        "slug": "studentenuitwisseling",
        "url": "http://testserver/nl/outcomes/studentenuitwisseling/",
        "updated_at": exported(outcome),
        "kind": "education",
        "title": "Studentenuitwisseling",
        "area": None,
        "partnership": uuid(partnership),
        "mission": None,
        "parties": "",
        "date": None,
        "progress": "achieved",
        "description": "<p>Jaarlijks.</p>",
        "fallbacks": {},
    }


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("lang", [None, "nl", "en", "zh-hans"])
def test_a_list_holds_the_same_objects_as_their_detail_endpoints(client, resource, lang):
    params = {"lang": lang} if lang else {}
    first, second = RESOURCES[resource](), RESOURCES[resource]()

    assert get_json(client, resource, **params) == {
        "items": [
            get_json(client, f"{resource}/{first.uuid}", **params),
            get_json(client, f"{resource}/{second.uuid}", **params),
        ],
        "count": 2,
    }


# Languages.


@pytest.mark.parametrize(
    ("summary_en", "lang", "expected"),
    [
        ("", "nl", ("Samenvatting", {})),
        ("", "en", ("Samenvatting", {"summary": "nl"})),
        ("Summary", "zh-hans", ("Summary", {"summary": "en"})),
        ("", "zh-hans", ("Samenvatting", {"summary": "nl"})),
    ],
)
def test_fallbacks_follow_the_modeltranslation_order(client, summary_en, lang, expected):
    mission = MissionFactory(summary_nl="Samenvatting", summary_en=summary_en, summary_zh_hans="")

    data = get_json(client, f"missions/{mission.uuid}", lang=lang)

    assert (data["summary"], data["fallbacks"]) == expected


def test_a_text_empty_in_every_language_is_empty_and_no_fallback(client):
    mission = MissionFactory(summary_nl="", summary_en="", summary_zh_hans="")

    for lang in ("nl", "en", "zh-hans"):
        data = get_json(client, f"missions/{mission.uuid}", lang=lang)
        assert (data["summary"], data["fallbacks"]) == ("", {})
    assert get_json(client, f"missions/{mission.uuid}")["summary"] == texts("", "", "")


@pytest.mark.parametrize("path", ["missions", "missions/00000000-0000-0000-0000-000000000000"])
@pytest.mark.parametrize("lang", ["de", "zh", "NL", ""])
def test_an_unknown_language_is_refused(client, path, lang):
    assert get_json(client, path, status=422, lang=lang) == {
        "type": "urn:twinning:problem:invalid-parameters",
        "title": "Invalid parameters",
        "status": 422,
        "detail": "Invalid value for: lang.",
        "instance": f"/api/v1/{path}?lang={lang}",
        "errors": [
            {
                "in": "query",
                "name": "lang",
                "detail": "Input should be 'nl', 'en' or 'zh-hans'",
                "type": "literal_error",
            }
        ],
    }


def test_the_api_languages_are_the_site_languages():
    codes = tuple(code for code, name in settings.LANGUAGES)
    assert get_args(Language) == codes
    assert tuple(TranslatedText.__annotations__) == codes
    assert tuple(settings.MODELTRANSLATION_LANGUAGES) == codes


@pytest.mark.parametrize(
    ("lang", "url"),
    [
        (None, "https://testserver/nl/regions/hangzhou/"),
        ("nl", "https://testserver/nl/regions/hangzhou/"),
        ("en", "https://testserver/en/regions/hangzhou/"),
        ("zh-hans", "https://testserver/zh-hans/regions/hangzhou/"),
    ],
)
def test_urls_are_absolute_in_the_requested_language(client, lang, url):
    region = RegionFactory(slug="hangzhou")
    params = {"lang": lang} if lang else {}

    # The browser's language does not matter: ``lang`` alone decides.
    headers = {"Accept-Language": "en"}
    detail = client.get(
        f"/api/v1/regions/{region.uuid}", query_params=params, headers=headers, secure=True
    )
    page = client.get("/api/v1/regions", query_params=params, headers=headers, secure=True)

    assert detail.json()["url"] == url
    assert page.json()["items"][0]["url"] == url


# Only published content.


def draft_and_scheduled(factory):
    return [
        factory(status=Status.DRAFT),
        factory(publish_at=timezone.now() + dt.timedelta(hours=1)),
        factory(publish_at=None),
    ]


@pytest.mark.parametrize("resource", RESOURCES)
def test_drafts_and_scheduled_objects_are_not_exported(client, resource):
    published = RESOURCES[resource]()
    hidden = draft_and_scheduled(RESOURCES[resource])

    page = get_json(client, resource)

    assert ([item["uuid"] for item in page["items"]], page["count"]) == ([uuid(published)], 1)
    for obj in hidden:
        assert not_found(client, f"{resource}/{obj.uuid}").startswith("No published")


def test_an_unknown_uuid_is_a_404_problem_and_a_malformed_one_a_422(client):
    assert not_found(client, "regions/8d2b0c9e-5b4a-4b8e-9a53-0f1f6a1b2c3d") == (
        "No published region has this UUID."
    )
    problem = get_json(client, "regions/ningbo", status=422)
    assert [(error["in"], error["name"]) for error in problem["errors"]] == [("path", "uuid")]


def test_a_mission_of_a_draft_partnership_is_hidden_with_its_outcomes(client):
    outcome = OutcomeFactory(partnership=PartnershipFactory(status=Status.DRAFT), mission=None)
    mission = MissionFactory(partnership=outcome.partnership)
    mission_outcome = OutcomeFactory(mission=mission)

    assert get_json(client, "missions") == {"items": [], "count": 0}
    assert get_json(client, "outcomes") == {"items": [], "count": 0}
    assert get_json(client, "partnerships") == {"items": [], "count": 0}
    assert not_found(client, f"missions/{mission.uuid}") == "No published mission has this UUID."
    assert not_found(client, f"outcomes/{mission_outcome.uuid}")


def test_an_outcome_of_a_draft_mission_is_hidden(client):
    outcome = OutcomeFactory(mission=MissionFactory(status=Status.DRAFT))

    assert get_json(client, "outcomes") == {"items": [], "count": 0}
    assert not_found(client, f"outcomes/{outcome.uuid}") == "No published outcome has this UUID."


def test_references_to_unpublished_objects_are_left_out(client):
    draft_region = RegionFactory(status=Status.DRAFT)
    draft_organisation = OrganisationFactory(status=Status.DRAFT)
    region = RegionFactory(parent=draft_region)
    organisation = OrganisationFactory(region=draft_region)
    partnership = PartnershipFactory(partner_region=draft_region, coordinator=draft_organisation)
    mission = MissionFactory(
        partnership=partnership,
        destinations=[region, draft_region],
        organisers=[organisation, draft_organisation],
    )
    ProgrammeItemFactory(mission=mission, city=draft_region, host=draft_organisation)
    OutcomeFactory(mission=mission, status=Status.DRAFT)

    assert get_json(client, f"regions/{region.uuid}")["parent"] is None
    assert get_json(client, f"organisations/{organisation.uuid}")["region"] is None
    exported_partnership = get_json(client, f"partnerships/{partnership.uuid}")
    assert exported_partnership["partner_region"] is None
    assert exported_partnership["coordinator"] is None
    assert exported_partnership["home_region"] == uuid(partnership.home_region)
    exported = get_json(client, f"missions/{mission.uuid}")
    assert exported["destinations"] == [uuid(region)]
    assert exported["organisers"] == [uuid(organisation)]
    assert [(item["city"], item["host"]) for item in exported["programme_items"]] == [(None, None)]
    assert exported["outcomes"] == []


# Pages.


def test_lists_are_paged_in_the_order_objects_were_added(client):
    regions = [RegionFactory(slug=slug) for slug in ("zhoushan", "yiwu", "hangzhou")]

    first = get_json(client, "regions", limit=2)
    rest = get_json(client, "regions", limit=2, offset=2)

    assert [item["slug"] for item in first["items"]] == ["zhoushan", "yiwu"]
    assert [item["slug"] for item in rest["items"]] == ["hangzhou"]
    assert first["count"] == rest["count"] == len(regions)


def test_a_page_holds_fifty_objects_unless_asked_for_up_to_a_hundred(client):
    RegionFactory.create_batch(51)

    assert len(get_json(client, "regions")["items"]) == 50
    assert len(get_json(client, "regions", limit=100)["items"]) == 51
    for limit in (101, 0):
        problem = get_json(client, "regions", status=422, limit=limit)
        assert [error["name"] for error in problem["errors"]] == ["limit"]


# Queries: a fixed number per endpoint, however much content there is.


def make_programme(programme_items: int = 2, *, missions: int = 3):
    """Missions with everything the lists show, each in its own partnership."""
    for _ in range(missions):
        mission = MissionFactory(
            programme_items=programme_items,
            destinations=[district_in_zoned_country()],
            organisers=[OrganisationFactory()],
        )
        # Time zones three levels up: of the item's district, or of the mission's destination.
        for number, item in enumerate(mission.programme_items.all()):
            item.city = district_in_zoned_country() if number % 2 else None
            item.save()
        OutcomeFactory(mission=mission)
        OutcomeFactory(mission=None, partnership=mission.partnership)
        mission.partnership.focus_areas.set([FocusAreaFactory()])
        ObjectiveFactory(partnership=mission.partnership)
        KeyFigureFactory(region=mission.partnership.home_region)
        ClusterFactory(region=mission.partnership.home_region)
        PhotoFactory(mission=mission)
        PhotoFactory(mission=None, region=mission.partnership.home_region)


def counted_get(client, assert_num_queries, queries: int, path: str, **params):
    """A GET that runs exactly ``queries`` queries, once the sync records are up to date.

    The first request after a write compares the published set with the export records
    (sync.py); that is its own cost, counted in tests/test_api_sync.py. (That first request
    asks another question than ``path``: the answer to ``path`` must not be cached yet.)
    """
    get_json(client, "deleted", limit=1)
    with assert_num_queries(queries):
        return get_json(client, path, **params)


@pytest.mark.parametrize("programme_items", [1, 30])
@pytest.mark.parametrize("lang", [None, "zh-hans"])
def test_mission_list_queries_do_not_grow(client, django_assert_num_queries, programme_items, lang):
    make_programme(programme_items)
    params = {"lang": lang} if lang else {}

    # count and last change, last record change, missions with partnership,
    # destinations, organisers, programme items, outcomes, photos
    page = counted_get(client, django_assert_num_queries, 8, "missions", **params)

    assert [len(mission["programme_items"]) for mission in page["items"]] == [programme_items] * 3
    assert {item["time_zone"] for m in page["items"] for item in m["programme_items"]} == {
        "Asia/Shanghai"
    }


# Every endpoint: for a list its count and last change, the last record change, the page;
# for one object, the object. Then what each nests. A detail answer is then stored in the
# read model (readmodel.py): 7 queries more (the lookup; the next scheduled date; a
# savepoint, the entry, its old dependencies out, the new ones in, release); asked again,
# the stored row alone.
@pytest.mark.parametrize("missions", [1, 4])
@pytest.mark.parametrize(
    ("resource", "list_queries", "detail_queries"),
    [
        ("regions", 6, 4 + 7),  # regions with parent, key figures, clusters, photos
        ("partnerships", 5, 3 + 7),  # partnerships with regions and coordinator, areas, objectives
        ("missions", 8, 6 + 7),  # destinations, organisers, items, outcomes, photos
        ("outcomes", 3, 1 + 7),  # outcomes with partnership, mission and area
        ("organisations", 3, 1 + 7),  # organisations with region
    ],
)
def test_queries_per_endpoint(
    client, django_assert_num_queries, resource, list_queries, detail_queries, missions
):
    make_programme(missions=missions)
    last = RESOURCES[resource]._meta.model.objects.published().last()

    page = counted_get(client, django_assert_num_queries, list_queries, resource)
    detail = f"{resource}/{last.uuid}"
    built = counted_get(client, django_assert_num_queries, detail_queries, detail, lang="en")
    cached = counted_get(client, django_assert_num_queries, 0, detail, lang="en")  # api_view's
    cache.clear()  # without the answer cache: the read model's stored row alone
    stored = counted_get(client, django_assert_num_queries, 1, detail, lang="en")

    assert stored == cached == built

    assert page["count"] >= missions
    if resource == "regions":  # the time zone inherited from three levels up, query-free
        by_kind = {(r["kind"], r["time_zone"]) for r in page["items"] if r["time_zone"]}
        assert ("district", "Asia/Shanghai") in by_kind


@pytest.mark.parametrize("gone", [1, 20])
def test_deleted_list_queries_do_not_grow(client, django_assert_num_queries, gone):
    for mission in MissionFactory.create_batch(gone):
        mission.delete()

    # count and last tombstone, last record change, the page
    page = counted_get(client, django_assert_num_queries, 3, "deleted")

    assert page["count"] == gone


# The OpenAPI document and the docs page.


@pytest.fixture
def openapi(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_openapi_document_is_valid_and_lists_every_endpoint(openapi):
    validate_openapi_document(openapi)

    assert openapi["openapi"].startswith("3.1")
    assert (openapi["info"]["title"], openapi["info"]["version"]) == ("Twinning CMS API", "1")
    assert "fallbacks" in openapi["info"]["description"]
    assert {
        (path, method, operation["operationId"])
        for path, operations in openapi["paths"].items()
        for method, operation in operations.items()
    } == {
        ("/api/v1/regions", "get", "list_regions"),
        ("/api/v1/regions/{uuid}", "get", "get_region"),
        ("/api/v1/partnerships", "get", "list_partnerships"),
        ("/api/v1/partnerships/{uuid}", "get", "get_partnership"),
        ("/api/v1/missions", "get", "list_missions"),
        ("/api/v1/missions/{uuid}", "get", "get_mission"),
        ("/api/v1/outcomes", "get", "list_outcomes"),
        ("/api/v1/outcomes/{uuid}", "get", "get_outcome"),
        ("/api/v1/organisations", "get", "list_organisations"),
        ("/api/v1/organisations/{uuid}", "get", "get_organisation"),
        ("/api/v1/deleted", "get", "list_deleted"),
    }


def test_openapi_documents_both_text_shapes(openapi):
    schemas = openapi["components"]["schemas"]

    assert schemas["MissionExport"] == {
        "anyOf": [
            {"$ref": "#/components/schemas/MissionInOneLanguage"},
            {"$ref": "#/components/schemas/MissionInAllLanguages"},
        ]
    }
    assert schemas["MissionInOneLanguage"]["properties"]["title"] == {
        "title": "Title",
        "type": "string",
    }
    assert schemas["MissionInAllLanguages"]["properties"]["title"] == {
        "$ref": "#/components/schemas/TranslatedText"
    }
    assert schemas["TranslatedText"]["required"] == ["nl", "en", "zh-hans"]
    assert "fallbacks" in schemas["MissionInOneLanguage"]["required"]
    assert "fallbacks" not in schemas["MissionInAllLanguages"]["properties"]
    parameters = openapi["paths"]["/api/v1/missions"]["get"]["parameters"]
    lang = next(parameter for parameter in parameters if parameter["name"] == "lang")
    assert (lang["name"], lang["schema"]["anyOf"][0]["enum"]) == ("lang", ["nl", "en", "zh-hans"])


@pytest.mark.parametrize(
    ("model", "schema"),
    [
        (Region, "Region"),
        (KeyFigure, "KeyFigure"),
        (Cluster, "Cluster"),
        (Organisation, "Organisation"),
        (Partnership, "Partnership"),
        (FocusArea, "FocusArea"),
        (Objective, "Objective"),
        (Mission, "Mission"),
        (ProgrammeItem, "ProgrammeItem"),
        (Outcome, "Outcome"),
    ],
)
def test_every_translated_field_is_documented_as_translated_text(openapi, model, schema):
    properties = openapi["components"]["schemas"][f"{schema}InAllLanguages"]["properties"]
    documented = {
        name
        for name, details in properties.items()
        if details.get("$ref") == "#/components/schemas/TranslatedText"
    }
    derived = {"formatted"} if model is KeyFigure else set()

    assert documented == set(translator.get_options_for_model(model).fields) | derived


def documented_schema(openapi, name: str) -> OAS31Validator:
    return OAS31Validator(
        {"$ref": f"#/components/schemas/{name}", "components": openapi["components"]},
        format_checker=OAS31Validator.FORMAT_CHECKER,
    )


@pytest.mark.parametrize("resource", RESOURCES)
def test_responses_match_the_documented_schemas(client, openapi, resource):
    make_programme()
    obj = RESOURCES[resource]()
    schema = SCHEMAS[resource]

    for params, shape, other in [
        ({"lang": "zh-hans"}, "InOneLanguage", "InAllLanguages"),
        ({}, "InAllLanguages", "InOneLanguage"),
    ]:
        detail = get_json(client, f"{resource}/{obj.uuid}", **params)
        documented_schema(openapi, f"{schema}{shape}").validate(detail)
        assert not documented_schema(openapi, f"{schema}{other}").is_valid(detail)
        documented_schema(openapi, f"Paged{schema}Export").validate(
            get_json(client, resource, **params)
        )


@pytest.mark.parametrize("lang", [None, "nl", "en", "zh-hans"])
def test_all_seed_content_is_exported_as_documented(seeded, client, openapi, lang):
    params = {"lang": lang} if lang else {}

    for resource, factory in RESOURCES.items():
        page = get_json(client, resource, limit=100, **params)
        documented_schema(openapi, f"Paged{SCHEMAS[resource]}Export").validate(page)
        published = factory._meta.model.objects.published()
        assert {item["uuid"] for item in page["items"]} == {uuid(obj) for obj in published}


def test_seed_key_figures_are_numbers_with_their_display_text(seeded, client):
    zhejiang = Region.objects.get(slug="zhejiang")

    figures = get_json(client, f"regions/{zhejiang.uuid}")["key_figures"]

    population = next(figure for figure in figures if figure["value"] == 54_000_000)
    assert population["formatted"] == texts("54 miljoen", "54 million", "5400万")


def test_docs_page_loads_only_local_files(client):
    response = client.get("/api/v1/docs")
    html = response.content.decode()

    assert response.status_code == 200
    assert sorted(set(re.findall(r'(?:src|href)="([^"]*)"', html))) == [
        "/static/ninja/favicon.png",
        "/static/ninja/favicon.svg",
        "/static/ninja/swagger-ui-bundle.js",
        "/static/ninja/swagger-ui-init.js",
        "/static/ninja/swagger-ui.css",
    ]
    assert "//" not in html
    assert '"url": "/api/v1/openapi.json"' in html
    assert '"validatorUrl": null' in html
    # The site's strict policy, not a looser one for this page.
    assert "style-src 'self';" in response["Content-Security-Policy"]
    assert "unsafe" not in response["Content-Security-Policy"]


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
RECORD_CSP_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_docs_page_works_under_the_strict_content_security_policy(live_server, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    make_programme()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page()
            requested = []
            page.on("request", lambda request: requested.append(request.url))
            page.add_init_script(RECORD_CSP_VIOLATIONS)

            page.goto(f"{live_server.url}/api/v1/docs")
            operation = page.locator("#operations-missions-list_missions")
            operation.locator(".opblock-summary").click()
            operation.get_by_role("button", name="Try it out").click()
            operation.get_by_role("button", name="Execute").click()
            status = operation.locator(".live-responses-table tbody .response-col_status")

            expect(status).to_have_text("200")
            assert page.locator(".opblock-summary").count() == 11  # with /deleted
            expect(page.locator(".info .title")).to_contain_text("Twinning CMS API")
            # Swagger UI's stylesheet applies: the GET badge is blue.
            badge = operation.locator(".opblock-summary-method")
            assert badge.evaluate("element => getComputedStyle(element).backgroundColor") == (
                "rgb(97, 175, 254)"
            )
            assert page.evaluate("window.cspViolations") == []
            assert requested and all(url.startswith(live_server.url) for url in requested)
        finally:
            browser.close()
