"""Logging in to the admin: lockout after repeated failures, password rules, secure cookies.

Other tests log in with ``client.force_login``, which django-axes does not count.
"""

import datetime as dt
import os
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from .factories import StaffFactory

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


def settings_under(environment: dict[str, str]) -> str:
    """The cookie settings as a fresh process with ``environment`` sees them."""
    code = (
        "from twinning import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY)"
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_"))
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env | environment,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    return result.stdout.strip()


def test_cookies_are_secure_in_production_and_plain_only_for_local_work():
    assert settings_under({"DJANGO_SECRET_KEY": "x" * 50}) == "True True True"
    assert settings_under({"DJANGO_DEBUG": "1"}) == "False False True"
