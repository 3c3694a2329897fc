"""Every admin URL, walked as another organisation's staff: nothing of Enschede's is reached.

The URL patterns are found, not listed: every registered model admin's ``get_urls()`` and
the admin site's own. Each is filled with Enschede's objects (drafts, published, deleted),
the ids of their versions (and of the shared region's versions revised with them, and of
a programme item whose id is a POM mission's), and requested, GET and POST, as an editor,
a publisher and a translator of POM West-Vlaanderen, and as a partner reviewer of POM's
partnership (who must see no more of Enschede's than POM's staff do, Enschede's
reviewers' suggestions included). Every answer must refuse (404, 403,
or a redirect to the login, the index or a list), show none of Enschede's texts (all of
which carry ``MARKER``), and leave every row of the database as it was.

A pattern this file does not know how to fill fails the test: a new admin view must be
added to ``FILLERS``, so the walk can never skip it silently.
"""

import io
import zipfile
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
import reversion
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, reverse
from django.utils import translation
from reversion.models import Version

from programmes.admin.translations import packed
from programmes.domain import audit, permissions, reviews, services
from programmes.domain.permissions import EDITOR, PARTNER_REVIEWER, PUBLISHER, TRANSLATOR
from programmes.exchange import translations
from programmes.models import (
    AuditLogEntry,
    ExportRecord,
    FocusArea,
    Mission,
    Partnership,
    SitePage,
    Status,
    installation_id,
)
from registrations.models import Registration
from registrations.models import Status as RegistrationStatus
from webhooks.models import Delivery, Endpoint

from ..factories import (
    MissionFactory,
    ObjectiveFactory,
    OrganisationFactory,
    OutcomeFactory,
    PartnershipFactory,
    PhotoFactory,
    ProgrammeItemFactory,
    RegionFactory,
    RegistrationFactory,
    RegistrationSettingsFactory,
    SitePageFactory,
    StaffFactory,
)
from ..html_forms import form_data

pytestmark = pytest.mark.django_db

MARKER = "enschede-geheim"  # in every text and slug of Enschede's content, compared lowercased
TEXT_FIELDS = (
    "title",
    "summary",
    "alt_text",
    "caption",
    "text",
    "parties",
    "description",
    "body",
)


def secret(n: int | str) -> dict:
    """Translated texts and a slug that all carry the marker."""
    texts = {
        f"{name}_{language}": f"Enschede-geheim {name} {n}"
        for name in TEXT_FIELDS
        for language in ("nl", "en", "zh_hans")
    }
    return {"slug": f"{MARKER}-{n}", **texts}


def only(model, values: dict) -> dict:
    names = {f.name for f in model._meta.concrete_fields}
    return {name: value for name, value in values.items() if name in names}


@dataclass
class World:
    """Enschede's content (what must not be reached), and POM's own (for mixed URLs)."""

    # model -> Enschede's objects of it, as (pk, readable by POM staff: shared data)
    objects: dict[type, list[tuple[str, bool]]] = field(default_factory=dict)
    versions: list[int] = field(default_factory=list)  # every version id touching Enschede
    own: dict[str, str] = field(default_factory=dict)  # model name -> a POM object's pk
    enschede: object = None
    pom: object = None

    def add(self, obj, *, readable=False) -> None:
        self.objects.setdefault(type(obj), []).append((str(obj.pk), readable))


def enschede_manager():
    return StaffFactory(username=f"{MARKER}-manager", is_superuser=True)


def build_world() -> World:
    world = World()
    enschede = OrganisationFactory(slug="gemeente-enschede", name_en="Gemeente Enschede")
    pom = OrganisationFactory(slug="pom-west-vlaanderen", name_en="POM West-Vlaanderen")
    world.enschede, world.pom = enschede, pom
    west_flanders = RegionFactory(name_en="West Flanders")

    # POM's own: a draft mission (with an id no other object has yet) and a programme item.
    pom_mission = MissionFactory(
        pk=9001, partnership=PartnershipFactory(owner=pom), status=Status.DRAFT
    )
    ProgrammeItemFactory(mission=pom_mission)
    world.own = {
        "mission": str(pom_mission.pk),
        "partnership": str(pom_mission.partnership.pk),
        "region": str(west_flanders.pk),
    }

    def owned(model_factory, n, **kwargs):
        return model_factory(**only(model_factory._meta.model, secret(n)), **kwargs)

    for n, status in enumerate([Status.DRAFT, Status.PUBLISHED, Status.IN_REVIEW]):
        partnership = owned(PartnershipFactory, f"p{n}", owner=enschede, status=status)
        mission = owned(MissionFactory, f"m{n}", partnership=partnership, status=status)
        owned(ObjectiveFactory, f"o{n}", partnership=partnership)
        owned(ProgrammeItemFactory, f"i{n}", mission=mission)
        outcome = owned(OutcomeFactory, f"r{n}", mission=mission, status=status)
        # The draft mission's photo is on a shared region's page too (shown to none but
        # Enschede's staff and site managers until the mission is published).
        region = west_flanders if status == Status.DRAFT else None
        photo = owned(PhotoFactory, f"f{n}", mission=mission, region=region)
        for obj in (partnership, mission, outcome, photo):
            world.add(obj)
        services.save_content(partnership)
        services.save_content(mission)
        mission.title_en = f"Enschede-geheim changed {n}"
        services.save_content(mission)

    draft = Mission.objects.filter(partnership__owner=enschede, status=Status.DRAFT).get()
    # A programme item of Enschede's whose id is the id of POM's mission (reported).
    colliding = owned(ProgrammeItemFactory, "collide", pk=pom_mission.pk, mission=draft)
    services.save_content(draft)
    colliding.title_en = "Enschede-geheim item changed"
    services.save_content(colliding)
    # A shared region revised together with Enschede's draft (a site manager's request).
    with reversion.create_revision():
        reversion.add_to_revision(draft)
        reversion.add_to_revision(west_flanders)
    west_flanders.name_en = "West-Vlaanderen"
    services.save_content(west_flanders)
    world.add(west_flanders, readable=True)

    # Deleted: a mission with its programme, an outcome, a photo, a partnership.
    published = Mission.objects.filter(partnership__owner=enschede, status=Status.PUBLISHED)
    gone = [
        owned(MissionFactory, "gone-m", partnership=draft.partnership, status=Status.DRAFT),
        owned(OutcomeFactory, "gone-r", mission=published.get(), status=Status.PUBLISHED),
        owned(PhotoFactory, "gone-f", mission=draft),
        owned(PartnershipFactory, "gone-p", owner=enschede, status=Status.DRAFT),
    ]
    owned(ProgrammeItemFactory, "gone-i", mission=gone[0])
    for obj in gone:
        pk = obj.pk
        services.delete_content(obj)
        obj.pk = pk
        world.add(obj)

    # Versions of Enschede's objects: the first and last of each kind, the last of each
    # deleted object, and every version of a revision that also holds the shared region.
    theirs = [v for v in Version.objects.order_by("pk") if MARKER in v.serialized_data.lower()]
    kinds = {}
    for version in theirs:
        kinds.setdefault(version.content_type_id, []).append(version.pk)
    deleted = [
        version.pk
        for model in reversion.get_registered_models()
        for version in Version.objects.get_deleted(model)
    ]
    shared = Version.objects.filter(
        revision__version__content_type=ContentType.objects.get_for_model(west_flanders),
        revision__version__object_id=str(west_flanders.pk),
    )
    world.versions = sorted(
        {pk for pks in kinds.values() for pk in (pks[0], pks[-1])}
        | set(deleted)
        | set(shared.values_list("pk", flat=True))
    )
    # People who registered for Enschede's published mission (personal data: only Enschede's
    # publishers and site managers see them), in every status, and its registration settings.
    for n, status in enumerate(RegistrationStatus):
        world.add(
            RegistrationFactory(
                mission=published.get(),
                status=status,
                name=f"Enschede-geheim person {n}",
                organisation=f"Enschede-geheim bedrijf {n}",
                email=f"{MARKER}-{n}@example.org",
                interests=f"Enschede-geheim {n}",
                dietary=f"Enschede-geheim {n}",
            )
        )
    world.add(RegistrationSettingsFactory(mission=draft, capacity=3))
    # Suggestions of Enschede's partner reviewer, open and declined (for Enschede's staff and
    # that partnership's reviewers only), with the marker in every text.
    dalian_reviewer = StaffFactory(
        username=f"{MARKER}-reviewer",
        role=PARTNER_REVIEWER,
        reviews={draft.partnership: ["nl", "en", "zh-hans"]},
    )
    for n, text_field in enumerate(["title", "summary"]):
        suggestion = reviews.suggest(
            draft,
            field=text_field,
            language="zh-hans",
            text=f"Enschede-geheim suggestion {n}",
            comment=f"Enschede-geheim comment {n}",
            by=dalian_reviewer,
            interface_language="zh-hans",
        )
        world.add(suggestion)
    reviews.decline(suggestion, by=enschede_manager(), reply="Enschede-geheim reply")
    # Rows only site managers see, about Enschede.
    endpoint = Endpoint.objects.create(url="https://partner.example/hook", description=MARKER)
    delivery = Delivery.objects.create(
        endpoint=endpoint, event_id=draft.uuid, event_type="mission.changed", payload=secret("d")
    )
    enschede_staff = StaffFactory(username=f"{MARKER}-editor", organisations=[enschede])
    # The site's own pages: no organisation's, and only site managers' to see. Not
    # published ones: every public page (the admin's 404 too) links those in its footer.
    for n, status in enumerate([Status.DRAFT, Status.UNPUBLISHED]):
        page = SitePageFactory(**only(SitePage, secret(f"s{n}")), status=status)
        services.save_content(page)
        world.add(page)
    for obj in (enschede, FocusArea.objects.get()):
        world.add(obj, readable=True)
    for obj in (
        endpoint,
        delivery,
        enschede_staff,
        AuditLogEntry.objects.filter(object_repr__icontains=MARKER).first(),
        ExportRecord.objects.first(),
    ):
        world.add(obj)
    return world


# Filling the patterns ------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    url: str
    refused: bool = True  # must be refused; False: may be shown, if nothing of Enschede is in it
    data: dict | None = None  # extra POST fields
    methods: tuple[str, ...] = ("get", "post")
    form: bool = True  # POST what the site manager's page would post …
    form_url: str | None = None  # … at this URL (default: the same)


def objects_of(world, model):
    """Enschede's objects of ``model``; for a model without any, an id that may exist."""
    return world.objects.get(model) or [("1", False)]


def by_object(suffix: str):
    def fill(world, model, name):
        return [
            Request(
                reverse(f"admin:{name}", args=[quote(pk)]),
                refused=not readable,
                data={"post": "yes"} if suffix == "delete" else None,
            )
            for pk, readable in objects_of(world, model)
        ]

    return fill


def plain(world, model, name):
    return [Request(reverse(f"admin:{name}"), refused=False)]


def changelist(world, model, name):
    """The list, and each action on Enschede's objects of this model."""
    model_admin = admin.site._registry[model]
    selected = [pk for pk, _readable in objects_of(world, model)]
    url = reverse(f"admin:{name}")
    requests = [Request(url, refused=False), Request(f"{url}?q=geheim", refused=False)]
    for action in model_admin._get_base_actions():
        data = {
            "action": action.name,
            "_selected_action": selected,
            "index": "0",
            "post": "yes",
            "confirmed": "yes",  # publish_selected's confirmation
        }
        requests.append(Request(url, refused=False, data=data, methods=("post",), form=False))
    return requests


def a_change_form(world, model) -> str:
    """The change form whose fields a crafted revert or recover would post: POM's own."""
    opts = model._meta
    pk = world.own.get(opts.model_name) or objects_of(world, model)[0][0]
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(pk)])


def recover(world, model, name):
    form_url = a_change_form(world, model)
    return [
        Request(reverse(f"admin:{name}", args=[version]), form_url=form_url)
        for version in world.versions
    ]


def revision(world, model, name):
    """Enschede's objects with their own versions; POM's own object with any of them."""
    form_url = a_change_form(world, model)
    pairs = [
        (pk, version)
        for pk, _readable in objects_of(world, model)
        for version in Version.objects.get_for_object_reference(model, pk).values_list(
            "pk", flat=True
        )
    ]
    own = world.own.get(model._meta.model_name)
    pairs += [(own, version) for version in world.versions] if own else []
    return [
        Request(reverse(f"admin:{name}", args=[quote(pk), version]), form_url=form_url)
        for pk, version in pairs
    ]


def redirect_to_change(world, model, name):
    opts = model._meta
    return [
        Request(f"/admin/{opts.app_label}/{opts.model_name}/{quote(pk)}/", refused=not readable)
        for pk, readable in objects_of(world, model)
    ]


def translation_overview(world, model, name):
    url = reverse(f"admin:{name}")
    return [
        Request(url, refused=False),
        Request(f"{url}?organisation={world.enschede.pk}"),
        Request(f"{url}?organisation=shared"),
    ]


def translation_export(world, model, name):
    """The export of Enschede's missions and partnerships, alone or beside POM's own, and of
    Enschede's organisation and the shared data (site managers only)."""
    url = reverse(f"admin:{name}")
    download = "&download=1&language=zh-hans&source=nl&format=xliff12"
    own = world.own["mission"]
    queries = [
        f"{key}={pk}"
        for model_, key in ((Mission, "mission"), (Partnership, "partnership"))
        for pk, _readable in objects_of(world, model_)
    ]
    queries += [f"mission={own}&mission={pk}" for pk, _readable in objects_of(world, Mission)]
    queries += [f"organisation={world.enschede.pk}", "organisation=shared", "mission=x"]
    return [Request(url, methods=("get",))] + [
        Request(f"{url}?{query}{suffix}", methods=("get", "post"))
        for query in queries
        for suffix in ("", download)
    ]


def translation_import(world, model, name):
    """A translation of all of Enschede's missions, uploaded and confirmed: every unit is
    unknown to POM's staff, so nothing is written and no text of Enschede's is shown."""
    installation_id()  # exists before the walk compares the database
    selection = translations.Selection(
        missions=Mission.objects.filter(partnership__owner=world.enschede)
    )
    content = translations.export(selection, target_language="zh-hans").content
    url = reverse(f"admin:{name}")
    upload = {"file": SimpleUploadedFile("t.xlf", content), "language": "zh-hans"}
    confirm = {"confirm": "1", "content": packed(content), "language": "zh-hans", "digest": "0"}
    return [
        Request(url, refused=False, methods=("get",)),
        Request(url, refused=False, data=upload, methods=("post",), form=False),
        Request(url, refused=False, data=confirm, methods=("post",), form=False),
    ]


def autocomplete(world, model, name):
    """Every autocomplete field of every admin and inline, searched for Enschede's texts."""
    url = reverse(f"admin:{name}")
    requests = []
    for source, model_admin in admin.site._registry.items():
        admins = [model_admin, *(inline(source, admin.site) for inline in model_admin.inlines)]
        for each in admins:
            for field_name in each.autocomplete_fields:
                for term in ("", "geheim", "Enschede"):
                    query = (
                        f"?app_label={each.model._meta.app_label}"
                        f"&model_name={each.model._meta.model_name}"
                        f"&field_name={field_name}&term={term}"
                    )
                    requests.append(Request(url + query, refused=False, methods=("get",)))
    return requests


def view_on_site(world, model, name):
    """The "view on site" redirect, for each of Enschede's objects of any model, with the
    content type spelled as ``int()`` also reads it (a sign, spaces, other scripts' digits)."""
    return [
        Request(reverse(f"admin:{name}", args=[spelling, pk]))
        for each, objects in world.objects.items()
        for pk, readable in objects
        if not readable
        for spelling in spellings_of(ContentType.objects.get_for_model(each).pk)
    ]


def spellings_of(number: int) -> list[str]:
    digits = str(number)
    return [digits, f"+{digits}", f" {digits}", f"{digits} ", digits.translate(FULL_WIDTH)]


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def app_index(world, model, name):
    return [
        Request(reverse(f"admin:{name}", kwargs={"app_label": app_label}), refused=False)
        for app_label in sorted({m._meta.app_label for m in admin.site._registry})
    ]


def review_object(world, model, name):
    """The partner reviewer's page of each of Enschede's objects that reviewers read, and a
    suggestion posted to it."""
    suggestion = {"field": "title", "language": "zh-hans", "text": "Overwritten", "comment": "x"}
    return [
        Request(
            reverse(f"admin:{name}", args=[ContentType.objects.get_for_model(each).pk, pk]),
            data=suggestion,
            form=False,
        )
        for each, objects in world.objects.items()
        if permissions.is_reviewable(each)
        for pk, _readable in objects
    ]


def get_only(world, model, name):
    return [Request(reverse(f"admin:{name}"), refused=False, methods=("get",))]


def not_walked(world, model, name):
    """Logging out would end the walk; it reaches no object."""
    return []


# Keyed by the URL name without the model's "app_model_" prefix (or the route, if unnamed).
FILLERS = {
    # every model admin
    "changelist": changelist,
    "add": plain,
    "change": by_object("change"),
    "delete": by_object("delete"),
    "history": by_object("history"),
    "<path:object_id>/": redirect_to_change,
    # reversion's VersionAdmin
    "recoverlist": plain,
    "recover": recover,
    "revision": revision,
    # our own views
    "bundle": by_object("bundle"),
    "publish": by_object("publish"),
    "personal_data": by_object("personal_data"),
    "erase": by_object("erase"),
    "programmes_translation_overview": translation_overview,
    "programmes_translation_export": translation_export,
    "programmes_translation_import": translation_import,
    "review": plain,
    "review_object": review_object,
    # Django's user admin
    "password_change": by_object("password_change"),
    # the admin site
    "index": plain,
    "login": get_only,
    "logout": not_walked,
    "password_change_done": get_only,
    "site:password_change": get_only,
    "jsi18n": get_only,
    "autocomplete": autocomplete,
    "view_on_site": view_on_site,
    "app_list": app_index,
    "(?P<url>.*)$": lambda world, model, name: [Request("/admin/no-such-page/")],
}


def patterns():
    """(filler key, URL name, model or None) of every admin URL pattern."""
    for model, model_admin in admin.site._registry.items():
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        for pattern in model_admin.get_urls():
            name = pattern.name
            key = name.removeprefix(prefix) if name else str(pattern.pattern)
            yield key, name, model
    for pattern in admin.site.get_urls():
        if isinstance(pattern, URLResolver):
            continue  # the model admins' includes, walked above
        name = pattern.name
        key = name or str(pattern.pattern)
        if name == "password_change":
            key = "site:password_change"
        yield key, name, None


# Walking ------------------------------------------------------------------------------------


def snapshot() -> dict:
    """Every row of every table but the sessions (which hold the messages), and but the
    audit log's "viewed" entries: staff who open a list of registrations are logged,
    which is no change to anything (``viewed_nothing_of_enschede`` checks them).

    In one language: modeltranslation reads a translated field in the active one.
    """
    with translation.override("nl"):
        return {
            model._meta.label: list(
                model._base_manager.exclude(
                    **({"action": AuditLogEntry.Action.VIEWED} if model is AuditLogEntry else {})
                )
                .order_by("pk")
                .values_list()
            )
            for model in apps.get_models()
            if model is not Session
        }


def viewed_nothing_of_enschede(user) -> list[str]:
    """The registrations ``user`` was logged as viewing that are Enschede's (none may be)."""
    theirs = {str(pk) for pk in Registration.objects.values_list("pk", flat=True)}
    viewed = AuditLogEntry.objects.filter(action=AuditLogEntry.Action.VIEWED, user=user)
    return [entry.object_repr for entry in viewed if entry.object_id in theirs]


def body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(b"PK"):
        archive = zipfile.ZipFile(io.BytesIO(content))
        content = b"".join(archive.read(name) for name in archive.namelist())
    return content.decode("utf-8", "replace").lower()


REFUSAL_PATHS = ("/admin/login/", "/admin/")


def judge(request: Request, method: str, response) -> str | None:
    """Why ``response`` lets something through, or None."""
    hops = [url for url, _status in response.redirect_chain]
    if any(MARKER in url.lower() for url in hops):
        return f"redirected to {hops}"
    if MARKER in body(response):
        return f"shows Enschede's content ({response.status_code})"
    if not request.refused:
        return None
    if response.status_code in (403, 404):
        return None
    final = urlsplit(hops[-1]).path if hops else None
    if final is not None and (final in REFUSAL_PATHS or final.endswith("/recover/")):
        return None
    if final is not None and final.count("/") == 4:  # a model's list: /admin/app/model/
        return None
    return f"answered {response.status_code} {hops}"


def post_data(client, request: Request, pages: dict) -> dict:
    """What the site manager's page at the URL would post, with its texts overwritten."""
    if not request.form or "post" not in request.methods:
        return request.data or {}
    url = request.form_url or request.url
    if url not in pages:
        pages[url] = manager_form(client, url)
    return pages[url] | (request.data or {})


def manager_form(client, url: str) -> dict:
    data = {}
    response = client.get(url)
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        data = form_data(response.text)
        for name in list(data):
            if any(name.startswith(f"{text}_") for text in TEXT_FIELDS):
                data[name] = ["Overwritten"]
    data["_save"] = ["Save"]
    return data


def once_worked_on_enschedes_content(user) -> None:
    """The audit log says ``user`` changed and submitted Enschede's drafts, which a publisher
    sent back with a comment (as if they had been Enschede's staff before): the start page's
    panels, which read the log by user, must still list none of it."""
    for model in (Partnership, Mission):
        for obj in model.objects.filter(**owner_filter(model), status=Status.DRAFT):
            audit.record(AuditLogEntry.Action.CHANGED, obj, user=user)
            audit.record(AuditLogEntry.Action.SUBMITTED, obj, user=user)
            audit.record(AuditLogEntry.Action.SENT_BACK, obj, message=f"{MARKER} comment {obj.pk}")


def owner_filter(model) -> dict:
    lookup = "owner__slug" if model is Partnership else "partnership__owner__slug"
    return {lookup: "gemeente-enschede"}


SNAPSHOT_EVERY = 10
ROLES = {
    "editor": EDITOR,
    "publisher": PUBLISHER,
    "translator": TRANSLATOR,
    "reviewer": PARTNER_REVIEWER,
}


@pytest.mark.slow  # every admin URL, as each role: the suite's longest
@pytest.mark.parametrize("role", ROLES)
def test_another_organisations_staff_reach_nothing_through_any_admin_url(client, role):
    world = build_world()
    unknown = sorted({key for key, _name, _model in patterns() if key not in FILLERS})
    assert unknown == [], f"Add these admin URL patterns to FILLERS: {unknown}"
    requests = [
        request for key, name, model in patterns() for request in FILLERS[key](world, model, name)
    ]

    manager = StaffFactory(username="walk-manager", is_superuser=True)
    client.force_login(manager)
    pages = {}
    bodies = [post_data(client, request, pages) for request in requests]
    languages = ["zh-hans"] if ROLES[role] == TRANSLATOR else ()
    if ROLES[role] == PARTNER_REVIEWER:  # of POM's partnership, in every language
        pom_partnership = Partnership.objects.get(pk=world.own["partnership"])
        reviews_ = {pom_partnership: ["nl", "en", "zh-hans"]}
        user = StaffFactory(role=PARTNER_REVIEWER, reviews=reviews_)
    else:
        user = StaffFactory(role=ROLES[role], organisations=[world.pom], languages=languages)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    once_worked_on_enschedes_content(user)

    before = snapshot()
    holes = []
    # The database is compared after every few URLs (a comparison reads every table), and a
    # change names the URLs since the last comparison.
    pairs = list(zip(requests, bodies, strict=True))
    for start in range(0, len(pairs), SNAPSHOT_EVERY):
        batch = pairs[start : start + SNAPSHOT_EVERY]
        for request, data in batch:
            for method in request.methods:
                kwargs = {"data": data} if method == "post" else {}
                response = getattr(client, method)(request.url, follow=True, **kwargs)
                if (why := judge(request, method, response)) is not None:
                    holes.append(f"{method.upper()} {request.url}: {why}")
        if (after := snapshot()) != before:
            changed = sorted(label for label in after if after[label] != before[label])
            urls = ", ".join(request.url for request, _data in batch)
            holes.append(f"one of {urls}: changed {changed}")
            before = after

    assert len(requests) > 200
    assert holes == [], "\n".join(holes)
    assert viewed_nothing_of_enschede(user) == []
