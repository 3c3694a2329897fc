"""Logging in to the admin: lockout after repeated failures, password rules, secure cookies,
and where a login, a logout or a change of language leads (never off the site).

Other tests log in with ``client.force_login``, which django-axes does not count.
"""

import datetime as dt
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from ..environment import settings_under
from ..factories import StaffFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # StaffFactory's password
HOME = "192.0.2.10"
ELSEWHERE = "198.51.100.7"


def log_in(username: str, password: str, *, address: str = HOME):
    client = Client(REMOTE_ADDR=address)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client.post(
        reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"}
    )


def fail(username: str, times: int, *, address: str = HOME) -> list[int]:
    return [log_in(username, "wrong", address=address).status_code for _ in range(times)]


@pytest.fixture
def anna():
    return StaffFactory(username="anna")


def test_axes_checks_before_the_password_and_sees_every_request():
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 3600
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_five_wrong_passwords_lock_the_username_at_that_address(anna):
    # Four wrong passwords show the login form again; the fifth locks.
    assert fail("anna", 5) == [200, 200, 200, 200, 429]

    response = log_in("anna", PASSWORD)

    assert response.status_code == 429
    assert "<h1>Too many failed logins</h1>" in response.text
    assert (
        "The password was wrong 5 times in a row, so logging in with this username from this "
        "address is blocked for a while." in response.text
    )
    assert "_auth_user_id" not in response.client.session


def test_the_lockout_page_is_translated(anna):
    fail("anna", 5)
    client = Client(REMOTE_ADDR=HOME)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"

    response = client.post(reverse("admin:login"), {"username": "anna", "password": PASSWORD})

    assert response.status_code == 429
    assert '<html lang="nl"' in response.text
    assert "<h1>Te veel mislukte aanmeldingen</h1>" in response.text
    assert '<div id="site-name"><a href="/admin/">Beheer Twinning CMS</a></div>' in response.text


def test_a_lockout_is_for_that_username_and_that_address_only(anna):
    StaffFactory(username="bram")
    fail("anna", 5)

    elsewhere = log_in("anna", PASSWORD, address=ELSEWHERE)
    colleague = log_in("bram", PASSWORD)

    assert (elsewhere.status_code, elsewhere["Location"]) == (302, "/admin/")
    assert (colleague.status_code, colleague["Location"]) == (302, "/admin/")


def test_the_lockout_ends_after_an_hour(anna):
    fail("anna", 5)
    assert log_in("anna", PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=61))

    response = log_in("anna", PASSWORD)
    assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_a_successful_login_starts_the_count_again(anna):
    fail("anna", 4)
    assert log_in("anna", PASSWORD).status_code == 302

    assert fail("anna", 4) == [200, 200, 200, 200]
    assert log_in("anna", PASSWORD).status_code == 302


def test_a_wrong_password_shows_the_ordinary_error(anna):
    response = log_in("anna", "wrong")
    assert response.status_code == 200
    assert "Please enter the correct username and password for a staff account." in response.text


def test_force_login_is_not_counted(client, anna):
    fail("anna", 5)
    client.force_login(anna)
    assert client.get(reverse("admin:index")).status_code == 200


# Passwords and cookies ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short1", "This password is too short. It must contain at least 8 characters."),
        ("password123", "This password is too common."),
        ("3141592653589", "This password is entirely numeric."),
        ("anna.devries", "The password is too similar to the username."),
    ],
)
def test_weak_passwords_are_refused(password, problem):
    user = StaffFactory.build(username="anna.devries")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    assert problem in refused.value.messages


def test_a_strong_password_is_accepted():
    assert validate_password(PASSWORD, StaffFactory.build(username="anna")) is None


def test_session_and_csrf_cookies_are_secure_without_debug(anna):
    assert settings.DEBUG is False
    login_page = Client().get(reverse("admin:login"))
    response = log_in("anna", PASSWORD)

    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert (session["secure"], session["httponly"]) == (True, True)
    assert login_page.cookies[settings.CSRF_COOKIE_NAME]["secure"] is True


def test_cookies_are_secure_in_production_and_plain_only_for_local_work():
    cookies = ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY")
    assert settings_under({"DJANGO_SECRET_KEY": "x" * 50}, *cookies) == "True True True"
    assert settings_under({"DJANGO_DEBUG": "1"}, *cookies) == "False False True"


# Where a login, a logout or a change of language leads ----------------------------------------

# ?next= values that lead off the site, in the spellings browsers accept.
OFF_SITE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "https:evil.example",
    "http://testserver@evil.example/",
    " https://evil.example/",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("next_url", OFF_SITE)
def test_a_login_with_an_off_site_next_goes_to_the_admin(anna, next_url):
    client = Client(REMOTE_ADDR=HOME)
    login = f"{reverse('admin:login')}?{urlencode({'next': next_url})}"
    response = client.post(login, {"username": "anna", "password": PASSWORD, "next": next_url})
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert client.get("/admin/").status_code == 200


def test_a_login_with_a_next_on_the_site_goes_there(anna):
    client = Client(REMOTE_ADDR=HOME)
    next_url = "/admin/programmes/mission/?status__exact=draft"
    response = client.post(
        reverse("admin:login"), {"username": "anna", "password": PASSWORD, "next": next_url}
    )
    assert (response.status_code, response["Location"]) == (302, next_url)


@pytest.mark.parametrize("next_url", OFF_SITE)
def test_a_logout_with_an_off_site_next_goes_to_the_login_page(anna, next_url):
    client = Client()
    client.force_login(anna)
    in_query = client.post(f"{reverse('admin:logout')}?{urlencode({'next': next_url})}")
    assert "_auth_user_id" not in client.session
    client.force_login(anna)
    in_form = client.post(reverse("admin:logout"), {"next": next_url})
    assert "_auth_user_id" not in client.session

    assert (in_query.status_code, in_query["Location"]) == (302, "/admin/login/")
    assert (in_form.status_code, in_form["Location"]) == (302, "/admin/login/")
    assert client.get("/admin/login/").status_code == 200


def test_a_logout_with_a_next_on_the_site_goes_there(anna):
    client = Client()
    client.force_login(anna)
    response = client.post(reverse("admin:logout"), {"next": "/en/missions/"})
    assert (response.status_code, response["Location"]) == (302, "/en/missions/")


@pytest.mark.parametrize("next_url", OFF_SITE)
def test_the_language_switch_never_leaves_the_site(client, next_url):
    # An off-site Referer is no way out either: Django falls back to it before "/".
    response = client.post(
        reverse("set_language"),
        {"language": "en", "next": next_url},
        headers={"referer": "https://evil.example/page"},
    )
    assert (response.status_code, response["Location"]) == (302, "/")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert client.get("/")["Location"] == "/en/"


@pytest.mark.parametrize(
    ("next_url", "language", "location"),
    [
        ("/nl/missions/?page=2", "zh-hans", "/zh-hans/missions/?page=2"),
        ("/admin/programmes/mission/", "en", "/admin/programmes/mission/"),
    ],
)
def test_the_language_switch_stays_on_the_page(client, next_url, language, location):
    response = client.post(reverse("set_language"), {"language": language, "next": next_url})
    assert (response.status_code, response["Location"]) == (302, location)
