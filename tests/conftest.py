import pytest
from django.core.management import call_command
from django.utils import translation

# The SMTP server on loopback (tests/mail.py), for any test that asks for ``smtp_server``.
from .mail import smtp_server  # noqa: F401


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in Dutch, the site's default, whatever the last one activated."""
    with translation.override("nl"):
        yield


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seeded(db):
    """The two seed documents, loaded as `make run` loads them."""
    call_command("load_seed_content", verbosity=0)


@pytest.fixture(scope="session")
def rendered_site(django_db_setup, django_db_blocker):
    """Every page type's HTML in every language (``tests/a11y_pages.py``), rendered once.

    Mark the tests that use it ``django_db``: that is what has the test database set up.
    """
    from .a11y_pages import render_site

    return render_site(django_db_blocker)
