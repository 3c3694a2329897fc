"""Site pages in the domain: who may write and publish them, the workflow, revisions, the audit
log, one page per purpose, and bundles that neither carry nor trip over them."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from reversion.models import Version

from programmes.domain import permissions, services, workflow
from programmes.domain.permissions import EDITOR, PUBLISHER, SITE_MANAGER
from programmes.exchange import bundles
from programmes.models import AuditLogEntry, SitePage, Status

from ..exchange.bundle_helpers import read_document
from ..factories import (
    MissionFactory,
    OrganisationFactory,
    SitePageFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """The messages are checked in English (the tests start in Dutch, the site's language)."""
    with translation.override("en"):
        yield


@pytest.fixture
def manager():
    return StaffFactory(role=SITE_MANAGER)


@pytest.fixture
def publisher():
    """A publisher of an organisation: publishes its partnerships, not the site's pages."""
    return StaffFactory(role=PUBLISHER, organisations=[OrganisationFactory()])


def new_page(**fields) -> SitePage:
    defaults = {
        "slug": "toegankelijkheid",
        "title_nl": "Toegankelijkheidsverklaring",
        "title_en": "Accessibility statement",
        "title_zh_hans": "无障碍声明",
        "body_nl": "<p>Deze site voldoet aan WCAG 2.1 AA.</p>",
        "purpose": SitePage.Purpose.ACCESSIBILITY,
    }
    return SitePage(**{**defaults, **fields})


def test_a_site_manager_writes_a_page_through_the_whole_workflow(manager):
    page = services.save_content(new_page(), user=manager)
    assert page.status == Status.DRAFT

    workflow.submit_for_review(page, by=manager)
    # Only the Dutch body: publishing asks for a confirmation, as for other content.
    with pytest.raises(workflow.ConfirmationNeeded):
        workflow.publish(page, by=manager)
    workflow.publish(page, by=manager, confirmed=True)
    assert SitePage.objects.published().get() == page
    workflow.unpublish(page, by=manager)

    assert not SitePage.objects.published().exists()
    actions = AuditLogEntry.objects.filter(object_id=str(page.pk)).order_by("pk")
    assert list(actions.values_list("action", flat=True)) == [
        AuditLogEntry.Action.CREATED,
        AuditLogEntry.Action.SUBMITTED,
        AuditLogEntry.Action.PUBLISHED,
        AuditLogEntry.Action.UNPUBLISHED,
    ]
    assert all(entry.user == manager for entry in actions)


@pytest.mark.parametrize("role", [EDITOR, PUBLISHER])
def test_staff_of_an_organisation_may_not_touch_site_pages(role):
    user = StaffFactory(role=role, organisations=[OrganisationFactory()])
    draft = SitePageFactory(status=Status.DRAFT)

    for action in ("view", "add", "change", "delete", "publish", "submit"):
        assert not permissions.can(user, action, draft), action
    assert not permissions.scope(SitePage.objects.all(), user).exists()
    with pytest.raises(PermissionDenied):
        workflow.submit_for_review(draft, by=user)
    with pytest.raises(PermissionDenied):
        workflow.publish(draft, by=user)


def test_a_publisher_may_not_take_the_privacy_statement_down(publisher):
    privacy = SitePageFactory(purpose=SitePage.Purpose.PRIVACY)

    with pytest.raises(PermissionDenied):
        workflow.unpublish(privacy, by=publisher)

    privacy.refresh_from_db()
    assert privacy.is_published


def test_every_save_is_a_revision_with_every_language_and_sanitized_html(manager):
    page = new_page(body_en='<p onclick="steal()">Readable <script>x()</script>text</p>')

    services.save_content(page, user=manager)

    (version,) = Version.objects.get_for_object(page)
    stored = version.field_dict
    assert stored["title_zh_hans"] == "无障碍声明"
    assert stored["body_en"] == "<p>Readable text</p>"
    assert "title" not in stored


def test_at_most_one_page_has_each_purpose(manager):
    SitePageFactory(purpose=SitePage.Purpose.PRIVACY)
    services.save_content(new_page(slug="contact", purpose=""), user=manager)
    services.save_content(new_page(slug="colofon", purpose=""), user=manager)

    with pytest.raises(ValidationError) as refused:
        services.save_content(new_page(purpose=SitePage.Purpose.PRIVACY), user=manager)

    assert "Another page already has this purpose." in str(refused.value)


def test_bundles_leave_site_pages_where_they_are(tmp_path, settings):
    """Bundles carry partnerships and their content from install to install; a site's own
    pages speak for the install they are on, so they are neither exported nor replaced."""
    settings.MEDIA_ROOT = tmp_path / "media"
    MissionFactory()
    page = SitePageFactory(purpose=SitePage.Purpose.PRIVACY)
    path = tmp_path / "bundle.zip"

    bundles.export_bundle(path)
    report = bundles.import_bundle(path)

    document = read_document(path)
    assert page.title_nl not in json.dumps(document, ensure_ascii=False)
    assert not {"pages", "site_pages"} & set(document)
    assert report.loaded.total() > 0
    assert SitePage.objects.get() == page
