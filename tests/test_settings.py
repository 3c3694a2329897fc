"""Configuration from the environment: every variable is documented, every documented value
works, an empty variable (as .env.example lists them) is the default, and a value that cannot
work stops the start with a message instead of failing on every request."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from api.endpoints import AnonymousThrottle
from programmes.management.commands import create_demo_staff

from .environment import load_settings


class RecordingEnvironment(dict):
    """``os.environ`` for one import of the settings, noting every variable asked for."""

    def __init__(self, environ):
        super().__init__(environ)
        self.asked = set()

    def get(self, name, default=None):
        self.asked.add(name)
        return super().get(name, default)

    def __getitem__(self, name):
        self.asked.add(name)
        return super().__getitem__(name)

    def __contains__(self, name):
        self.asked.add(name)
        return super().__contains__(name)


def documented_variables() -> tuple[set[str], set[str]]:
    """The variables ``.env.example`` lists, and those of docs/deployment.md's table."""
    base = Path(django_settings.BASE_DIR)
    example = re.findall(r"^([A-Z][A-Z0-9_]*)=", (base / ".env.example").read_text(), re.M)
    section = (base / "docs" / "deployment.md").read_text().split("\n## Configuration\n")[1]
    rows = [line for line in section.split("\n## ")[0].splitlines() if line.startswith("| `")]
    table = {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}
    return set(example), table


def test_every_variable_is_in_the_example_and_the_configuration_table(monkeypatch):
    """``.env.example`` is the one list of variables, and docs/deployment.md explains each:
    both hold exactly what the settings (and ``make run``'s demo staff) read."""
    environment = RecordingEnvironment(os.environ)
    monkeypatch.setattr(os, "environ", environment)
    load_settings(monkeypatch)
    read = {name for name in environment.asked if name.isupper()}
    read.add(create_demo_staff.PASSWORD_VARIABLE)

    example, table = documented_variables()

    gaps = {
        "read but not in .env.example": sorted(read - example),
        "in .env.example but never read": sorted(example - read),
        "read but not in the table": sorted(read - table),
        "in the table but never read": sorted(table - read),
    }
    assert gaps == {gap: [] for gap in gaps}


def test_a_rate_limit_of_0_is_off(monkeypatch):
    assert load_settings(monkeypatch, API_RATE_LIMIT="0").API_RATE_LIMIT == ""
    assert load_settings(monkeypatch, API_RATE_LIMIT="").API_RATE_LIMIT == "600/min"
    assert load_settings(monkeypatch, API_RATE_LIMIT=" 10000/hour ").API_RATE_LIMIT == "10000/hour"
    assert load_settings(monkeypatch, API_RATE_LIMIT="100/5m").API_RATE_LIMIT == "100/5m"


@pytest.mark.parametrize("value", ["600 per minute", "600", "0/min", "10/ms", "-5/min", "/min"])
def test_a_rate_limit_ninja_cannot_read_stops_the_start(monkeypatch, value):
    with pytest.raises(ImproperlyConfigured) as error:
        load_settings(monkeypatch, API_RATE_LIMIT=value)

    assert str(error.value) == (
        "API_RATE_LIMIT must be a rate such as 600/min or 10000/hour, or 0 to turn it off."
    )


def test_the_throttle_with_the_limit_off_lets_every_request_through(settings):
    settings.API_RATE_LIMIT = ""

    throttle = AnonymousThrottle()

    assert (throttle.rate, throttle.num_requests, throttle.duration) == (None, None, None)
    request = RequestFactory().get("/api/v1/regions")
    assert all(throttle.allow_request(request) for _ in range(1000))


def test_with_the_rate_limit_off_the_site_answers(tmp_path):
    """In a process of its own: the throttle is made when the API module is imported, and
    with ``API_RATE_LIMIT=0`` that import failed, so every address answered 500."""
    script = """
import json
import django
from django.test import Client

django.setup()
client = Client(raise_request_exception=False)
print(json.dumps({path: client.get(path).status_code for path in
                  ["/", "/admin/login/", "/api/v1/openapi.json"]}))
"""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "API_RATE_LIMIT": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == {
        "/": 302,
        "/admin/login/": 200,
        "/api/v1/openapi.json": 200,
    }


def test_empty_variables_are_the_defaults(monkeypatch):
    """``.env.example`` lists these empty; copied as they are, they used to crash the start
    (``int("")``, an unknown log level) or put uploads in the working directory."""
    loaded = load_settings(
        monkeypatch,
        DATABASE_CONN_MAX_AGE="",
        DJANGO_PAGE_CACHE_SECONDS="",
        API_CACHE_SECONDS="",
        DJANGO_MEDIA_ROOT="",
        DJANGO_STATIC_ROOT="",
        DJANGO_LOG_LEVEL="",
        WEBHOOK_TIMEOUT="",
        REDIS_URL="",
    )

    assert loaded.DATABASES["default"]["CONN_MAX_AGE"] == 60
    assert loaded.PAGE_CACHE_SECONDS == 60
    assert loaded.API_CACHE_SECONDS == 60
    assert loaded.MEDIA_ROOT == loaded.BASE_DIR / "media"
    assert loaded.STATIC_ROOT == loaded.BASE_DIR / "staticfiles"
    assert loaded.LOGGING["root"]["level"] == "WARNING"
    assert loaded.WEBHOOK_TIMEOUT == 5


def test_documented_values_are_read(monkeypatch):
    loaded = load_settings(
        monkeypatch,
        DJANGO_PAGE_CACHE_SECONDS="0",
        API_CACHE_SECONDS="0",
        DJANGO_LOG_LEVEL="info",
        WEBHOOK_TIMEOUT="2.5",
    )

    assert loaded.PAGE_CACHE_SECONDS == 0
    assert loaded.API_CACHE_SECONDS == 0
    assert loaded.LOGGING["root"]["level"] == "INFO"
    assert loaded.WEBHOOK_TIMEOUT == 2.5


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "API_CACHE_SECONDS",
            "-1",
            "API_CACHE_SECONDS must be a whole number of seconds, 0 or more.",
        ),
        (
            "DJANGO_PAGE_CACHE_SECONDS",
            "1h",
            "DJANGO_PAGE_CACHE_SECONDS must be a whole number of seconds, 0 or more.",
        ),
        ("WEBHOOK_TIMEOUT", "nan", "WEBHOOK_TIMEOUT must be a number of seconds, 0 or more."),
        ("WEBHOOK_TIMEOUT", "0", "WEBHOOK_TIMEOUT must be more than 0 seconds."),
    ],
)
def test_numbers_that_cannot_work_stop_the_start(monkeypatch, name, value, message):
    with pytest.raises(ImproperlyConfigured) as error:
        load_settings(monkeypatch, **{name: value})

    assert str(error.value) == message
