"""The admin's search box takes a bounded query: every list with a search, any input.

Django adds a condition for every word and search field; a pasted page of text made an SQL
expression too deep for the database (a server error on every list, autocompletes too).
"""

import pytest
from django.contrib import admin
from django.urls import reverse

from programmes.domain.permissions import EDITOR
from twinning.admin_search import MAX_SEARCH_CHARACTERS, MAX_SEARCH_WORDS

from .factories import MissionFactory, StaffFactory

pytestmark = pytest.mark.django_db

SEARCHABLE = [
    (model, model_admin)
    for model, model_admin in admin.site._registry.items()
    if model_admin.search_fields
]
THOUSANDS_OF_WORDS = " ".join(f"w{n}" for n in range(5000))


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture(autouse=True)
def _english_admin(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def manager(client):
    client.force_login(StaffFactory(username="search-manager", is_superuser=True))


@pytest.mark.parametrize(
    ("model", "model_admin"), SEARCHABLE, ids=[m._meta.label for m, _a in SEARCHABLE]
)
def test_a_search_of_thousands_of_words_answers_with_a_message(client, manager, model, model_admin):
    response = client.get(changelist(model), {"q": THOUSANDS_OF_WORDS})

    assert response.status_code == 200
    assert messages_of(response) == [
        f"Only the first {MAX_SEARCH_WORDS} words of the search were used."
    ]


def test_the_first_words_still_find(client, manager):
    from programmes.models import Mission

    MissionFactory(title_nl="Handelsmissie Dalian")
    words = "Handelsmissie Dalian " + " ".join(["Dalian"] * 20)

    response = client.get(changelist(Mission), {"q": words})

    assert [m.title_nl for m in response.context["cl"].result_list] == ["Handelsmissie Dalian"]


def test_one_very_long_word_is_cut_with_a_message(client, manager):
    from programmes.models import Mission

    response = client.get(changelist(Mission), {"q": "x" * 100_000})

    assert response.status_code == 200
    assert messages_of(response) == [
        f"Only the first {MAX_SEARCH_CHARACTERS} characters of the search were used."
    ]


def test_an_editor_and_the_autocomplete_are_bounded_too(client):
    from programmes.models import Mission

    editor = StaffFactory(role=EDITOR)
    client.force_login(editor)

    listed = client.get(changelist(Mission), {"q": THOUSANDS_OF_WORDS})
    completed = client.get(
        reverse("admin:autocomplete"),
        {
            "term": THOUSANDS_OF_WORDS,
            "app_label": "programmes",
            "model_name": "programmeitem",
            "field_name": "city",
        },
    )

    assert listed.status_code == 200
    assert completed.status_code == 200
    assert completed.json()["results"] == []
