"""HTTPS in production: the documented environment passes ``check --deploy`` without a single
issue, HSTS and the redirect to HTTPS are set from the environment (off by default), and
behind the TLS proxy the redirect trusts the proxy's ``X-Forwarded-Proto``, so what comes
through the proxy (pages, the API, robots.txt a health check may ask) is served."""

import re
import secrets
from pathlib import Path

import pytest
from django.conf import settings

from .environment import run_fresh, settings_under

DEPLOYMENT = Path(settings.BASE_DIR) / "docs" / "deployment.md"
ENV_EXAMPLE = Path(settings.BASE_DIR) / ".env.example"
HOST = "twinning.example.org"
HSTS_SETTINGS = (
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
)


def documented_production_environment() -> dict[str, str]:
    """The lines of docs/deployment.md's "One server", with a real secret for its placeholder."""
    section = DEPLOYMENT.read_text().split("\n## One server\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL).group(1)
    environment = dict(
        line.split("=", 1) for line in block.splitlines() if line and not line.startswith("#")
    )
    assert environment["DJANGO_SECRET_KEY"] == "change-me"
    return environment | {"DJANGO_SECRET_KEY": secrets.token_urlsafe(50)}


def test_the_documented_production_environment_passes_check_deploy_without_an_issue():
    result = run_fresh(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        documented_production_environment(),
    )
    assert (result.returncode, result.stderr, result.stdout) == (
        0,
        "",
        "System check identified no issues (0 silenced).\n",
    )


def test_https_settings_come_from_the_environment_and_are_off_by_default():
    assert settings_under({"DJANGO_SECRET_KEY": "x" * 50}, *HSTS_SETTINGS) == (
        "False 0 False False None"
    )
    assert settings_under(documented_production_environment(), *HSTS_SETTINGS) == (
        "True 31536000 True True ('HTTP_X_FORWARDED_PROTO', 'https')"
    )


@pytest.mark.parametrize(
    "name",
    [
        "DJANGO_SSL_REDIRECT",
        "DJANGO_HSTS_SECONDS",
        "DJANGO_HSTS_INCLUDE_SUBDOMAINS",
        "DJANGO_HSTS_PRELOAD",
    ],
)
def test_each_https_variable_is_off_in_the_example(name):
    """Off until HTTPS works: .env.example must not switch HSTS on for whoever copies it."""
    assert f"\n{name}=0\n" in ENV_EXAMPLE.read_text()


@pytest.fixture
def https_behind_proxy(settings):
    """The documented production settings, as the test run's settings."""
    settings.ALLOWED_HOSTS = [HOST]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    return settings


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/robots.txt", 200),
        ("/sitemap.xml", 200),
        ("/nl/", 200),
        ("/api/v1/missions", 200),
        ("/admin/login/", 200),
        ("/", 302),  # to the visitor's language, on the same scheme
    ],
)
def test_what_the_proxy_forwards_as_https_is_served_with_hsts(
    db, client, https_behind_proxy, path, status
):
    response = client.get(path, headers={"host": HOST, "x-forwarded-proto": "https"})
    assert response.status_code == status
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    if status == 302:
        assert response["Location"] == "/nl/"


def test_plain_http_is_redirected_to_the_same_address_over_https(client, https_behind_proxy):
    for proto in [None, "http"]:
        headers = {"host": HOST} | ({"x-forwarded-proto": proto} if proto else {})
        response = client.get("/nl/missions/?page=2", headers=headers)
        assert (response.status_code, response["Location"]) == (
            301,
            f"https://{HOST}/nl/missions/?page=2",
        )
        assert "Strict-Transport-Security" not in response  # never sent over plain HTTP


def test_without_the_proxy_a_client_cannot_claim_https(client, https_behind_proxy):
    https_behind_proxy.SECURE_PROXY_SSL_HEADER = None  # DJANGO_BEHIND_TLS_PROXY=0
    response = client.get("/robots.txt", headers={"host": HOST, "x-forwarded-proto": "https"})
    assert (response.status_code, response["Location"]) == (301, f"https://{HOST}/robots.txt")
