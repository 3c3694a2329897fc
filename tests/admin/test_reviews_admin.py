"""Partner reviewers in the admin: their pages, every write refused, and the decision pages.

The done-when scenario end to end: a reviewer suggests a change to a published mission's
Chinese title, a publisher sees it on the mission's page and accepts it, and the public
page shows the new title with both names in the mission's history.
"""

import re

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from reversion.models import Version

from programmes.domain import reviews, services
from programmes.domain.permissions import EDITOR, PARTNER_REVIEWER, PUBLISHER
from programmes.models import (
    AuditLogEntry,
    Mission,
    Objective,
    Outcome,
    Partnership,
    Photo,
    ProgrammeItem,
    Status,
    Suggestion,
)

from ..factories import (
    OrganisationFactory,
    PartnershipFactory,
    StaffFactory,
    reviewable_content,
)
from ..html_forms import form_data

pytestmark = pytest.mark.django_db

MODELS = [Partnership, Objective, Mission, ProgrammeItem, Outcome, Photo]
# Those with pages of their own; objectives and programme items are edited on their parent's.
WITH_ADMIN = [Partnership, Mission, Outcome, Photo]


@pytest.fixture
def world():
    enschede, pom = OrganisationFactory(), OrganisationFactory()
    a = reviewable_content(PartnershipFactory(owner=enschede, title_en="Enschede – Dalian"))
    b = reviewable_content(PartnershipFactory(owner=enschede, title_en="Enschede – Hangzhou"))
    b[Mission].title_en = "Hidden Hangzhou mission"
    b[Mission].save()
    c = reviewable_content(PartnershipFactory(owner=pom, title_en="West Flanders – Zhejiang"))
    reviewer = StaffFactory(
        username="wang", role=PARTNER_REVIEWER, reviews={a[Partnership]: ["zh-hans"]}
    )
    return {
        "a": a,
        "b": b,
        "c": c,
        "reviewer": reviewer,
        "editor": StaffFactory(role=EDITOR, organisations=[enschede]),
        "publisher": StaffFactory(username="anna", role=PUBLISHER, organisations=[enschede]),
        "pom_editor": StaffFactory(role=EDITOR, organisations=[pom]),
    }


def as_user(client, user, language="en"):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def review_url(obj) -> str:
    content_type = ContentType.objects.get_for_model(obj)
    return reverse("admin:programmes_suggestion_review_object", args=[content_type.pk, obj.pk])


def admin_url(obj, view: str) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])


def suggest(world, obj=None, text="大连友好城市（修订）", field="title"):
    return reviews.suggest(
        obj or world["a"][Mission],
        field=field,
        language="zh-hans",
        text=text,
        comment="请改。",
        by=world["reviewer"],
        interface_language="zh-hans",
    )


def database() -> dict:
    """Every row a refused write must leave as it was (in one language: modeltranslation
    reads a translated field in the active one)."""
    with translation.override("nl"):
        return {
            model.__name__: list(model._base_manager.order_by("pk").values_list())
            for model in [*MODELS, Suggestion, AuditLogEntry, Version]
        }


# The reviewer's pages ---------------------------------------------------------------------------


def test_the_reviewer_lists_their_partnerships_content_drafts_included(client, world):
    response = as_user(client, world["reviewer"]).get(reverse("admin:programmes_suggestion_review"))
    assert response.status_code == 200
    for model in MODELS:
        assert review_url(world["a"][model]) in response.text
        for other in ("b", "c"):
            assert review_url(world[other][model]) not in response.text
    assert "Hidden Hangzhou mission" not in response.text
    assert "Draft" in response.text


def test_the_review_page_shows_the_texts_in_the_reviewers_languages_only(client, world):
    mission = world["a"][Mission]
    response = as_user(client, world["reviewer"]).get(review_url(mission))
    assert response.status_code == 200
    assert mission.title_zh_hans in response.text
    assert mission.summary_zh_hans in response.text
    assert mission.summary_en not in response.text
    assert mission.summary_nl not in response.text
    forms = response.text.count('class="suggest-form"')
    assert forms == 8  # the mission's eight translated fields, in Chinese


@pytest.mark.parametrize("other", ["b", "c"])
@pytest.mark.parametrize("model", MODELS)
def test_another_partnerships_review_page_is_not_found(client, world, other, model):
    as_user(client, world["reviewer"])
    url = review_url(world[other][model])
    before = database()
    assert client.get(url).status_code == 404
    post = {"field": "title", "language": "zh-hans", "text": "别的", "comment": ""}
    assert client.post(url, post).status_code == 404
    assert database() == before


def test_a_reviewer_of_no_partnership_yet_is_told_so(client, world):
    newcomer = StaffFactory(role=PARTNER_REVIEWER)
    response = as_user(client, newcomer).get(reverse("admin:programmes_suggestion_review"))
    assert response.status_code == 200
    assert "You review no partnership yet." in response.text
    assert client.get(review_url(world["a"][Mission])).status_code == 404


def test_the_reviewers_start_page_leads_to_their_partnerships_texts(client, world):
    # The demo reviewer's start page showed "Suggestions" alone: the texts to review were
    # behind that list's object tools.
    reviewer = world["reviewer"]
    a, b, c = (world[key][Partnership] for key in "abc")
    reviewer.partner_reviews.create(partnership=b, languages=["zh-hans", "en"])
    page = as_user(client, reviewer, "zh-hans").get("/admin/").text
    start = page.index('id="texts-to-review"')
    panel = page[start : page.index("</section>", start)]
    assert reverse("admin:programmes_suggestion_review") in panel
    assert a.title_zh_hans in panel and b.title_zh_hans in panel
    assert c.title_zh_hans not in panel
    assert "英语、简体中文" in panel  # names, in the page's language, not "en, zh-hans"
    assert 'id="texts-to-review"' not in as_user(client, world["editor"]).get("/admin/").text


def test_the_review_pages_name_the_reviewers_languages(client, world):
    as_user(client, world["reviewer"])
    index = client.get(reverse("admin:programmes_suggestion_review")).text
    assert "You review in: Simplified Chinese" in index
    assert "(Simplified Chinese)" in client.get(review_url(world["a"][Mission])).text


def test_shared_data_has_no_review_page(client, world):
    region = world["a"][Partnership].partner_region
    as_user(client, world["reviewer"])
    assert client.get(review_url(region)).status_code == 404


def test_staff_of_the_owner_have_no_review_pages(client, world):
    as_user(client, world["editor"])
    assert client.get(reverse("admin:programmes_suggestion_review")).status_code == 403
    assert client.get(review_url(world["a"][Mission])).status_code == 403


def test_the_reviewer_suggests_a_change_from_the_review_page(client, world):
    mission = world["a"][Mission]
    url = review_url(mission)
    post = {"field": "summary", "language": "zh-hans", "text": "新的摘要。", "comment": "更准确"}
    response = as_user(client, world["reviewer"], "zh-hans").post(url, post, follow=True)
    assert response.redirect_chain[-1][0] == url
    suggestion = Suggestion.objects.get()
    assert (suggestion.field, suggestion.proposed_text, suggestion.comment) == (
        "summary",
        "新的摘要。",
        "更准确",
    )
    assert (suggestion.author, suggestion.author_language) == (world["reviewer"], "zh-hans")
    mission.refresh_from_db()
    assert mission.summary_zh_hans != "新的摘要。"


def test_a_refused_suggestion_keeps_what_was_typed_and_saves_nothing(client, world):
    before = database()
    post = {"field": "title", "language": "zh-hans", "text": "长" * 201, "comment": "太长"}
    response = as_user(client, world["reviewer"]).post(review_url(world["a"][Mission]), post)
    assert response.status_code == 200
    assert "长" * 201 in response.text
    assert database() == before
    # Said in the form that was sent (the page is long), which the browser returns to.
    form = response.text[response.text.index('id="text-title-zh-hans"') :]
    form = form[: form.index("</form>")]
    assert 'action="#text-title-zh-hans"' in response.text
    assert 'class="errornote"' in form


def test_the_reviewers_own_suggestions_are_listed_by_the_fields_name(client, world):
    suggest(world, text="大连友好城市（修订二）")
    page = as_user(client, world["reviewer"]).get(review_url(world["a"][Mission])).text
    listed = page[page.index("Suggestions for this object") :]
    assert "Title (Simplified Chinese)" in listed


@pytest.mark.parametrize(
    "post",
    [
        {"field": "title", "language": "en", "text": "Other"},  # not their language
        {"field": "slug", "language": "zh-hans", "text": "other"},  # not a text
        {"field": "status", "language": "zh-hans", "text": "published"},
    ],
)
def test_a_crafted_suggestion_outside_the_reviewers_texts_is_refused(client, world, post):
    before = database()
    response = as_user(client, world["reviewer"]).post(review_url(world["a"][Mission]), post)
    assert response.status_code == 403
    assert database() == before


# Every write refused ----------------------------------------------------------------------------


@pytest.mark.parametrize("model", WITH_ADMIN)
@pytest.mark.parametrize("view", ["change", "delete", "history"])
def test_every_content_page_of_the_reviewed_partnership_refuses_the_reviewer(
    client, world, model, view
):
    obj = world["a"][model]
    as_user(client, world["reviewer"])
    before = database()
    url = admin_url(obj, view)
    assert client.get(url).status_code == 403
    data = {"post": "yes"} if view == "delete" else {"title_zh_hans": "改了", "_save": "Save"}
    assert client.post(url, data).status_code == 403
    assert database() == before


@pytest.mark.parametrize("model", WITH_ADMIN)
def test_the_reviewer_may_add_no_content_and_use_no_list_action(client, world, model):
    opts = model._meta
    as_user(client, world["reviewer"])
    before = database()
    add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert client.get(add).status_code == 403
    assert client.post(add, {"title_nl": "Nieuw", "_save": "Save"}).status_code == 403
    for action in ("delete_selected", "publish_selected", "submit_for_review_selected"):
        data = {"action": action, "_selected_action": [world["a"][model].pk], "post": "yes"}
        assert client.post(changelist, data).status_code == 403
    assert database() == before


def test_the_reviewer_may_not_decide_on_a_suggestion(client, world):
    suggestion = suggest(world)
    as_user(client, world["reviewer"])
    url = admin_url(suggestion, "change")
    response = client.get(url)
    assert response.status_code == 200
    assert 'name="_accept"' not in response.text
    before = database()
    for button in ("_accept", "_decline"):
        assert client.post(url, {button: "1", "reply": "自己"}).status_code == 403
    assert client.post(admin_url(suggestion, "delete"), {"post": "yes"}).status_code == 403
    assert database() == before


def test_nobody_adds_or_edits_a_suggestion_as_a_form(client, world):
    as_user(client, world["publisher"])
    assert client.get(reverse("admin:programmes_suggestion_add")).status_code == 403


# The owner's editors and publishers -------------------------------------------------------------


def test_open_suggestions_show_on_the_objects_page_as_a_diff(client, world):
    mission = world["a"][Mission]
    mission.title_zh_hans = "恩斯赫德与大连的友好城市"
    mission.save()
    item_suggestion = suggest(world, world["a"][ProgrammeItem], text="参观港口")
    suggestion = suggest(world, text="恩斯赫德与大连的合作关系")
    response = as_user(client, world["editor"], "nl").get(admin_url(mission, "change"))
    assert response.status_code == 200
    assert "<del>友好城市</del>" in response.text
    assert "<ins>合作关系</ins>" in response.text
    assert admin_url(suggestion, "change") in response.text
    assert admin_url(item_suggestion, "change") in response.text
    # The item's suggestion leads to the page the item is edited on: its mission's.
    decision = client.get(admin_url(item_suggestion, "change"))
    assert f'href="{admin_url(mission, "change")}"' in decision.text


def test_an_editor_cannot_accept_for_a_published_page_through_the_page(client, world):
    mission = world["a"][Mission]
    mission.status = Status.PUBLISHED
    mission.save()
    suggestion = suggest(world)
    as_user(client, world["editor"])
    url = admin_url(suggestion, "change")
    assert 'name="_accept"' not in client.get(url).text
    before = database()
    assert client.post(url, {"_accept": "1"}).status_code == 403
    assert database() == before


def test_another_organisations_editor_sees_no_suggestion(client, world):
    suggestion = suggest(world)
    as_user(client, world["pom_editor"])
    response = client.get(reverse("admin:programmes_suggestion_changelist"))
    assert response.status_code == 200
    assert suggestion.object_repr not in response.text
    assert client.get(admin_url(suggestion, "change")).status_code == 404
    before = database()
    assert client.post(admin_url(suggestion, "change"), {"_accept": "1"}).status_code == 404
    assert database() == before


def test_a_reviewer_of_another_partnership_sees_no_suggestion(client, world):
    suggestion = suggest(world)
    other = StaffFactory(role=PARTNER_REVIEWER, reviews={world["b"][Partnership]: ["zh-hans"]})
    as_user(client, other)
    response = client.get(reverse("admin:programmes_suggestion_changelist"))
    assert suggestion.object_repr not in response.text
    assert client.get(admin_url(suggestion, "change")).status_code == 404


def test_a_stale_suggestion_is_marked_and_refused_without_confirmation(client, world):
    mission = world["a"][Mission]
    suggestion = suggest(world)
    mission.title_zh_hans = "编辑改过的标题"
    mission.save()
    as_user(client, world["publisher"])
    url = admin_url(suggestion, "change")
    page = client.get(url)
    assert "Stale: the text has changed since the suggestion was made." in page.text
    assert 'name="replace_newer_text"' in page.text
    before = database()
    response = client.post(url, {"_accept": "1"}, follow=True)
    assert "The text has changed since this suggestion was made." in response.text
    assert database() == before


def test_a_suggestion_for_a_text_moved_to_another_organisation_shows_and_writes_nothing(
    client, world
):
    """A mission moved to POM's partnership is POM's draft now: the reviewer and Enschede's
    publisher no longer see its texts through the suggestion, nor write into it."""
    mission = world["a"][Mission]
    suggestion = suggest(world)
    mission.partnership = world["c"][Partnership]
    mission.title_zh_hans = "西弗兰德的草稿标题"
    mission.save()
    for user in (world["reviewer"], world["publisher"]):
        page = as_user(client, user).get(admin_url(suggestion, "change"))
        assert page.status_code == 200
        assert "西弗兰德的草稿标题" not in page.text
        assert "moved to another partnership" in page.text
    before = database()
    response = client.post(
        admin_url(suggestion, "change"), {"_accept": "1", "replace_newer_text": "1"}, follow=True
    )
    assert "moved to another partnership" in response.text
    assert database() == before
    client.post(admin_url(suggestion, "change"), {"_decline": "1", "reply": "Niet meer van ons."})
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.DECLINED


def test_declining_with_a_reply_through_the_page(client, world):
    suggestion = suggest(world)
    as_user(client, world["editor"])
    url = admin_url(suggestion, "change")
    before = database()
    response = client.post(url, {"_decline": "1", "reply": ""}, follow=True)
    assert "Say in a reply why the suggestion is declined." in response.text
    assert database() == before
    client.post(url, {"_decline": "1", "reply": "Staat zo in het akkoord."})
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.reply) == ("declined", "Staat zo in het akkoord.")
    assert database()["Mission"] == before["Mission"]


@pytest.mark.parametrize("rows", [1, 12])
def test_the_suggestions_list_queries_do_not_grow(client, world, django_assert_num_queries, rows):
    for n in range(rows):
        suggest(world, text=f"新标题{n}")
    as_user(client, world["publisher"])
    with django_assert_num_queries(10):
        response = client.get(reverse("admin:programmes_suggestion_changelist"))
    assert response.context["cl"].result_count == rows


def test_the_accounts_admin_names_a_reviewers_partnerships(client, world):
    manager = StaffFactory(is_superuser=True)
    as_user(client, manager)
    response = client.get(reverse("admin:auth_user_change", args=[world["reviewer"].pk]))
    assert response.status_code == 200
    assert 'name="partner_reviews-0-partnership"' in response.text


# Done when --------------------------------------------------------------------------------------


def test_an_accepted_suggestion_is_on_the_page_with_both_names_in_the_history(client, world):
    """A partner reviewer's suggestion accepted by a publisher appears on the page with both
    names in the history."""
    mission = world["a"][Mission]
    mission.status = Status.PUBLISHED
    mission.publish_at = None
    services.save_content(mission, user=world["publisher"])  # its first version

    as_user(client, world["reviewer"], "zh-hans")
    post = {"field": "title", "language": "zh-hans", "text": "恩斯赫德—大连考察交流访问团"}
    client.post(review_url(mission), {**post, "comment": "用“交流访问团”"})
    suggestion = Suggestion.objects.get()

    as_user(client, world["publisher"], "nl")
    page = client.get(admin_url(mission, "change"))
    assert admin_url(suggestion, "change") in page.text
    decision = client.get(admin_url(suggestion, "change"))
    client.post(admin_url(suggestion, "change"), form_data(decision.text) | {"_accept": "1"})

    mission.refresh_from_db()
    assert mission.title_zh_hans == "恩斯赫德—大连考察交流访问团"
    public = client.get(mission.get_absolute_url().replace("/nl/", "/zh-hans/"))
    assert "恩斯赫德—大连考察交流访问团" in public.text
    history = client.get(admin_url(mission, "history"))
    assert "Suggested by wang, accepted by anna" in history.text
    changed = re.findall(r'<td class="after">(.*?)</td>', history.text)[0]
    assert strip_tags(changed) == "恩斯赫德—大连考察交流访问团"
    assert "<ins>" in changed


def test_the_owners_start_page_lists_open_suggestions_and_nobody_elses_does(client, world):
    suggest(world, text="大连友好城市（修订二）")
    page = as_user(client, world["publisher"]).get("/admin/").text
    start = page.index('id="suggestions"')
    panel = page[start : page.index("</section>", start)]
    assert "大连友好城市（修订二）" in panel
    suggestion = Suggestion.objects.get()
    assert reverse("admin:programmes_suggestion_change", args=[suggestion.pk]) in panel

    for other in (world["pom_editor"], world["reviewer"]):
        page = as_user(client, other).get("/admin/").text
        assert "大连友好城市（修订二）" not in page


def test_the_start_page_lists_at_most_ten_suggestions_and_links_the_rest(client, world):
    for number in range(11):
        suggest(world, text=f"大连友好城市（第{number}版）")
    page = as_user(client, world["publisher"]).get("/admin/").text
    start = page.index('id="suggestions"')
    panel = page[start : page.index("</section>", start)]
    assert panel.count("大连友好城市（第") == 10
    assert reverse("admin:programmes_suggestion_changelist") in panel
