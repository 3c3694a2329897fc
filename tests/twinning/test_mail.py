"""Sending e-mail: Django 6.1's MAILERS from the EMAIL_* variables, a real SMTP round trip,
and ``check --deploy`` warning about mail that would never arrive. (That every variable is
in .env.example and docs/deployment.md is test_settings.py's.)"""

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage

from twinning.mailers import (
    BACKENDS,
    DEFAULT_TIMEOUT,
    check_mail_settings,
    mailers_from_environment,
)

from ..environment import load_settings

VARIABLES = (
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "EMAIL_TIMEOUT",
    "DEFAULT_FROM_EMAIL",
    "REGISTRATION_CONFIRM_HOURS",
    "REGISTRATION_RETENTION_MONTHS",
    "REGISTRATION_RATE_PER_ADDRESS",
    "REGISTRATION_RATE_PER_CLIENT",
)


def test_without_debug_mail_goes_to_the_local_smtp_server():
    assert mailers_from_environment({}, debug=False) == {
        "default": {
            "BACKEND": BACKENDS["smtp"],
            "OPTIONS": {
                "host": "localhost",
                "port": None,  # 25, or 587 / 465 with TLS (Django's SMTP backend)
                "use_tls": False,
                "use_ssl": False,
                "timeout": DEFAULT_TIMEOUT,
            },
        }
    }


def test_with_debug_mail_is_printed():
    assert mailers_from_environment({}, debug=True) == {"default": {"BACKEND": BACKENDS["console"]}}


def test_every_variable_is_read():
    environment = {
        "EMAIL_BACKEND": "SMTP",
        "EMAIL_HOST": "smtp.example.org",
        "EMAIL_PORT": "587",
        "EMAIL_HOST_USER": "twinning",
        "EMAIL_HOST_PASSWORD": "s3cret",
        "EMAIL_USE_TLS": "1",
        "EMAIL_USE_SSL": "",
        "EMAIL_TIMEOUT": "2.5",
    }
    assert mailers_from_environment(environment, debug=True)["default"]["OPTIONS"] == {
        "host": "smtp.example.org",
        "port": 587,
        "use_tls": True,
        "use_ssl": False,
        "timeout": 2.5,
        "username": "twinning",
        "password": "s3cret",
    }


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"EMAIL_BACKEND": "sendmail"}, "EMAIL_BACKEND must be one of smtp, console, dummy."),
        ({"EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}, "Set EMAIL_USE_TLS (STARTTLS"),
        ({"EMAIL_USE_TLS": "maybe"}, "EMAIL_USE_TLS must be 1 or 0, not 'maybe'."),
        ({"EMAIL_PORT": "25a"}, "EMAIL_PORT must be a whole number more than 0, not '25a'."),
        ({"EMAIL_PORT": "70000"}, "EMAIL_PORT must be a whole number more than 0"),
        ({"EMAIL_TIMEOUT": "0"}, "EMAIL_TIMEOUT must be a number of seconds more than 0"),
        ({"EMAIL_HOST_USER": "twinning"}, "Set both EMAIL_HOST_USER and EMAIL_HOST_PASSWORD"),
    ],
)
def test_a_mail_configuration_that_cannot_work_stops_the_start(environment, message):
    with pytest.raises(ImproperlyConfigured) as refusal:
        mailers_from_environment(environment, debug=False)
    assert str(refusal.value).startswith(message)


def test_the_settings_read_the_environment(monkeypatch):
    loaded = load_settings(
        monkeypatch,
        EMAIL_HOST="mail.twinning.example.org",
        DEFAULT_FROM_EMAIL="Twinning <noreply@twinning.example.org>",
        REGISTRATION_CONFIRM_HOURS="24",
        REGISTRATION_RETENTION_MONTHS="3",
        REGISTRATION_RATE_PER_ADDRESS="5/day",
        REGISTRATION_RATE_PER_CLIENT="0",
    )
    assert loaded.MAILERS["default"]["OPTIONS"]["host"] == "mail.twinning.example.org"
    assert loaded.DEFAULT_FROM_EMAIL == "Twinning <noreply@twinning.example.org>"
    assert (loaded.REGISTRATION_CONFIRM_HOURS, loaded.REGISTRATION_RETENTION_MONTHS) == (24, 3)
    assert (loaded.REGISTRATION_RATE_PER_ADDRESS, loaded.REGISTRATION_RATE_PER_CLIENT) == (
        "5/day",
        "",  # 0: no limit
    )
    # No deprecated EMAIL_* setting: Django 6.1 refuses them next to MAILERS.
    assert not [name for name in vars(loaded) if name.startswith("EMAIL_")]


def test_empty_variables_are_the_defaults(monkeypatch):
    loaded = load_settings(
        monkeypatch,
        **dict.fromkeys(VARIABLES, ""),
    )
    assert loaded.DEFAULT_FROM_EMAIL == "webmaster@localhost"
    assert loaded.REGISTRATION_CONFIRM_HOURS == 48
    assert loaded.REGISTRATION_RETENTION_MONTHS == 6
    assert loaded.REGISTRATION_RATE_PER_ADDRESS == "3/hour"


def test_a_message_reaches_a_real_smtp_server(smtp_server):
    """What the tests' SMTP server (tests/mail.py) receives is the message as sent."""
    EmailMessage(
        "报名已确认：上海和大连考察之旅",
        "Li Wei，您好：\n\nhttps://twinning.example.org/zh-hans/registration/abc/\n",
        to=["li.wei@example.cn"],
    ).send(using="default")

    [received] = smtp_server.messages
    assert received.recipients == ["li.wei@example.cn"]
    assert received.sender == settings.DEFAULT_FROM_EMAIL
    assert received.subject == "报名已确认：上海和大连考察之旅"
    assert received.links() == ["https://twinning.example.org/zh-hans/registration/abc/"]
    assert smtp_server.to("li.wei@example.cn") == [received]


def test_check_deploy_warns_of_mail_that_never_arrives(settings):
    settings.DEBUG = False
    settings.MAILERS = {"default": {"BACKEND": BACKENDS["console"]}}
    settings.DEFAULT_FROM_EMAIL = "webmaster@localhost"
    assert [warning.id for warning in check_mail_settings()] == ["twinning.W101", "twinning.W102"]

    settings.MAILERS = mailers_from_environment({}, debug=False)
    settings.DEFAULT_FROM_EMAIL = "Twinning <noreply@twinning.example.org>"
    assert check_mail_settings() == []
