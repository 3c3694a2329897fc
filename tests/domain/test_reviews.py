"""Partner reviewers: what they read, what they may suggest, and how a suggestion is decided.

Every refusal checks that nothing changed: the text, its versions, the audit log and the
suggestions themselves.
"""

import zipfile

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from reversion.models import Version

from programmes.domain import permissions, reviews, revisions, signals
from programmes.domain.permissions import EDITOR, PARTNER_REVIEWER, PUBLISHER, TRANSLATOR
from programmes.exchange.bundles import export_bundle
from programmes.models import (
    AuditLogEntry,
    ContentStamp,
    Mission,
    Objective,
    Outcome,
    PartnerReviewer,
    Partnership,
    Photo,
    ProgrammeItem,
    Status,
    Suggestion,
)
from readpath import caching

from ..factories import (
    OrganisationFactory,
    PartnershipFactory,
    StaffFactory,
    reviewable_content,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """The messages are checked in English (the tests start in Dutch, the site's language)."""
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    """Enschede owns partnerships A (Dalian) and B; POM owns C. The reviewer reviews A."""
    enschede, pom = OrganisationFactory(), OrganisationFactory()
    a = reviewable_content(PartnershipFactory(owner=enschede))
    b = reviewable_content(PartnershipFactory(owner=enschede))
    c = reviewable_content(PartnershipFactory(owner=pom))
    reviewer = StaffFactory(
        username="wang", role=PARTNER_REVIEWER, reviews={a[Partnership]: ["zh-hans", "en"]}
    )
    return {
        "a": a,
        "b": b,
        "c": c,
        "reviewer": reviewer,
        "editor": StaffFactory(role=EDITOR, organisations=[enschede]),
        "publisher": StaffFactory(username="anna", role=PUBLISHER, organisations=[enschede]),
        "pom_publisher": StaffFactory(role=PUBLISHER, organisations=[pom]),
    }


def state(obj) -> tuple:
    """What a refused write must leave as it was."""
    obj = type(obj)._base_manager.get(pk=obj.pk)
    return (
        obj.title_zh_hans,
        obj.title_en,
        Version.objects.get_for_object(obj).count(),
        AuditLogEntry.objects.count(),
        list(Suggestion.objects.values_list("pk", "status", "reply", "decided_by")),
    )


def suggest(world, obj=None, *, field="title", language="zh-hans", text="大连友好城市（修订）"):
    return reviews.suggest(
        obj or world["a"][Mission],
        field=field,
        language=language,
        text=text,
        comment="“友好城市” is the usual term.",
        by=world["reviewer"],
        interface_language="zh-hans",
    )


# What a reviewer reads --------------------------------------------------------------------------


@pytest.mark.parametrize("model", [Partnership, Objective, Mission, ProgrammeItem, Outcome, Photo])
def test_a_reviewer_reads_their_partnerships_content_and_nothing_else(world, model):
    readable = permissions.reviewable(model.objects.all(), world["reviewer"])
    assert list(readable) == [world["a"][model]]
    assert permissions.review_languages(world["reviewer"], world["a"][model]) == {"zh-hans", "en"}
    for other in ("b", "c"):  # the owner's other partnership; another organisation's
        assert permissions.review_languages(world["reviewer"], world[other][model]) == set()


@pytest.mark.parametrize("model", [Partnership, Objective, Mission, ProgrammeItem, Outcome, Photo])
@pytest.mark.parametrize("action", permissions.ACTIONS)
def test_a_reviewer_may_do_nothing_to_content(world, model, action):
    obj = world["a"][model]
    assert not permissions.can(world["reviewer"], action, obj)
    assert not permissions.can(world["reviewer"], action, model)
    assert permissions.scope(model.objects.all(), world["reviewer"]).count() == 0


def test_staff_of_the_owner_are_no_reviewers(world):
    for name in ("editor", "publisher"):
        assert permissions.reviewable(Mission.objects.all(), world[name]).count() == 0
        assert not permissions.may_suggest(world[name], world["a"][Mission], "zh-hans")


def test_the_role_is_a_group_with_the_permissions_of_the_table():
    group = permissions.sync_role_groups()[PARTNER_REVIEWER]
    names = {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }
    assert names == {"programmes.add_suggestion", "programmes.view_suggestion"}


# Suggesting -------------------------------------------------------------------------------------


def test_a_suggestion_records_the_text_it_was_made_against_and_changes_nothing(world):
    mission = world["a"][Mission]
    before = state(mission)
    events = []

    def heard(sender, **kwargs):
        events.append(kwargs["action"])

    signals.content_event.connect(heard)
    try:
        suggestion = suggest(world)
    finally:
        signals.content_event.disconnect(heard)

    assert (suggestion.field, suggestion.language) == ("title", "zh-hans")
    assert suggestion.status == Suggestion.Status.OPEN
    assert suggestion.base_text == mission.title_zh_hans
    assert suggestion.proposed_text == "大连友好城市（修订）"
    assert suggestion.partnership == world["a"][Partnership]
    assert suggestion.target == mission
    assert events == []
    assert state(mission)[:4] == before[:4]


@pytest.mark.parametrize(
    ("where", "field", "language", "text"),
    [
        ("b", "title", "zh-hans", "别的"),  # the owner's other partnership
        ("c", "title", "zh-hans", "别的"),  # another organisation's
        ("a", "title", "nl", "Anders"),  # a language they do not review
        ("a", "slug", "zh-hans", "anders"),  # not a translated text
        ("a", "partnership", "zh-hans", "1"),  # not a text at all
    ],
)
def test_a_suggestion_outside_the_reviewers_texts_is_refused(world, where, field, language, text):
    obj = world[where][Mission]
    before = state(obj)
    with pytest.raises(PermissionDenied):
        suggest(world, obj, field=field, language=language, text=text)
    assert state(obj) == before


@pytest.mark.parametrize("text", ["", "x" * 201])
def test_a_suggestion_the_field_would_not_take_is_refused(world, text):
    # An empty Dutch title and a title over 200 characters: the checks of a save.
    world["reviewer"].partner_reviews.update(languages=["nl", "zh-hans"])
    world["reviewer"] = type(world["reviewer"]).objects.get(pk=world["reviewer"].pk)
    mission = world["a"][Mission]
    before = state(mission)
    with pytest.raises(reviews.SuggestionError):
        suggest(world, field="title", language="nl", text=text)
    assert state(mission) == before


def test_a_comment_or_reply_over_its_length_is_refused(world):
    mission = world["a"][Mission]
    before = state(mission)
    with pytest.raises(reviews.SuggestionError, match="5001"):
        reviews.suggest(
            mission,
            field="title",
            language="zh-hans",
            text="新标题",
            comment="长" * 5001,
            by=world["reviewer"],
            interface_language="zh-hans",
        )
    assert state(mission) == before
    suggestion = suggest(world)
    before = state(mission)
    with pytest.raises(reviews.SuggestionError, match="5001"):
        reviews.decline(suggestion, by=world["editor"], reply="长" * 5001)
    assert state(mission) == before


def test_a_suggestion_of_the_current_text_is_refused(world):
    mission = world["a"][Mission]
    before = state(mission)
    with pytest.raises(reviews.SuggestionError, match="same"):
        suggest(world, text=f"  {mission.title_zh_hans}  ")
    assert state(mission) == before


def test_a_suggested_rich_text_is_sanitized_as_a_save_would(world):
    crafted = '<p>为什么<script>alert(1)</script><a href="javascript:x">去</a></p>'
    suggestion = suggest(world, field="why", text=crafted)
    assert "<script" not in suggestion.proposed_text
    assert "javascript" not in suggestion.proposed_text


@pytest.mark.parametrize("languages", [[], ["fr"], "zh-hans"])
def test_a_reviewer_reviews_in_some_of_the_sites_languages(world, languages):
    membership = world["reviewer"].partner_reviews.get()
    membership.languages = languages
    with pytest.raises(ValidationError):
        membership.full_clean()


def test_an_inactive_or_demoted_reviewer_may_not_suggest(world):
    reviewer = world["reviewer"]
    reviewer.groups.clear()
    reviewer = type(reviewer).objects.get(pk=reviewer.pk)
    assert not permissions.may_suggest(reviewer, world["a"][Mission], "zh-hans")
    assert permissions.reviewable(Mission.objects.all(), reviewer).count() == 0


# Deciding ---------------------------------------------------------------------------------------


def test_an_accepted_suggestion_is_a_change_crediting_reviewer_and_publisher(world):
    mission = world["a"][Mission]
    mission.status = Status.PUBLISHED
    mission.save()
    suggestion = suggest(world)
    events = []

    def heard(sender, **kwargs):
        events.append((kwargs["action"], kwargs["instance"].pk, kwargs["user"]))

    signals.content_event.connect(heard)
    try:
        reviews.accept(suggestion, by=world["publisher"])
    finally:
        signals.content_event.disconnect(heard)

    mission.refresh_from_db()
    assert mission.title_zh_hans == "大连友好城市（修订）"
    assert mission.status == Status.PUBLISHED
    newest = revisions.history(mission)[0]
    assert newest.comment == "Suggested by wang, accepted by anna"
    assert newest.revision.user == world["publisher"]
    entry = AuditLogEntry.objects.filter(object_id=str(mission.pk)).order_by("pk").last()
    assert (entry.action, entry.user, entry.message) == (
        "changed",
        world["publisher"],
        "Suggested by wang, accepted by anna",
    )
    assert entry.changed_fields == ["title_zh_hans"]
    assert events == [("changed", mission.pk, world["publisher"])]
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by) == ("accepted", world["publisher"])
    assert suggestion.decided_at is not None


def test_a_suggestion_for_a_programme_item_is_written_to_the_item(world):
    item = world["a"][ProgrammeItem]
    suggestion = suggest(world, item, field="description", text="参观大连港。")
    reviews.accept(suggestion, by=world["editor"])
    item.refresh_from_db()
    assert item.description_zh_hans == "参观大连港。"


def test_an_editor_may_not_accept_for_a_published_page(world):
    mission = world["a"][Mission]
    mission.status = Status.PUBLISHED
    mission.save()
    suggestion = suggest(world)
    before = state(mission)
    with pytest.raises(PermissionDenied):
        reviews.accept(suggestion, by=world["editor"])
    assert state(mission) == before
    assert [each.suggestion for each in reviews.open_suggestions_for(world["editor"])] == []
    assert [each.suggestion for each in reviews.open_suggestions_for(world["publisher"])] == [
        suggestion
    ]


@pytest.mark.parametrize("who", ["reviewer", "pom_publisher", "translator"])
def test_nobody_else_may_decide(world, who):
    if who == "translator":
        owner = world["a"][Partnership].owner
        world[who] = StaffFactory(role=TRANSLATOR, organisations=[owner], languages=["zh-hans"])
    suggestion = suggest(world)
    mission = world["a"][Mission]
    before = state(mission)
    with pytest.raises(PermissionDenied):
        reviews.accept(suggestion, by=world[who])
    with pytest.raises(PermissionDenied):
        reviews.decline(suggestion, by=world[who], reply="Nee.")
    assert state(mission) == before
    assert reviews.open_suggestions_for(world[who]) == []


def test_a_stale_suggestion_is_never_applied_over_the_newer_text_unasked(world):
    mission = world["a"][Mission]
    suggestion = suggest(world)
    mission.title_zh_hans = "恩斯赫德—大连（编辑改过）"
    mission.save()
    before = state(mission)

    assert reviews.review(suggestion, mission).stale
    with pytest.raises(reviews.SuggestionError, match="changed since"):
        reviews.accept(suggestion, by=world["publisher"])
    assert state(mission) == before

    reviews.accept(suggestion, by=world["publisher"], replace_newer_text=True)
    mission.refresh_from_db()
    assert mission.title_zh_hans == "大连友好城市（修订）"


def test_a_declined_suggestion_changes_nothing_and_keeps_the_reply(world):
    mission = world["a"][Mission]
    suggestion = suggest(world)
    before = state(mission)
    reviews.decline(suggestion, by=world["editor"], reply="De titel staat zo in het akkoord.")
    after = state(mission)
    assert after[:4] == before[:4]
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.reply, suggestion.decided_by) == (
        "declined",
        "De titel staat zo in het akkoord.",
        world["editor"],
    )


def test_declining_needs_a_reply(world):
    suggestion = suggest(world)
    before = state(world["a"][Mission])
    with pytest.raises(reviews.SuggestionError, match="reply"):
        reviews.decline(suggestion, by=world["editor"], reply="   ")
    assert state(world["a"][Mission]) == before


def test_a_decided_suggestion_is_not_decided_again(world):
    suggestion = suggest(world)
    reviews.decline(suggestion, by=world["editor"], reply="Nee.")
    before = state(world["a"][Mission])
    with pytest.raises(reviews.SuggestionError, match="already"):
        reviews.accept(suggestion, by=world["publisher"])
    assert state(world["a"][Mission]) == before


def test_a_suggestion_for_a_deleted_object_can_only_be_declined(world):
    item = world["a"][ProgrammeItem]
    suggestion = suggest(world, item, field="title", text="港口")
    item.delete()
    before = state(world["a"][Mission])
    with pytest.raises(reviews.SuggestionError, match="deleted"):
        reviews.accept(suggestion, by=world["editor"])
    assert state(world["a"][Mission]) == before
    reviews.decline(suggestion, by=world["editor"], reply="Dit onderdeel is geschrapt.")
    assert Suggestion.objects.get().status == "declined"


# What the owner's staff see ---------------------------------------------------------------------


def test_the_diff_of_chinese_is_per_character(world):
    mission = world["a"][Mission]
    mission.title_zh_hans = "恩斯赫德与大连的友好城市"
    mission.save()
    review = reviews.review(suggest(world, text="恩斯赫德与大连的合作关系"), mission)
    assert review.before == [("恩斯赫德与大连的", False), ("友好城市", True)]
    assert review.after == [("恩斯赫德与大连的", False), ("合作关系", True)]
    assert not review.stale


def test_an_accepted_suggestion_still_shows_what_it_changed(world):
    mission = world["a"][Mission]
    mission.title_zh_hans = "恩斯赫德与大连的友好城市"
    mission.save()
    suggestion = reviews.accept(suggest(world, text="恩斯赫德与大连的合作关系"), by=world["editor"])
    mission.refresh_from_db()
    review = reviews.review(suggestion, mission)
    assert review.before == [("恩斯赫德与大连的", False), ("友好城市", True)]
    assert review.after == [("恩斯赫德与大连的", False), ("合作关系", True)]


def test_suggestions_are_visible_to_the_owner_and_the_partnerships_reviewers_only(world):
    suggestion = suggest(world)
    visible = {
        name: list(permissions.suggestions_visible_to(Suggestion.objects.all(), world[name]))
        for name in ("reviewer", "editor", "publisher", "pom_publisher")
    }
    other_reviewer = StaffFactory(role=PARTNER_REVIEWER, reviews={world["b"][Partnership]: ["en"]})
    english_only = StaffFactory(role=PARTNER_REVIEWER, reviews={world["a"][Partnership]: ["en"]})
    assert visible == {
        "reviewer": [suggestion],
        "editor": [suggestion],
        "publisher": [suggestion],
        "pom_publisher": [],
    }
    for user in (other_reviewer, english_only):
        assert list(permissions.suggestions_visible_to(Suggestion.objects.all(), user)) == []


def test_open_suggestions_on_a_missions_page_include_its_parts(world):
    mission = world["a"][Mission]
    on_mission = suggest(world)
    on_item = suggest(world, world["a"][ProgrammeItem], text="新的日程")
    suggest(world, world["a"][Partnership], text="新的合作关系")  # another page
    shown = reviews.open_on_page(mission, world["editor"])
    assert {each.suggestion for each in shown} == {on_mission, on_item}
    assert reviews.open_on_page(mission, world["pom_publisher"]) == []


# Told by e-mail ---------------------------------------------------------------------------------


def test_the_reviewer_is_told_of_the_decision_by_email(
    world, smtp_server, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://twinning.example"
    suggestion = suggest(world)
    with django_capture_on_commit_callbacks(execute=True):
        reviews.decline(
            suggestion,
            by=world["publisher"],
            reply="这个名称在协议里就是这样写的。",
            base_url=settings.SITE_URL,
        )
    [message] = smtp_server.to(world["reviewer"].email)
    assert suggestion.object_repr in message.subject
    assert "这个名称在协议里就是这样写的。" in message.body
    assert "大连友好城市（修订）" in message.body
    assert f"https://twinning.example/admin/programmes/suggestion/{suggestion.pk}/change/" in (
        message.links()
    )
    assert message.message["Auto-Submitted"] == "auto-generated"
    assert message.message["Content-Language"] == "zh-hans"  # the reviewer worked in Chinese


def test_a_reviewer_who_no_longer_reviews_the_partnership_is_not_mailed(
    world, smtp_server, django_capture_on_commit_callbacks
):
    """The decision (with the object, the reply and a link) goes only to someone who may
    still read the suggestion: not to a reviewer whose partnership was taken away."""
    suggestion = suggest(world)
    PartnerReviewer.objects.filter(user=world["reviewer"]).delete()
    with django_capture_on_commit_callbacks(execute=True):
        reviews.decline(suggestion, by=world["publisher"], reply="Interne afweging van de raad.")
    assert smtp_server.messages == []


def test_a_mail_server_that_refuses_leaves_the_decision_standing(world, settings, caplog):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 1},
        }
    }
    suggestion = suggest(world)
    reviews.decline(suggestion, by=world["editor"], reply="Nee.")
    assert reviews.notify(suggestion, base_url="") is False
    assert Suggestion.objects.get().status == "declined"
    assert f"decision on suggestion {suggestion.pk}" in caplog.text


def test_no_email_before_the_decision_commits(world, smtp_server):
    reviews.accept(suggest(world), by=world["publisher"])
    assert smtp_server.messages == []


def test_a_suggestion_has_its_content_type_and_object(world):
    suggestion = suggest(world)
    assert suggestion.content_type == ContentType.objects.get_for_model(Mission)
    assert suggestion.object_id == world["a"][Mission].pk


# Never outside the admin ------------------------------------------------------------------------


def test_suggesting_and_declining_leave_the_public_pages_cache_as_it_was(
    world, django_capture_on_commit_callbacks
):
    generation = caching.current_generation().token
    stamps = list(ContentStamp.objects.values_list())
    with django_capture_on_commit_callbacks(execute=True):
        suggestion = suggest(world)
        reviews.decline(suggestion, by=world["editor"], reply="Nee.")
    assert caching.current_generation().token == generation
    assert list(ContentStamp.objects.values_list()) == stamps


def test_a_suggestion_is_in_no_public_page_api_answer_or_bundle(world, client, tmp_path):
    mission = world["a"][Mission]
    mission.status = Status.PUBLISHED
    mission.save()
    world["a"][Partnership].status = Status.PUBLISHED
    world["a"][Partnership].save()
    proposed = "尚未接受的建议文本"
    suggest(world, text=proposed)
    suggest(world, field="summary", text=f"{proposed}二")

    with translation.override("zh-hans"):
        public = client.get(mission.get_absolute_url())
    api = client.get(f"/api/v1/missions/{mission.uuid}", {"lang": "zh-hans"})
    listed = client.get("/api/v1/missions")
    assert public.status_code == api.status_code == listed.status_code == 200
    assert mission.title_zh_hans in public.text
    for response in (public, api, listed):
        assert proposed not in response.content.decode()
    export_bundle(tmp_path / "bundle.zip", [world["a"][Partnership]])
    exported = b"".join(
        zipfile.ZipFile(tmp_path / "bundle.zip").read(name)
        for name in zipfile.ZipFile(tmp_path / "bundle.zip").namelist()
    )
    assert proposed.encode() not in exported
    assert b"suggestion" not in exported.lower()
