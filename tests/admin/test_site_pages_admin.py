"""Site pages in the admin: site managers write and publish them in three languages; the
staff of an organisation, whatever their role, do not see them."""

import pytest
from django.conf import settings
from django.urls import reverse
from reversion.models import Version

from programmes.domain.permissions import EDITOR, PUBLISHER, SITE_MANAGER, TRANSLATOR
from programmes.models import AuditLogEntry, SitePage, Status

from ..factories import OrganisationFactory, SitePageFactory, StaffFactory
from ..html_forms import form_data

pytestmark = pytest.mark.django_db


def login(client, role: str, organisations=()):
    user = StaffFactory(role=role, organisations=list(organisations))
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return user


def test_a_site_manager_adds_and_publishes_a_privacy_statement(client):
    manager = login(client, SITE_MANAGER)
    add_url = reverse("admin:programmes_sitepage_add")
    page = client.get(add_url)
    # Language tabs, and the choices of where the page goes and what it is for.
    for language in ("nl", "en", "zh_hans"):
        assert f'name="title_{language}"' in page.text
        assert f'name="body_{language}"' in page.text
    assert '<option value="privacy">Privacy statement</option>' in page.text
    assert '<option value="main_menu">Main menu</option>' in page.text
    data = form_data(page.text, "sitepage_form")
    data.update(
        {
            "title_nl": ["Privacyverklaring"],
            "title_en": ["Privacy statement"],
            "title_zh_hans": ["隐私声明"],
            "body_nl": ["<p>Wij bewaren alleen wat nodig is.</p><script>x()</script>"],
            "body_en": ["<p>We keep only what we need.</p>"],
            "body_zh_hans": ["<p>我们只保存必要的信息。</p>"],
            "slug": ["privacy"],
            "purpose": ["privacy"],
            "placement": ["footer"],
            "order": ["1"],
            "_publish": ["Save and publish"],
        }
    )

    response = client.post(add_url, data)

    assert response.status_code == 302, response.context["errors"]
    privacy = SitePage.objects.get()
    assert privacy.is_published
    assert privacy.body_nl == "<p>Wij bewaren alleen wat nodig is.</p>"
    assert privacy.title_zh_hans == "隐私声明"
    assert Version.objects.get_for_object(privacy).exists()
    assert AuditLogEntry.objects.filter(
        object_id=str(privacy.pk), action=AuditLogEntry.Action.PUBLISHED, user=manager
    ).exists()
    history = client.get(reverse("admin:programmes_sitepage_history", args=[privacy.pk]))
    assert history.status_code == 200


def test_a_second_page_with_the_same_purpose_is_refused_with_a_reason(client):
    SitePageFactory(purpose=SitePage.Purpose.CONTACT)
    login(client, SITE_MANAGER)
    add_url = reverse("admin:programmes_sitepage_add")
    data = form_data(client.get(add_url).text, "sitepage_form")
    data.update(
        {"title_nl": ["Contact"], "slug": ["contact-2"], "purpose": ["contact"], "order": ["0"]}
    )

    response = client.post(add_url, data)

    assert response.status_code == 200
    assert "Another page already has this purpose." in response.text
    assert SitePage.objects.count() == 1


@pytest.mark.parametrize("role", [EDITOR, PUBLISHER, TRANSLATOR])
def test_the_staff_of_an_organisation_do_not_reach_site_pages(client, role):
    page = SitePageFactory(status=Status.DRAFT, title_en="Colophon")
    login(client, role, organisations=[OrganisationFactory()])

    assert client.get(reverse("admin:programmes_sitepage_changelist")).status_code == 403
    assert client.get(reverse("admin:programmes_sitepage_add")).status_code == 403
    change_url = reverse("admin:programmes_sitepage_change", args=[page.pk])
    assert client.post(change_url, {"title_en": "Mine now"}).status_code in (302, 403, 404)
    page.refresh_from_db()
    assert page.title_en == "Colophon"
    assert "Site pages" not in client.get(reverse("admin:index")).text
