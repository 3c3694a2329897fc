"""Where webhook events may go: no server-side request forgery.

An endpoint is refused when it is saved, and a delivery is not made, unless every address
its host resolves to is globally routable, also the IPv4 address an IPv6 address carries
(NAT64, 6to4, Teredo, IPv4-mapped and -compatible forms). Host names are checked in the
form a resolver will look up: no percent-encoding, no numeric spellings of IPv4 addresses,
no local names however they are written. DNS is played by ``FakeDNS``, so a test can
answer one address when the endpoint is saved and another when it is delivered to (DNS
rebinding); connections are recorded, never made.
"""

import contextlib
import socket
import threading
import time

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.tasks import default_task_backend
from django.urls import reverse

from programmes.domain import permissions
from tests.factories import StaffFactory
from webhooks import network
from webhooks import services as webhook_services
from webhooks.models import Delivery, Endpoint
from webhooks.tasks import deliver

PUBLIC_IPV4 = "93.184.215.14"
PUBLIC_IPV6 = "2606:2800:21f:cb07:6820:80da:af6b:8b2c"

# Addresses that are not globally routable, in every form that reaches them.
NOT_GLOBAL = [
    pytest.param("127.0.0.1", id="loopback"),
    pytest.param("10.1.2.3", id="private-10"),
    pytest.param("172.16.0.1", id="private-172"),
    pytest.param("192.168.0.10", id="private-192"),
    pytest.param("169.254.169.254", id="link-local-metadata"),
    pytest.param("100.64.0.1", id="shared-cgnat"),
    pytest.param("0.0.0.0", id="this-host"),
    pytest.param("224.0.0.1", id="ipv4-multicast"),
    pytest.param("255.255.255.255", id="broadcast"),
    pytest.param("::1", id="ipv6-loopback"),
    pytest.param("::", id="ipv6-unspecified"),
    pytest.param("fe80::1", id="ipv6-link-local"),
    pytest.param("fd00::1", id="ipv6-unique-local"),
    pytest.param("ff0e::1", id="ipv6-global-multicast"),
    pytest.param("64:ff9b::7f00:1", id="nat64-loopback"),
    pytest.param("64:ff9b::a9fe:a9fe", id="nat64-metadata"),
    pytest.param("64:ff9b:1::5db8:d70e", id="nat64-local-use"),
    pytest.param("2002:7f00:1::", id="6to4-loopback"),
    pytest.param("2002:a00:1::1", id="6to4-private"),
    pytest.param("::ffff:127.0.0.1", id="ipv4-mapped-loopback"),
    pytest.param("::ffff:a9fe:a9fe", id="ipv4-mapped-metadata"),
    pytest.param("::127.0.0.1", id="ipv4-compatible-loopback"),
    pytest.param("::ffff:0:7f00:1", id="ipv4-translated-loopback"),
    # Teredo: server 65.54.227.120, client 127.0.0.1 (stored XORed as 80ff:fffe).
    pytest.param("2001:0:4136:e378:8000:63bf:80ff:fffe", id="teredo-loopback"),
]

# Public addresses, also when an IPv6-only network reaches them through NAT64 (DNS64
# answers 64:ff9b::5db8:d70e for 93.184.215.14) or through 6to4.
GLOBAL = [PUBLIC_IPV4, PUBLIC_IPV6, "64:ff9b::5db8:d70e", "2002:5db8:d70e::1"]


def in_url(address: str) -> str:
    return f"[{address}]" if ":" in address else address


class FakeDNS:
    """A resolver whose answers the test sets, as an attacker's DNS server would."""

    def __init__(self):
        self.answers: dict[str, list[str]] = {}
        self.real = socket.getaddrinfo
        # Names whose look-up hangs (a resolver that does not answer) until the test ends.
        self.hanging: set[str] = set()
        self.released = threading.Event()

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):
        if host in self.hanging:
            self.released.wait(timeout=10)
        with contextlib.suppress(socket.gaierror):  # an IP address stands for itself
            return self.real(host, port, family, type, proto, socket.AI_NUMERICHOST)
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6, type, 6, "", (address, port, 0, 0))
            if ":" in address
            else (socket.AF_INET, type, 6, "", (address, port))
            for address in self.answers[host]
        ]


@pytest.fixture
def dns(monkeypatch):
    fake = FakeDNS()
    monkeypatch.setattr(socket, "getaddrinfo", fake.getaddrinfo)
    yield fake
    fake.released.set()


@pytest.fixture
def connections(monkeypatch):
    """Every connection a delivery opens, as (address, port); none is really made."""
    made = []

    def create_connection(address, timeout=None, source_address=None):
        made.append(address)
        raise ConnectionRefusedError("the test's network refuses every connection")

    monkeypatch.setattr(socket, "create_connection", create_connection)
    return made


@pytest.fixture
def production(db, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    yield settings
    default_task_backend.clear()


def refusal(url: str) -> str:
    with pytest.raises(ValidationError) as refused:
        network.validate_endpoint_url(url)
    return refused.value.code


# When the endpoint is saved -------------------------------------------------------------------


@pytest.mark.parametrize("address", NOT_GLOBAL)
def test_an_address_that_is_not_global_is_refused(production, dns, address):
    assert refusal(f"https://{in_url(address)}/hooks") == "private"


@pytest.mark.parametrize("address", NOT_GLOBAL)
def test_a_host_name_with_one_address_that_is_not_global_is_refused(production, dns, address):
    dns.answers["partner.example.org"] = [PUBLIC_IPV4, address]
    assert refusal("https://partner.example.org/hooks") == "private"


@pytest.mark.parametrize(
    ("url", "code"),
    [
        # Numeric spellings of 127.0.0.1 that resolvers accept and ipaddress does not.
        ("https://2130706433/hooks", "host"),
        ("https://0x7f000001/hooks", "host"),
        ("https://0x7f.1/hooks", "host"),
        ("https://017700000001/hooks", "host"),
        ("https://0177.0.0.1/hooks", "host"),
        ("https://127.1/hooks", "host"),
        # Encodings and oddities that are no host name.
        ("https://%6c%6fcalhost/hooks", "host"),
        ("https://partner%2eexample.org/hooks", "host"),
        ("https://[fe80::1%25eth0]/hooks", "host"),
        ("https://under_score.example.org/hooks", "host"),
        ("https://partner..example.org/hooks", "host"),
        ("https://xn--a.example.org/hooks", "host"),
        ("https://[::1/hooks", "host"),
        ("https://partner.example.org:99999/hooks", "host"),
        # Local names, whatever their case and trailing dot.
        ("https://localhost/hooks", "private"),
        ("https://localhost./hooks", "private"),
        ("https://LOCALHOST./hooks", "private"),
        ("https://LocalHost:8443/hooks", "private"),
        ("https://ip6-localhost/hooks", "private"),
        ("https://intranet/hooks", "private"),
        ("https://api.localhost/hooks", "private"),
        ("https://printer.local/hooks", "private"),
        ("https://db.internal./hooks", "private"),
        ("https://nas.home.arpa/hooks", "private"),
        ("https://127.0.0.1./hooks", "private"),
        # Not https, or with credentials.
        ("http://partner.example.org/hooks", "scheme"),
        ("https://user:password@partner.example.org/hooks", "credentials"),
    ],
)
def test_odd_and_local_host_names_are_refused_even_when_dns_says_public(production, dns, url, code):
    # An attacker's DNS answers a public address for any name: the name itself is refused.
    for name in ["partner.example.org", "localhost", "ip6-localhost", "intranet"]:
        dns.answers[name] = [PUBLIC_IPV4]
    for name in ["api.localhost", "printer.local", "db.internal", "nas.home.arpa"]:
        dns.answers[name] = [PUBLIC_IPV4]
    assert refusal(url) == code


@pytest.mark.parametrize("address", GLOBAL)
def test_global_addresses_are_accepted(production, dns, address):
    dns.answers["partner.example.org"] = [address]
    assert network.validate_endpoint_url(f"https://{in_url(address)}/hooks") is None
    assert network.validate_endpoint_url("https://partner.example.org/hooks") is None


def test_a_name_that_does_not_resolve_yet_is_accepted_and_checked_on_delivery(production, dns):
    assert network.validate_endpoint_url("https://hooks.partner.example.org/twinning") is None


def test_a_resolver_that_does_not_answer_holds_up_a_save_for_at_most_the_timeout(production, dns):
    production.WEBHOOK_TIMEOUT = 0.3
    dns.answers["partner.example.org"] = [PUBLIC_IPV4]
    dns.hanging.add("partner.example.org")
    endpoint = Endpoint(url="https://partner.example.org/hooks", all_partnerships=True)
    started = time.monotonic()
    endpoint.full_clean()  # accepted, as a name that does not resolve yet: checked on delivery
    endpoint.save()
    assert 0.3 <= time.monotonic() - started < 1
    assert list(Endpoint.objects.values_list("url", flat=True)) == [
        "https://partner.example.org/hooks"
    ]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("https://Partner.Example.ORG./hooks?v=1", "https://partner.example.org/hooks?v=1"),
        ("https://PARTNER.example.org:8443/Hooks", "https://partner.example.org:8443/Hooks"),
        ("https://杭州.中国/hooks", "https://xn--6rtr6s.xn--fiqs8s/hooks"),
        (
            "https://[2606:2800:21F:CB07:6820:80DA:AF6B:8B2C]/hooks",
            f"https://[{PUBLIC_IPV6}]/hooks",
        ),
    ],
)
def test_an_endpoint_is_stored_with_the_host_that_is_checked(production, dns, typed, stored):
    dns.answers["partner.example.org"] = [PUBLIC_IPV4]
    dns.answers["xn--6rtr6s.xn--fiqs8s"] = [PUBLIC_IPV4]
    endpoint = Endpoint(url=typed, all_partnerships=True)
    endpoint.full_clean()
    endpoint.save()
    assert Endpoint.objects.get().url == stored


def test_private_hosts_are_allowed_when_the_setting_says_so_but_odd_names_are_not(production, dns):
    production.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    assert network.validate_endpoint_url("https://partner-intranet:8443/hooks") is None
    assert network.validate_endpoint_url("https://10.1.2.3/hooks") is None
    assert network.validate_endpoint_url("https://[64:ff9b::7f00:1]/hooks") is None
    assert refusal("https://2130706433/hooks") == "host"
    assert refusal("https://%6c%6fcalhost/hooks") == "host"


def test_the_admin_says_why_an_address_is_refused(client, production, dns):
    client.force_login(StaffFactory(role=permissions.SITE_MANAGER))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the strings below are English
    add = reverse("admin:webhooks_endpoint_add")
    form = {"description": "", "active": "on", "all_partnerships": "on"}
    nat64 = client.post(add, form | {"url": "https://[64:ff9b::7f00:1]/hooks"})
    bad_idna = client.post(add, form | {"url": "https://xn--a.example.org/hooks"})
    encoded = client.post(add, form | {"url": "https://%6c%6fcalhost/hooks"})
    assert "Events cannot be sent to a private or local address." in nat64.text
    assert "The host in this address is not a valid host name or IP address." in bad_idna.text
    assert "Enter a valid URL." in encoded.text  # Django's own check sees this one first
    assert not Endpoint.objects.exists()


# When an event is delivered -------------------------------------------------------------------


def saved_endpoint(dns, url: str = "https://partner.example.org/hooks") -> Endpoint:
    """An endpoint saved through validation while DNS answered a public address."""
    dns.answers["partner.example.org"] = [PUBLIC_IPV4]
    endpoint = Endpoint(url=url, all_partnerships=True)
    endpoint.full_clean()
    endpoint.save()
    return endpoint


def deliver_test_event(endpoint: Endpoint) -> Delivery:
    delivery = webhook_services.send_test_event(endpoint)
    deliver.call(delivery.pk, 1)
    delivery.refresh_from_db()
    return delivery


def test_a_delivery_connects_to_the_address_that_was_checked(production, dns, connections):
    endpoint = saved_endpoint(dns)
    delivery = deliver_test_event(endpoint)
    assert connections == [(PUBLIC_IPV4, 443)]
    assert delivery.last_error.startswith("ConnectionRefusedError")
    assert delivery.state == Delivery.State.RETRYING


@pytest.mark.parametrize("address", NOT_GLOBAL)
def test_dns_that_changes_after_the_save_does_not_redirect_a_delivery(
    production, dns, connections, address
):
    endpoint = saved_endpoint(dns)
    dns.answers["partner.example.org"] = [address]  # rebinding: the next answer is internal

    delivery = deliver_test_event(endpoint)

    assert connections == []
    assert delivery.last_error == (
        f"BlockedAddressError: partner.example.org resolves to a non-public address ({address})"
    )
    assert (delivery.state, delivery.attempts) == (Delivery.State.RETRYING, 1)
    assert delivery.attempt_log.get().status_code is None


@pytest.mark.parametrize(
    ("url", "error"),
    [
        (
            "https://[64:ff9b::7f00:1]/hooks",
            "BlockedAddressError: 64:ff9b::7f00:1 resolves to a non-public address "
            "(64:ff9b::7f00:1)",
        ),
        (
            "https://2130706433/hooks",
            "ValueError: '2130706433' is not a valid host name",
        ),
        ("https://LOCALHOST./hooks", "BlockedAddressError: localhost is a local name"),
    ],
)
def test_an_endpoint_stored_before_these_checks_is_not_contacted(
    production, dns, connections, url, error
):
    endpoint = saved_endpoint(dns)
    Endpoint.objects.filter(pk=endpoint.pk).update(url=url)  # as an older release stored it
    endpoint.refresh_from_db()

    delivery = deliver_test_event(endpoint)

    assert connections == []
    assert delivery.last_error == error


def test_a_delivery_whose_look_up_does_not_answer_times_out_and_is_retried(
    production, dns, connections
):
    endpoint = saved_endpoint(dns)
    production.WEBHOOK_TIMEOUT = 0.3
    dns.hanging.add("partner.example.org")
    started = time.monotonic()
    delivery = deliver_test_event(endpoint)
    assert time.monotonic() - started < 1
    assert connections == []
    assert (delivery.state, delivery.attempts, delivery.last_error) == (
        Delivery.State.RETRYING,
        1,
        "timed out after 0.3 s",
    )
