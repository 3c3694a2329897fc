"""How the site sends e-mail: Django's ``MAILERS``, read from the environment.

Django 6.1 configures mail with ``MAILERS`` (one entry per way of sending, ``"default"``
for ordinary mail) and deprecates the old ``EMAIL_*`` settings; it refuses both at once. So
the settings module must not define ``EMAIL_HOST`` and friends as settings: the familiar
*environment variable* names are read here and turned into the ``default`` mailer's
options by :func:`mailers_from_environment`.

- ``EMAIL_BACKEND``: ``smtp`` (the default without debug), ``console`` (the default with
  debug: messages are printed where ``make run`` runs, nothing leaves the machine) or
  ``dummy`` (messages are dropped).
- ``EMAIL_HOST`` / ``EMAIL_PORT``: the SMTP server (``localhost``; port 25, 587 with
  STARTTLS, 465 with TLS from the start).
- ``EMAIL_HOST_USER`` / ``EMAIL_HOST_PASSWORD``: both or neither.
- ``EMAIL_USE_TLS`` (STARTTLS) or ``EMAIL_USE_SSL`` (TLS from the start), not both.
- ``EMAIL_TIMEOUT``: seconds for each step of talking to the server (10). Mail is sent
  while a visitor waits (see ``registrations/emails.py``), and smtplib's default is to
  wait for ever.

A configuration that cannot work stops the start with a message naming the variable,
as the other settings do. :func:`check_mail_settings` warns under ``check --deploy`` when
a production install would print or drop its mail, or send it from Django's placeholder
address.
"""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}
DEFAULT_TIMEOUT = 10
# Django's own default for DEFAULT_FROM_EMAIL: no real mailbox.
PLACEHOLDER_FROM = "webmaster@localhost"
TRUE = {"1", "true", "yes", "on"}
FALSE = {"", "0", "false", "no", "off"}


def _flag(environ: Mapping[str, str], name: str) -> bool:
    value = (environ.get(name) or "").strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0, not {value!r}.")


def _number(environ: Mapping[str, str], name: str, *, default, whole: bool, most=float("inf")):
    """A number more than 0 (a whole one, in digits alone, if ``whole``), at most ``most``."""
    value = (environ.get(name) or "").strip()
    if not value:
        return default
    try:
        number = int(value) if whole else float(value)
    except ValueError:
        number = None
    if number is None or (whole and not value.isdecimal()) or not 0 < number <= most:
        kind = "a whole number" if whole else "a number of seconds"
        raise ImproperlyConfigured(f"{name} must be {kind} more than 0, not {value!r}.")
    return number


def mailers_from_environment(environ: Mapping[str, str], *, debug: bool) -> dict[str, Any]:
    """``MAILERS`` as ``environ`` describes it (see the module's docstring)."""
    name = (environ.get("EMAIL_BACKEND") or ("console" if debug else "smtp")).strip().lower()
    if name not in BACKENDS:
        raise ImproperlyConfigured(f"EMAIL_BACKEND must be one of {', '.join(BACKENDS)}.")
    if name != "smtp":
        return {"default": {"BACKEND": BACKENDS[name]}}
    use_tls, use_ssl = _flag(environ, "EMAIL_USE_TLS"), _flag(environ, "EMAIL_USE_SSL")
    if use_tls and use_ssl:
        raise ImproperlyConfigured(
            "Set EMAIL_USE_TLS (STARTTLS, usually port 587) or EMAIL_USE_SSL (TLS from the "
            "start, usually port 465), not both."
        )
    user = (environ.get("EMAIL_HOST_USER") or "").strip()
    password = environ.get("EMAIL_HOST_PASSWORD") or ""
    if bool(user) != bool(password):
        raise ImproperlyConfigured("Set both EMAIL_HOST_USER and EMAIL_HOST_PASSWORD, or neither.")
    options = {
        "host": (environ.get("EMAIL_HOST") or "").strip() or "localhost",
        "port": _number(environ, "EMAIL_PORT", default=None, whole=True, most=65535),
        "use_tls": use_tls,
        "use_ssl": use_ssl,
        "timeout": _number(environ, "EMAIL_TIMEOUT", default=DEFAULT_TIMEOUT, whole=False),
    }
    if user:
        options |= {"username": user, "password": password}
    return {"default": {"BACKEND": BACKENDS[name], "OPTIONS": options}}


def check_mail_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Under ``check --deploy``: mail that would never reach anyone, or from nobody."""
    if settings.DEBUG:
        return []
    found = []
    backend = settings.MAILERS.get("default", {}).get("BACKEND", "")
    if backend in (BACKENDS["console"], BACKENDS["dummy"]):
        found.append(
            checks.Warning(
                "EMAIL_BACKEND is console or dummy: confirmation e-mails to people who "
                "register for a mission are printed or dropped, never sent.",
                hint="Set EMAIL_BACKEND=smtp (the default) and EMAIL_HOST.",
                id="twinning.W101",
            )
        )
    if settings.DEFAULT_FROM_EMAIL == PLACEHOLDER_FROM:
        found.append(
            checks.Warning(
                f"DEFAULT_FROM_EMAIL is Django's placeholder {PLACEHOLDER_FROM}: mail from it "
                "is likely to be refused or marked as spam.",
                hint="Set DEFAULT_FROM_EMAIL to an address of your organisation, such as "
                "'Twinning programmes <noreply@twinning.example.org>'.",
                id="twinning.W102",
            )
        )
    return found
