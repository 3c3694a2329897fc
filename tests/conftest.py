import pytest
from django.core.management import call_command
from django.utils import translation


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
