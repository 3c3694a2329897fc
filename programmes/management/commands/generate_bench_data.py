"""A large, published data set for ``make bench``, written in bulk into an empty database.

The shape follows the seed content at scale: countries, provinces and cities with key
figures and clusters; organisations; partnerships between a European and a Chinese
region; missions with destinations, organisers, programme items over their cities and an
outcome. Every text is filled in Dutch, English and Chinese, so no page falls back.
``bulk_create`` sends no signals, so the page cache is told once at the end.
"""

import datetime as dt
import io
import itertools
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.utils import timezone
from PIL import Image

from programmes.models import (
    Cluster,
    FocusArea,
    KeyFigure,
    Mission,
    Objective,
    Organisation,
    Outcome,
    Partnership,
    Photo,
    ProgrammeItem,
    Region,
    Status,
)
from readpath.caching import content_changed

# (slug, nl, en, zh, latitude, longitude). Cities are spread over the provinces.
COUNTRIES = [
    ("nederland", "Nederland", "the Netherlands", "荷兰", "52.1", "5.3"),
    ("belgie", "België", "Belgium", "比利时", "50.6", "4.7"),
    ("china", "China", "China", "中国", "35.0", "103.0"),
]
EUROPEAN_PROVINCES = [
    ("overijssel", "Overijssel", "Overijssel", "上艾瑟尔", "52.44", "6.50"),
    ("gelderland", "Gelderland", "Gelderland", "海尔德兰", "52.06", "5.94"),
    ("west-vlaanderen", "West-Vlaanderen", "West Flanders", "西弗兰德", "51.04", "3.10"),
]
CHINESE_PROVINCES = [
    ("zhejiang", "Zhejiang", "Zhejiang", "浙江", "29.18", "120.10"),
    ("jiangsu", "Jiangsu", "Jiangsu", "江苏", "32.97", "119.46"),
    ("liaoning", "Liaoning", "Liaoning", "辽宁", "41.30", "122.61"),
    ("guangdong", "Guangdong", "Guangdong", "广东", "23.38", "113.42"),
    ("shandong", "Shandong", "Shandong", "山东", "36.34", "118.15"),
    ("fujian", "Fujian", "Fujian", "福建", "26.07", "117.98"),
    ("sichuan", "Sichuan", "Sichuan", "四川", "30.65", "102.68"),
    ("hubei", "Hubei", "Hubei", "湖北", "30.98", "112.27"),
]
FOCUS_AREAS = [
    ("economy", "Economie", "Economy", "经济"),
    ("education", "Onderwijs", "Education", "教育"),
    ("culture", "Cultuur", "Culture", "文化"),
    ("sustainability", "Duurzaamheid", "Sustainability", "可持续发展"),
]
# One programme item per kind, in turn: (kind, nl, en, zh), formatted with the city's names.
ITEM_KINDS = [
    (
        ProgrammeItem.Kind.COMPANY_VISIT,
        "Bedrijfsbezoek in {city}",
        "Company visit in {city}",
        "{city}企业参观",
    ),
    (
        ProgrammeItem.Kind.PORT,
        "Bezoek aan de haven van {city}",
        "Visit to the port of {city}",
        "参观{city}港",
    ),
    (
        ProgrammeItem.Kind.UNIVERSITY,
        "Universiteit van {city}",
        "University of {city}",
        "{city}大学",
    ),
    (
        ProgrammeItem.Kind.B2B_MEETINGS,
        "B2B-gesprekken in {city}",
        "B2B meetings in {city}",
        "{city}企业对接会",
    ),
    (ProgrammeItem.Kind.MUSEUM, "Museum van {city}", "Museum of {city}", "{city}博物馆"),
    (
        ProgrammeItem.Kind.SITE_VISIT,
        "Werkbezoek in {city}",
        "Site visit in {city}",
        "{city}实地考察",
    ),
]
SECTORS = [
    ("textiel", "textiles", "纺织"),
    ("logistiek", "logistics", "物流"),
    ("hightech", "high tech", "高科技"),
    ("machinebouw", "machine building", "机械制造"),
    ("voedingsmiddelen", "food", "食品"),
]
PARAGRAPHS = {
    "nl": (
        "<p>{name} is een belangrijke partner in de samenwerking tussen Europese en Chinese "
        "regio's. Bedrijven, kennisinstellingen en overheden werken hier samen aan handel, "
        "innovatie en onderwijs, en bezoeken elkaar geregeld.</p>"
    ),
    "en": (
        "<p>{name} is an important partner in the cooperation between European and Chinese "
        "regions. Companies, universities and governments work together on trade, innovation "
        "and education here, and visit each other regularly.</p>"
    ),
    "zh": (
        "<p>{name}是中欧地区合作的重要伙伴。"
        "企业、高校和政府在贸易、创新和教育领域开展合作，并定期互访。</p>"
    ),
}
BATCH_SIZE = 1000
PHOTO_COLOURS = ["navy", "darkred", "darkgreen", "goldenrod", "teal"]


def texts(field: str, nl: str, en: str, zh: str) -> dict[str, str]:
    """One translated field's three columns."""
    return {f"{field}_nl": nl, f"{field}_en": en, f"{field}_zh_hans": zh}


def prose(field: str, nl: str, en: str, zh: str, paragraphs: int = 3) -> dict[str, str]:
    """A rich text of a few paragraphs about ``nl`` / ``en`` / ``zh``, in each language."""
    return texts(
        field,
        PARAGRAPHS["nl"].format(name=nl) * paragraphs,
        PARAGRAPHS["en"].format(name=en) * paragraphs,
        PARAGRAPHS["zh"].format(name=zh) * paragraphs,
    )


class Command(BaseCommand):
    help = (
        "Fill an EMPTY database with a large published data set for benchmarks "
        "(make bench): regions, organisations, partnerships, missions with programme items."
    )

    def add_arguments(self, parser):
        parser.add_argument("--missions", type=int, default=1000)
        parser.add_argument("--items", type=int, default=30, help="programme items per mission")
        parser.add_argument("--regions", type=int, default=200)
        parser.add_argument(
            "--photos",
            type=int,
            default=0,
            help="photos (small generated JPEGs) of the first missions, one each",
        )

    def handle(self, *args, missions, items, regions, photos, verbosity, **options):
        if Region.objects.exists():
            raise CommandError(
                "This database already has content; the bench data set goes into an empty "
                "database (make bench creates one)."
            )
        minimum = len(COUNTRIES) + len(EUROPEAN_PROVINCES) + len(CHINESE_PROVINCES) + 2
        if regions < minimum:
            raise CommandError(f"--regions must be at least {minimum}.")
        with transaction.atomic():
            counts = _Generator(missions, items, regions, photos).generate()
        content_changed()
        if verbosity:
            summary = ", ".join(f"{count} {name}" for name, count in counts.items())
            self.stdout.write(self.style.SUCCESS(f"Generated {summary}."))


class _Generator:
    def __init__(self, missions: int, items: int, regions: int, photos: int = 0):
        self.missions = missions
        self.items = items
        self.regions = regions
        self.photos = photos
        self.now = timezone.now()
        self.published = {"status": Status.PUBLISHED, "publish_at": self.now - dt.timedelta(days=1)}

    def generate(self) -> dict[str, int]:
        european_cities, chinese_cities = self.make_regions()
        organisations = self.make_organisations(european_cities + chinese_cities)
        areas = _bulk(
            FocusArea,
            [
                FocusArea(slug=slug, order=i, **texts("name", *names))
                for i, (slug, *names) in enumerate(FOCUS_AREAS)
            ],
        )
        partnerships = self.make_partnerships(european_cities, chinese_cities, organisations, areas)
        missions = self.make_missions(partnerships, chinese_cities, organisations, areas)
        self.make_photos(missions[: self.photos])
        return {
            "regions": Region.objects.count(),
            "organisations": len(organisations),
            "partnerships": len(partnerships),
            "missions": len(missions),
            "programme items": ProgrammeItem.objects.count(),
            "outcomes": Outcome.objects.count(),
            "photos": Photo.objects.count(),
        }

    # Regions ---------------------------------------------------------------------------

    def make_regions(self) -> tuple[list[Region], list[Region]]:
        """Three countries, their provinces, and cities filling up to ``self.regions``."""
        netherlands, belgium, china = _bulk(
            Region, [self.region(*c[:4], Region.Kind.COUNTRY, None, *c[4:]) for c in COUNTRIES]
        )
        countries = {
            "overijssel": netherlands,
            "gelderland": netherlands,
            "west-vlaanderen": belgium,
        }
        european = _bulk(
            Region,
            [
                self.region(*p[:4], Region.Kind.PROVINCE, countries[p[0]], *p[4:])
                for p in EUROPEAN_PROVINCES
            ],
        )
        chinese = _bulk(
            Region,
            [self.region(*p[:4], Region.Kind.PROVINCE, china, *p[4:]) for p in CHINESE_PROVINCES],
        )
        cities = self.regions - len(COUNTRIES) - len(european) - len(chinese)
        european_share = max(1, cities // 5)
        european_cities = self.make_cities(european, european_share, "Stad", "Town", "镇")
        chinese_cities = self.make_cities(chinese, cities - european_share, "Shi", "City", "市")
        self.make_key_figures([*european, *chinese, *european_cities, *chinese_cities])
        self.make_clusters(chinese_cities)
        return european_cities, chinese_cities

    def region(self, slug, nl, en, zh, kind, parent, latitude, longitude) -> Region:
        return Region(
            slug=slug,
            kind=kind,
            parent=parent,
            latitude=Decimal(latitude),
            longitude=Decimal(longitude),
            **texts("name", nl, en, zh),
            **texts(
                "summary",
                f"{nl}: handel, innovatie en onderwijs.",
                f"{en}: trade, innovation and education.",
                f"{zh}：贸易、创新和教育。",
            ),
            **prose("profile", nl, en, zh),
            **self.published,
        )

    def make_cities(
        self, provinces: list[Region], count: int, nl: str, en: str, zh: str
    ) -> list[Region]:
        cities = []
        for number, province in zip(range(1, count + 1), itertools.cycle(provinces), strict=False):
            offset = Decimal(number % 20) / 10
            cities.append(
                self.region(
                    f"{province.slug}-{en.lower()}-{number:03}",
                    f"{province.name_nl} {nl} {number}",
                    f"{province.name_en} {en} {number}",
                    f"{province.name_zh_hans}{number}{zh}",
                    Region.Kind.CITY,
                    province,
                    str(province.latitude + offset - 1),
                    str(province.longitude + offset - 1),
                )
            )
        return _bulk(Region, cities)

    def make_key_figures(self, regions: list[Region]) -> None:
        figures = [
            ("Inwoners", "Population", "人口", KeyFigure.Unit.COUNT, 4_500_000),
            (
                "Bruto regionaal product",
                "Gross regional product",
                "地区生产总值",
                KeyFigure.Unit.USD,
                95_000_000_000,
            ),
            ("Oppervlakte", "Area", "面积", KeyFigure.Unit.KILOMETRES, 12_000),
        ]
        _bulk(
            KeyFigure,
            [
                KeyFigure(
                    region=region,
                    value=Decimal(value + 1000 * region.pk),
                    unit=unit,
                    year=2023,
                    order=order,
                    **texts("label", nl, en, zh),
                    **texts(
                        "source",
                        "CBS / Nationaal Bureau voor de Statistiek",
                        "National statistics",
                        "国家统计局",
                    ),
                )
                for region in regions
                for order, (nl, en, zh, unit, value) in enumerate(figures)
            ],
        )

    def make_clusters(self, cities: list[Region]) -> None:
        _bulk(
            Cluster,
            [
                Cluster(
                    region=city,
                    order=order,
                    **texts("sector", *SECTORS[(city.pk + order) % len(SECTORS)]),
                )
                for city in cities
                for order in range(2)
            ],
        )

    # Organisations and partnerships ----------------------------------------------------

    def make_organisations(self, cities: list[Region]) -> list[Organisation]:
        count = min(100, len(cities))
        return _bulk(
            Organisation,
            [
                Organisation(
                    slug=f"organisation-{number:03}",
                    kind=Organisation.Kind.DEVELOPMENT_AGENCY,
                    region=city,
                    website=f"https://organisation-{number:03}.example.org/",
                    **texts(
                        "name",
                        f"Ontwikkelingsmaatschappij {city.name_nl}",
                        f"{city.name_en} Development Agency",
                        f"{city.name_zh_hans}发展局",
                    ),
                    **prose("description", city.name_nl, city.name_en, city.name_zh_hans, 1),
                    **self.published,
                )
                for number, city in enumerate(cities[:count], start=1)
            ],
        )

    def make_partnerships(self, european, chinese, organisations, areas) -> list[Partnership]:
        count = max(1, self.missions // 20)
        partnerships = _bulk(
            Partnership,
            [
                Partnership(
                    slug=f"partnership-{number:03}",
                    kind=Partnership.Kind.CITY_LINK,
                    home_region=home,
                    partner_region=partner,
                    since_year=1990 + number % 30,
                    coordinator=organisation,
                    owner=organisation,
                    **texts(
                        "title",
                        f"Stedenband {home.name_nl} – {partner.name_nl}",
                        f"{home.name_en} – {partner.name_en} city link",
                        f"{home.name_zh_hans}—{partner.name_zh_hans}友好城市",
                    ),
                    **texts(
                        "summary",
                        "Samenwerking in handel, onderwijs en cultuur.",
                        "Cooperation in trade, education and culture.",
                        "贸易、教育和文化合作。",
                    ),
                    **prose("description", home.name_nl, home.name_en, home.name_zh_hans),
                    **self.published,
                )
                for number, home, partner, organisation in zip(
                    range(1, count + 1),
                    itertools.cycle(european),
                    itertools.cycle(chinese),
                    itertools.cycle(organisations),
                    strict=False,
                )
            ],
        )
        through = Partnership.focus_areas.through
        _bulk(
            through,
            [
                through(partnership=p, focusarea=areas[(p.pk + i) % len(areas)])
                for p in partnerships
                for i in range(2)
            ],
        )
        _bulk(
            Objective,
            [
                Objective(
                    partnership=p,
                    order=order,
                    **texts(
                        "text", f"Doel {order + 1}", f"Objective {order + 1}", f"目标{order + 1}"
                    ),
                )
                for p in partnerships
                for order in range(3)
            ],
        )
        return partnerships

    # Missions --------------------------------------------------------------------------

    def make_missions(self, partnerships, cities, organisations, areas) -> list[Mission]:
        missions = _bulk(
            Mission,
            [
                self.mission(number, partnership)
                for number, partnership in zip(
                    range(1, self.missions + 1), itertools.cycle(partnerships), strict=False
                )
            ],
        )
        destinations = {
            m.pk: [cities[(2 * m.pk) % len(cities)], cities[(2 * m.pk + 1) % len(cities)]]
            for m in missions
        }
        self.link(Mission.destinations.through, "region", destinations)
        self.link(
            Mission.organisers.through,
            "organisation",
            {
                m.pk: [
                    organisations[m.pk % len(organisations)],
                    organisations[(m.pk + 7) % len(organisations)],
                ]
                for m in missions
            },
        )
        self.make_programme_items(missions, destinations, organisations)
        _bulk(
            Outcome,
            [
                Outcome(
                    slug=f"outcome-{m.pk:04}",
                    kind=Outcome.Kind.COLLABORATION,
                    area=areas[m.pk % len(areas)],
                    partnership_id=m.partnership_id,
                    mission=m,
                    order=0,
                    **texts(
                        "title",
                        f"Samenwerking na {m.title_nl}",
                        f"Collaboration after {m.title_en}",
                        f"{m.title_zh_hans}后的合作",
                    ),
                    **texts("parties", "Twee bedrijven", "Two companies", "两家企业"),
                    **prose("description", m.title_nl, m.title_en, m.title_zh_hans, 1),
                    **self.published,
                )
                for m in missions
            ],
        )
        return missions

    def mission(self, number: int, partnership: Partnership) -> Mission:
        start = dt.date(2015, 3, 1) + dt.timedelta(days=(number * 37) % 3650)
        return Mission(
            slug=f"mission-{number:04}",
            kind=Mission.Kind.ECONOMIC_MISSION,
            partnership=partnership,
            start_date=start,
            end_date=start + dt.timedelta(days=self.items // 6),
            leader_name="Marijke van Hees",
            **texts(
                "title", f"Handelsmissie {number}", f"Trade mission {number}", f"经贸考察团{number}"
            ),
            **texts("leader_role", "gedeputeerde", "provincial executive", "副省长"),
            **texts(
                "participants",
                "ondernemers uit de regio",
                "entrepreneurs from the region",
                "本地区企业家",
            ),
            **texts(
                "summary",
                "Een week handel en innovatie.",
                "A week of trade and innovation.",
                "为期一周的贸易与创新之旅。",
            ),
            **prose("context", "de bestemmingen", "the destinations", "目的地"),
            **prose("why", "deze missie", "this mission", "本次考察"),
            **prose("programme_intro", "het programma", "the programme", "日程", 1),
            **prose("result", "de missie", "the mission", "考察", 1),
            **self.published,
        )

    def make_programme_items(self, missions, destinations, organisations) -> None:
        """A batch of missions' items at a time: 300,000 unsaved items would fill the memory."""
        per_batch = max(1, BATCH_SIZE // max(1, self.items))
        for start in range(0, len(missions), per_batch):
            _bulk(
                ProgrammeItem,
                [
                    self.programme_item(
                        mission, order, destinations[mission.pk][order % 2], organisations
                    )
                    for mission in missions[start : start + per_batch]
                    for order in range(self.items)
                ],
            )

    def programme_item(self, mission, order, city, organisations) -> ProgrammeItem:
        kind, nl, en, zh = ITEM_KINDS[order % len(ITEM_KINDS)]
        date = mission.start_date + dt.timedelta(days=order // 6)
        return ProgrammeItem(
            mission=mission,
            city=city,
            host=organisations[(mission.pk + order) % len(organisations)],
            kind=kind,
            order=order,
            date=date,
            start_time=dt.time(9 + order % 6),
            **texts(
                "title",
                nl.format(city=city.name_nl),
                en.format(city=city.name_en),
                zh.format(city=city.name_zh_hans),
            ),
            **texts(
                "description",
                "Kennismaking, rondleiding en gesprek over samenwerking.",
                "Introduction, tour and a talk about cooperation.",
                "介绍、参观并洽谈合作。",
            ),
        )

    def make_photos(self, missions: list[Mission]) -> None:
        """A photo per mission, saved one by one: the photo field cleans and stores each file."""
        for number, mission in enumerate(missions):
            image = Image.new("RGB", (640, 480), PHOTO_COLOURS[number % len(PHOTO_COLOURS)])
            data = io.BytesIO()
            image.save(data, "JPEG", quality=85)
            Photo.objects.create(
                mission=mission,
                image=ContentFile(data.getvalue(), name="photo.jpg"),
                credit="Twinning CMS bench",
                **texts("alt_text", "Foto van de missie", "Photo of the mission", "考察照片"),
                **texts("caption", mission.title_nl, mission.title_en, mission.title_zh_hans),
            )

    def link(
        self, through: type[models.Model], target: str, targets: dict[int, list[models.Model]]
    ) -> None:
        _bulk(
            through,
            [
                through(mission_id=pk, **{target: obj})
                for pk, objects in targets.items()
                for obj in objects
            ],
        )


def _bulk[M: models.Model](model: type[M], objects: list[M]) -> list[M]:
    return model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
