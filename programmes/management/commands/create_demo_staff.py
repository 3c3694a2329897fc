"""Create (or reset) the demo editor, so a fresh `make run` has someone to log in as."""

import os

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_permission_codename, get_user_model
from django.contrib.auth.models import AbstractUser, Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

USERNAME = "demo"
GROUP_NAME = "Editors"
DEFAULT_PASSWORD = "twinning-demo"
PASSWORD_VARIABLE = "DEMO_STAFF_PASSWORD"


def editor_permissions() -> list[Permission]:
    """Add, change, delete and view on every model of the programmes app."""
    models = list(apps.get_app_config("programmes").get_models())
    content_types = ContentType.objects.get_for_models(*models)
    codenames = {
        get_permission_codename(action, model._meta)
        for model in models
        for action in ("add", "change", "delete", "view")
    }
    return list(
        Permission.objects.filter(content_type__in=content_types.values(), codename__in=codenames)
    )


def reset_editors_group() -> Group:
    group, _created = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.set(editor_permissions())
    return group


def reset_demo_user(password: str, group: Group) -> AbstractUser:
    """The demo user: staff but not a superuser, with exactly the Editors' permissions."""
    user, _created = get_user_model().objects.update_or_create(
        username=USERNAME,
        defaults={"is_staff": True, "is_superuser": False, "is_active": True},
    )
    user.set_password(password)
    user.save(update_fields=["password"])
    user.user_permissions.clear()
    user.groups.set([group])
    return user


class Command(BaseCommand):
    help = (
        f"Create or reset the staff user '{USERNAME}' (not a superuser) in the group "
        f"'{GROUP_NAME}', which may add, change, delete and view all programme content. "
        f"The password comes from {PASSWORD_VARIABLE} (default '{DEFAULT_PASSWORD}'). "
        "A development aid: refuses to run with DEBUG off unless --force."
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
                "DEBUG is off: create_demo_staff makes a user with a known password and is "
                "meant for development. Use --force if you really want it here."
            )
        password = os.environ.get(PASSWORD_VARIABLE) or DEFAULT_PASSWORD
        with transaction.atomic():
            user = reset_demo_user(password, reset_editors_group())
        login_url = base_url.rstrip("/") + reverse("admin:login")
        self.stdout.write(
            self.style.SUCCESS(f"Staff user '{user.username}' is ready (group '{GROUP_NAME}').")
        )
        self.stdout.write(f"Log in at {login_url}")
        self.stdout.write(f"  username: {user.username}")
        self.stdout.write(f"  password: {password}")
