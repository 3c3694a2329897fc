"""factory-boy factories that fill every language (nl, en, zh-hans).

Content is published by default, because most tests look at the public site;
pass ``status=Status.DRAFT`` for a draft.
"""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

from programmes.domain.permissions import sync_role_groups
from programmes.models import (
    Cluster,
    FocusArea,
    KeyFigure,
    Membership,
    Mission,
    MissionDestination,
    Objective,
    Organisation,
    Outcome,
    PartnerReviewer,
    Partnership,
    Photo,
    ProgrammeItem,
    Region,
    SitePage,
    Status,
)
from registrations.models import Registration, RegistrationSettings
from registrations.models import Status as RegistrationStatus


def translated(field: str, nl: str, en: str, zh: str) -> dict:
    """Declarations for one translated field: ``field_nl``, ``field_en``, ``field_zh_hans``."""
    return {
        f"{field}_nl": factory.Sequence(lambda n: nl.format(n=n)),
        f"{field}_en": factory.Sequence(lambda n: en.format(n=n)),
        f"{field}_zh_hans": factory.Sequence(lambda n: zh.format(n=n)),
    }


class PublishedFactory(factory.django.DjangoModelFactory):
    status = Status.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))


class RegionFactory(PublishedFactory):
    class Meta:
        model = Region

    slug = factory.Sequence(lambda n: f"region-{n}")
    kind = Region.Kind.CITY
    latitude = Decimal("30.27415")
    longitude = Decimal("120.15515")
    locals().update(translated("name", "Regio {n}", "Region {n}", "地区{n}"))
    locals().update(translated("summary", "Samenvatting {n}", "Summary {n}", "摘要{n}"))
    locals().update(
        translated("profile", "<p>Profiel {n}</p>", "<p>Profile {n}</p>", "<p>简介{n}</p>")
    )


def district_in_zoned_country(time_zone: str = "Asia/Shanghai") -> Region:
    """A district in a city in a province in a country: only the country names a time zone,
    so finding the district's takes the whole ``parent`` chain (an N+1 would show)."""
    region = RegionFactory(kind=Region.Kind.COUNTRY, time_zone=time_zone)
    for kind in (Region.Kind.PROVINCE, Region.Kind.CITY, Region.Kind.DISTRICT):
        region = RegionFactory(kind=kind, parent=region)
    return region


class KeyFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyFigure

    region = factory.SubFactory(RegionFactory)
    value = Decimal("54000000")
    unit = KeyFigure.Unit.COUNT
    year = 2010
    order = factory.Sequence(int)
    locals().update(translated("label", "Inwoners {n}", "Population {n}", "人口{n}"))
    locals().update(translated("source", "Bron {n}", "Source {n}", "来源{n}"))


class ClusterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cluster

    region = factory.SubFactory(RegionFactory)
    order = factory.Sequence(int)
    locals().update(translated("sector", "textiel {n}", "textiles {n}", "纺织{n}"))


class FocusAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FocusArea
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"area-{n}")
    locals().update(translated("name", "Economie {n}", "Economy {n}", "经济{n}"))


class OrganisationFactory(PublishedFactory):
    class Meta:
        model = Organisation

    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = Organisation.Kind.MUNICIPALITY
    region = factory.SubFactory(RegionFactory)
    locals().update(translated("name", "Gemeente {n}", "Municipality {n}", "市政府{n}"))
    locals().update(
        translated(
            "description", "<p>Organisatie {n}</p>", "<p>Organisation {n}</p>", "<p>机构{n}</p>"
        )
    )


class PartnershipFactory(PublishedFactory):
    class Meta:
        model = Partnership

    slug = factory.Sequence(lambda n: f"partnership-{n}")
    kind = Partnership.Kind.CITY_LINK
    home_region = factory.SubFactory(RegionFactory, kind=Region.Kind.CITY)
    partner_region = factory.SubFactory(RegionFactory, kind=Region.Kind.CITY)
    since_year = 2000
    coordinator = factory.SubFactory(OrganisationFactory)
    owner = factory.SelfAttribute("coordinator")
    locals().update(translated("title", "Stedenband {n}", "City link {n}", "友好城市{n}"))
    locals().update(translated("summary", "Samenwerking {n}", "Cooperation {n}", "合作{n}"))
    locals().update(
        translated(
            "description", "<p>Beschrijving {n}</p>", "<p>Description {n}</p>", "<p>描述{n}</p>"
        )
    )


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    partnership = factory.SubFactory(PartnershipFactory)
    order = factory.Sequence(int)
    locals().update(translated("text", "Doel {n}", "Objective {n}", "目标{n}"))


class MissionFactory(PublishedFactory):
    class Meta:
        model = Mission
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"mission-{n}")
    kind = Mission.Kind.INSPIRATION_TRIP
    partnership = factory.SubFactory(PartnershipFactory)
    leader_name = "Marijke van Hees"
    locals().update(translated("title", "Missie {n}", "Mission {n}", "考察团{n}"))
    locals().update(translated("leader_role", "loco-burgemeester", "deputy mayor", "副市长"))
    locals().update(translated("participants", "ondernemers", "entrepreneurs", "企业家"))
    locals().update(translated("summary", "Samenvatting {n}", "Summary {n}", "摘要{n}"))
    locals().update(
        translated("context", "<p>Context {n}</p>", "<p>Context {n} en</p>", "<p>背景{n}</p>")
    )
    locals().update(translated("why", "<p>Waarom {n}</p>", "<p>Why {n}</p>", "<p>为什么{n}</p>"))
    locals().update(
        translated(
            "programme_intro", "<p>Programma {n}</p>", "<p>Programme {n}</p>", "<p>日程{n}</p>"
        )
    )
    locals().update(
        translated("result", "<p>Resultaat {n}</p>", "<p>Result {n}</p>", "<p>成果{n}</p>")
    )

    @factory.post_generation
    def programme_items(self, create, extracted, **kwargs):
        """``MissionFactory(programme_items=30)`` adds that many items over two cities."""
        if not create or not extracted:
            return
        cities = [RegionFactory(), RegionFactory()]
        host = OrganisationFactory(region=cities[0])
        for index in range(extracted):
            ProgrammeItemFactory(mission=self, city=cities[index % 2], host=host, order=index)

    @factory.post_generation
    def destinations(self, create, extracted, **kwargs):
        """``MissionFactory(destinations=[shanghai, dalian])``: in this order."""
        if create and extracted:
            for position, region in enumerate(extracted):
                MissionDestination.objects.create(mission=self, region=region, position=position)

    @factory.post_generation
    def organisers(self, create, extracted, **kwargs):
        if create and extracted:
            self.organisers.set(extracted)


class ProgrammeItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeItem

    mission = factory.SubFactory(MissionFactory)
    city = factory.SubFactory(RegionFactory)
    kind = ProgrammeItem.Kind.COMPANY_VISIT
    order = factory.Sequence(int)
    locals().update(translated("title", "Bezoek {n}", "Visit {n}", "参观{n}"))
    locals().update(
        translated("description", "Bedrijfsbezoek {n}", "Company visit {n}", "企业参观{n}")
    )


class OutcomeFactory(PublishedFactory):
    class Meta:
        model = Outcome

    slug = factory.Sequence(lambda n: f"outcome-{n}")
    kind = Outcome.Kind.CONTRACT
    mission = factory.SubFactory(MissionFactory)
    partnership = factory.SelfAttribute("mission.partnership")
    area = factory.SubFactory(FocusAreaFactory, slug="economy")
    locals().update(translated("title", "Contract {n}", "Contract {n} en", "合同{n}"))
    locals().update(translated("parties", "Partijen {n}", "Parties {n}", "各方{n}"))
    locals().update(
        translated("description", "<p>Resultaat {n}</p>", "<p>Outcome {n}</p>", "<p>成果{n}</p>")
    )


class SitePageFactory(PublishedFactory):
    """A published page in the footer, with no purpose (pass ``purpose=SitePage.Purpose.…``)."""

    class Meta:
        model = SitePage

    slug = factory.Sequence(lambda n: f"page-{n}")
    placement = SitePage.Placement.FOOTER
    locals().update(translated("title", "Pagina {n}", "Page {n}", "页面{n}"))
    locals().update(translated("body", "<p>Tekst {n}</p>", "<p>Text {n}</p>", "<p>正文{n}</p>"))


class PhotoFactory(factory.django.DjangoModelFactory):
    """A photo of a mission: a real JPEG made by Pillow (64 × 48 unless ``image__width=…``)."""

    class Meta:
        model = Photo

    mission = factory.SubFactory(MissionFactory)
    image = factory.django.ImageField(
        filename="photo.jpg", format="JPEG", width=64, height=48, color="navy"
    )
    credit = "Gemeente Enschede"
    order = factory.Sequence(int)
    locals().update(translated("alt_text", "Foto {n}", "Photo {n}", "照片{n}"))
    locals().update(translated("caption", "Bijschrift {n}", "Caption {n}", "说明{n}"))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class StaffFactory(UserFactory):
    """A staff member who is not a superuser.

    ``role=permissions.EDITOR, organisations=[enschede]`` makes an editor of Gemeente
    Enschede; ``languages=["zh-hans"]`` goes with every membership (for a translator).
    ``permissions=["programmes.change_mission"]`` adds single permissions.
    """

    is_staff = True

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(sync_role_groups()[extracted])

    @factory.post_generation
    def organisations(self, create, extracted, **kwargs):
        if create and extracted:
            for organisation in extracted:
                Membership.objects.create(user=self, organisation=organisation)

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        if create and extracted:
            self.memberships.update(languages=list(extracted))

    @factory.post_generation
    def reviews(self, create, extracted, **kwargs):
        """``reviews={partnership: ["zh-hans"]}``: a partner reviewer's partnerships."""
        if create and extracted:
            for partnership, languages in extracted.items():
                PartnerReviewer.objects.create(
                    user=self, partnership=partnership, languages=list(languages)
                )

    @factory.post_generation
    def permissions(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        for dotted in extracted:
            app_label, codename = dotted.split(".")
            self.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


class RegistrationSettingsFactory(factory.django.DjangoModelFactory):
    """Registration open now (since yesterday, for a month) for an upcoming mission."""

    class Meta:
        model = RegistrationSettings

    mission = factory.SubFactory(
        MissionFactory,
        start_date=factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=60)),
        end_date=factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=64)),
    )
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))
    capacity = 20


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A confirmed registration (``status=Status.WAITING`` … for others) of an open mission."""

    class Meta:
        model = Registration

    mission = factory.LazyFunction(lambda: RegistrationSettingsFactory().mission)
    status = RegistrationStatus.CONFIRMED
    name = factory.Sequence(lambda n: f"Ondernemer {n}")
    organisation = factory.Sequence(lambda n: f"Bedrijf {n} BV")
    role = "directeur"
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    sector = factory.LazyFunction(lambda: FocusAreaFactory(slug="economy"))
    interests = "Partners in de haven van Dalian"
    language = "nl"
    consented_at = factory.LazyFunction(timezone.now)
    confirmed_at = factory.LazyFunction(timezone.now)


def reviewable_content(partnership, status=Status.DRAFT) -> dict:
    """A partnership with one object of every kind a partner reviewer reads, by model."""
    mission = MissionFactory(partnership=partnership, status=status)
    return {
        Partnership: partnership,
        Objective: ObjectiveFactory(partnership=partnership),
        Mission: mission,
        ProgrammeItem: ProgrammeItemFactory(mission=mission),
        Outcome: OutcomeFactory(mission=mission, status=status),
        Photo: PhotoFactory(mission=mission),
    }
