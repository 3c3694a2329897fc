"""Create (or reset) the demo staff, so a fresh `make run` has someone to log in as."""

import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

from programmes.domain.permissions import (
    EDITOR,
    PARTNER_REVIEWER,
    PUBLISHER,
    SITE_MANAGER,
    TRANSLATOR,
    sync_role_groups,
)
from programmes.models import Membership, Organisation, PartnerReviewer, Partnership

DEFAULT_PASSWORD = "twinning-demo"
PASSWORD_VARIABLE = "DEMO_STAFF_PASSWORD"
# username, role, the organisation they work for (by slug), the languages they translate into
DEMO_STAFF = [
    ("demo", SITE_MANAGER, None, []),
    ("enschede-editor", EDITOR, "gemeente-enschede", []),
    ("enschede-publisher", PUBLISHER, "gemeente-enschede", []),
    ("pom-editor", EDITOR, "pom-west-vlaanderen", []),
    ("pom-translator", TRANSLATOR, "pom-west-vlaanderen", ["zh-hans"]),
]
# username, the partnership they review (by slug), the languages they review it in: staff of
# the partner side (Dalian's foreign-affairs office), with the role "Partner reviewer".
DEMO_REVIEWERS = [
    ("dalian-reviewer", "enschede-dalian", ["zh-hans", "en"]),
]


def reset_staff_member(
    username: str,
    password: str,
    group: Group,
    organisation: Organisation | None,
    languages: list[str],
) -> AbstractUser:
    """A staff member who is not a superuser, with exactly this role and organisation."""
    user, _created = get_user_model().objects.update_or_create(
        username=username,
        defaults={"is_staff": True, "is_superuser": False, "is_active": True},
    )
    user.set_password(password)
    user.save(update_fields=["password"])
    user.user_permissions.clear()
    user.groups.set([group])
    user.memberships.all().delete()
    if organisation is not None:
        Membership.objects.create(user=user, organisation=organisation, languages=languages)
    return user


def reset_reviewer(
    username: str, password: str, group: Group, partnership: Partnership, languages: list[str]
) -> AbstractUser:
    """A partner reviewer of exactly ``partnership``, in ``languages``, of no organisation."""
    user = reset_staff_member(username, password, group, None, [])
    user.partner_reviews.all().delete()
    PartnerReviewer.objects.create(user=user, partnership=partnership, languages=languages)
    return user


def demo_partnerships() -> dict[str, Partnership]:
    slugs = {slug for _username, slug, _languages in DEMO_REVIEWERS}
    partnerships = {p.slug: p for p in Partnership.objects.filter(slug__in=slugs)}
    missing = sorted(slugs - set(partnerships))
    if missing:
        raise CommandError(
            f"The partnerships {', '.join(missing)} do not exist: load the seed content first "
            "(python manage.py load_seed_content, or make seed)."
        )
    return partnerships


def demo_organisations() -> dict[str, Organisation]:
    slugs = {slug for _username, _role, slug, _languages in DEMO_STAFF if slug}
    organisations = {o.slug: o for o in Organisation.objects.filter(slug__in=slugs)}
    missing = sorted(slugs - set(organisations))
    if missing:
        raise CommandError(
            f"The organisations {', '.join(missing)} do not exist: load the seed content first "
            "(python manage.py load_seed_content, or make seed)."
        )
    return organisations


class Command(BaseCommand):
    help = (
        "Create or reset the demo staff (none a superuser): 'demo', a site manager; an editor "
        "and a publisher of Gemeente Enschede; an editor and a Chinese translator of POM "
        "West-Vlaanderen; a partner reviewer of the Enschede–Dalian partnership (Chinese and "
        f"English). The password comes from {PASSWORD_VARIABLE} (default "
        f"'{DEFAULT_PASSWORD}'). Needs the seed content. A development aid: refuses to run "
        "with DEBUG off unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even though DEBUG is off (production)."
        )
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="Where the site runs, for the login address printed at the end.",
        )

    def handle(self, *args, force, base_url, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: create_demo_staff makes users with a known password and is "
                "meant for development. Use --force if you really want it here."
            )
        password = os.environ.get(PASSWORD_VARIABLE) or DEFAULT_PASSWORD
        with transaction.atomic():
            organisations = demo_organisations()
            groups = sync_role_groups()
            for username, role, slug, languages in DEMO_STAFF:
                organisation = organisations[slug] if slug else None
                reset_staff_member(username, password, groups[role], organisation, languages)
                where = f" of {organisation.name_nl}" if organisation else ""
                into = f" ({', '.join(languages)})" if languages else ""
                self.stdout.write(f"  {username}: {role.lower()}{where}{into}")
            partnerships = demo_partnerships()
            for username, slug, languages in DEMO_REVIEWERS:
                partnership = partnerships[slug]
                reset_reviewer(username, password, groups[PARTNER_REVIEWER], partnership, languages)
                self.stdout.write(
                    f"  {username}: partner reviewer of {partnership.title_nl} "
                    f"({', '.join(languages)})"
                )
        login_url = base_url.rstrip("/") + reverse("admin:login")
        self.stdout.write(
            self.style.SUCCESS(f"{len(DEMO_STAFF) + len(DEMO_REVIEWERS)} staff accounts are ready.")
        )
        self.stdout.write(f"Log in at {login_url}")
        self.stdout.write(f"  password (all of them): {password}")
