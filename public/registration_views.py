"""The public pages of registration: the form, "check your inbox", confirm, manage, cancel.

None of them is ever cached, by the page cache, the fast path, a shared cache or the
browser: they carry a CSRF token and the person's own data. They are not wrapped in
``cache_public_page`` (so neither the page cache nor the fast path, which copies only what
the page cache marked, ever sees them), and each answers ``Cache-Control: no-store,
private``. Pages reached through a link from an e-mail carry the person's token in their
address: they are ``noindex``, and like every page send a ``Referer`` only to the site
itself (``SECURE_REFERRER_POLICY = "same-origin"``). Not ``no-referrer``: with it, browsers
send ``Origin: null`` with the page's own forms, which the CSRF check refuses.

Views stay thin: the services (``registrations/services.py``) do the work and the
templates say it.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from programmes.models import Mission
from registrations import emails, ratelimit, services, tokens
from registrations.models import RegistrationSettings, Status

from . import navigation
from .registration_forms import DetailsForm, RegistrationForm


def private(view):
    """Never stored by any cache; a page under a personal link is not indexed either."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        patch_cache_control(response, private=True)
        if "token" in kwargs:
            response["X-Robots-Tag"] = "noindex"
        return response

    return wrapper


def _open_mission(slug: str) -> tuple[Mission, RegistrationSettings]:
    """A published mission with registration settings (open or not), else 404."""
    mission = get_object_or_404(
        Mission.objects.published().select_related("registration_settings", "partnership__owner"),
        slug=slug,
    )
    try:
        return mission, mission.registration_settings
    except RegistrationSettings.DoesNotExist:
        raise Http404("This mission takes no registrations.") from None


@private
@require_http_methods(["GET", "HEAD", "POST"])
def register(request: HttpRequest, slug: str) -> HttpResponse:
    """The form; a sign-up answers the same whether the address is new or known."""
    mission, registration_settings = _open_mission(slug)
    state = registration_settings.state(timezone.now())
    privacy_statement = navigation.for_request(request).privacy_statement
    form = RegistrationForm(
        request.POST or None,
        privacy_statement_url=privacy_statement.get_absolute_url() if privacy_statement else None,
    )
    status = 200
    if request.method == "POST" and state == RegistrationSettings.State.OPEN:
        if form.is_bot:  # the honeypot: look like a success, do nothing
            return redirect("registrations:sent", slug=mission.slug)
        if not ratelimit.allow_client(request):
            form.add_error(
                None,
                _(
                    "Too many sign-ups came from your network in a short time. Please try "
                    "again in an hour."
                ),
            )
            status = 429
        elif form.is_valid():
            try:
                services.register(
                    mission=mission,
                    email=form.cleaned_data["email"],
                    details=form.details,
                    language=get_language(),
                    sensitive_consent=form.cleaned_data["sensitive_consent"],
                    base=emails.base_url(request),
                )
            except services.RegistrationClosedError:
                state = RegistrationSettings.State.CLOSED
            else:
                return redirect("registrations:sent", slug=mission.slug)
    context = {
        "mission": mission,
        "registration_settings": registration_settings,
        "state": state,
        "places": services.places(mission.pk, registration_settings.capacity),
        "form": form,
        "confirm_hours": settings.REGISTRATION_CONFIRM_HOURS,
        "retention_months": settings.REGISTRATION_RETENTION_MONTHS,
    }
    return render(request, "registrations/register.html", context, status=status)


@private
@require_http_methods(["GET", "HEAD"])
def sent(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Check your inbox": the same for every address, new or known (no enumeration)."""
    mission, _registration_settings = _open_mission(slug)
    context = {"mission": mission, "confirm_hours": settings.REGISTRATION_CONFIRM_HOURS}
    return render(request, "registrations/sent.html", context)


def _link_not_valid(request: HttpRequest) -> HttpResponse:
    return render(request, "registrations/link_not_valid.html", status=404)


@private
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the first e-mail: a button, so that a mail scanner opening the link
    confirms nothing; pressing it confirms and shows the registration."""
    registration = tokens.registration_for(token, tokens.CONFIRM)
    if registration is None or registration.status != Status.UNCONFIRMED:
        return _link_not_valid(request)
    if request.method == "POST":
        try:
            registration = services.confirm(registration, base=emails.base_url(request))
        except services.RegistrationError:
            return _link_not_valid(request)
        return redirect(_manage_url(registration))
    return render(request, "registrations/confirm.html", {"registration": registration})


def _manage_url(registration) -> str:
    return reverse(
        "registrations:manage", kwargs={"token": tokens.make(registration, tokens.MANAGE)}
    )


@private
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """See one's registration and its status; change the details while it is active."""
    registration = tokens.registration_for(token, tokens.MANAGE)
    if registration is None:
        return _link_not_valid(request)
    form = None
    if registration.is_active:
        form = DetailsForm(request.POST or None, instance=registration)
        if request.method == "POST" and form.is_valid():
            services.update_details(
                registration,
                form.details,
                sensitive_consent=form.cleaned_data["sensitive_consent"],
            )
            messages.success(request, _("Your changes are saved."))
            return redirect(request.path)
    elif request.method == "POST":
        return _link_not_valid(request)
    context = {
        "registration": registration,
        "mission": registration.mission,
        "position": services.waiting_position(registration),
        "form": form,
        "token": token,
        "retention_months": settings.REGISTRATION_RETENTION_MONTHS,
    }
    return render(request, "registrations/manage.html", context)


@private
@require_http_methods(["GET", "HEAD", "POST"])
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    """ "Do you really want to cancel?", then cancel: the place goes to the waiting list."""
    registration = tokens.registration_for(token, tokens.MANAGE)
    if registration is None or not registration.is_active:
        return _link_not_valid(request)
    if request.method == "POST":
        try:
            services.cancel(registration, base=emails.base_url(request))
        except services.RegistrationError:  # cancelled meanwhile, in another tab
            return _link_not_valid(request)
        messages.success(request, _("Your registration is cancelled."))
        return redirect("registrations:manage", token=token)
    context = {"registration": registration, "mission": registration.mission, "token": token}
    return render(request, "registrations/cancel.html", context)
