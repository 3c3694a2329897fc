"""The sign-up form's consent links the site's privacy statement once one is published; until
then the notice on the form is what a person agrees to, as before."""

import pytest
from django.utils import translation
from django.utils.translation import gettext
from pytest_django.asserts import assertInHTML

from programmes.models import SitePage, Status
from registrations.models import Registration

from ..factories import FocusAreaFactory, RegistrationSettingsFactory, SitePageFactory
from .test_registrations import details, register_url

pytestmark = pytest.mark.django_db

LANGUAGES = ["nl", "en", "zh-hans"]


@pytest.fixture
def economy():
    return FocusAreaFactory(slug="economy", name_nl="Economie", name_en="Economy")


@pytest.fixture
def opened(economy):
    """An upcoming published mission whose registration is open."""
    return RegistrationSettingsFactory(capacity=2)


def consent_label(response) -> str:
    html = response.content.decode()
    start = html.index('<label for="id_consent">')
    return html[start : html.index("</label>", start) + len("</label>")]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_consent_links_the_published_privacy_statement(client, opened, language):
    privacy = SitePageFactory(slug="privacy", purpose=SitePage.Purpose.PRIVACY)
    with translation.override(language):
        privacy_url = privacy.get_absolute_url()

    response = client.get(register_url(opened.mission, language))

    label = consent_label(response)
    assert f'<a href="{privacy_url}">' in label
    # The mission's own notice stays: it says who handles the data of this mission.
    with translation.override(language):
        assert gettext("Privacy notice") in response.content.decode()


@pytest.mark.parametrize("status", [Status.DRAFT, Status.UNPUBLISHED])
def test_without_a_published_privacy_statement_the_consent_is_as_before(client, opened, status):
    SitePageFactory(purpose=SitePage.Purpose.PRIVACY, status=status)
    SitePageFactory(purpose=SitePage.Purpose.COLOPHON)

    response = client.get(register_url(opened.mission, "en"))

    assertInHTML(
        '<label for="id_consent">I have read the privacy notice above and agree that my data '
        "is used as it says.</label>",
        consent_label(response),
    )


def test_a_sign_up_with_the_linked_consent_counts(client, opened, economy):
    SitePageFactory(purpose=SitePage.Purpose.PRIVACY)

    response = client.post(register_url(opened.mission, "en"), details(economy))

    assert response.status_code == 302
    assert Registration.objects.filter(email="li.wei@example.cn").exists()
