import pytest
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import translation

# Every page type rendered once (tests/browser/conftest.py); the JSON-LD checks use it too.
from .browser.conftest import rendered_site  # noqa: F401

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


# The seed content -------------------------------------------------------------------------
#
# Loading the two seed documents takes seconds (every object is validated, revisioned and
# audited), and dozens of tests read them. They share one load: the seed is loaded in a
# transaction that is never committed, each test runs inside it in its own savepoint (the
# usual pytest-django rollback, one level down), so every test sees the pristine seed and
# its own writes vanish. The tests that use the seed are run last, together, so the seed is
# loaded once per run. A test that needs committed data (a live server,
# ``transaction=True``) cannot run inside that transaction: it loads the seed itself, as all
# tests once did.

# pytest-django runs a test with any of these as a TransactionTestCase: it commits.
TRANSACTIONAL_FIXTURES = {
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


def _commits(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (
        (marker.args and marker.args[0])
        or marker.kwargs.get("transaction")
        or marker.kwargs.get("reset_sequences")
    ):
        return True
    return bool(TRANSACTIONAL_FIXTURES & set(item.fixturenames))


def shares_the_seed(item: pytest.Item) -> bool:
    """A test on the seed content (the ``seeded`` fixture or marker) that never commits."""
    on_seed = "seeded" in item.fixturenames or item.get_closest_marker("seeded") is not None
    return on_seed and not _commits(item)


class SharedSeed:
    """The seed content, loaded in an open transaction that is rolled back, never committed."""

    def __init__(self, django_db_blocker):
        self.blocker = django_db_blocker
        self.atomic = None

    @property
    def loaded(self) -> bool:
        return self.atomic is not None

    def load(self) -> None:
        if self.loaded:
            return
        with self.blocker.unblock():
            atomic = transaction.atomic(using=DEFAULT_DB_ALIAS)
            # Marked as Django's TestCase marks its own: a durable block inside is allowed.
            atomic._from_testcase = True
            atomic.__enter__()
            self.atomic = atomic
            with translation.override("nl"):
                call_command("load_seed_content", verbosity=0)
            # As if the seed had been committed before the test: no commit callback of the
            # loading (page cache generation, webhooks, partner sync) is left waiting, so a
            # test's own writes register theirs afresh.
            connections[DEFAULT_DB_ALIAS].run_on_commit = []

    def discard(self) -> None:
        if not self.loaded:
            return
        with self.blocker.unblock():
            transaction.set_rollback(True, using=DEFAULT_DB_ALIAS)
            self.atomic.__exit__(None, None, None)
        self.atomic = None


_shared_seeds: list[SharedSeed] = []  # the session's one, once made


@pytest.fixture(scope="session")
def _shared_seed(django_db_setup, django_db_blocker):
    """The session's ``SharedSeed``, discarded before the test database is."""
    seed = SharedSeed(django_db_blocker)
    _shared_seeds.append(seed)
    yield seed
    seed.discard()
    _shared_seeds.remove(seed)


def pytest_collection_modifyitems(items):
    """The tests on the seed content last, in their order, so they share one load."""
    items[:] = [i for i in items if not shares_the_seed(i)] + [
        i for i in items if shares_the_seed(i)
    ]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before a test that must not see the seed: roll it back (the last test's is gone)."""
    if not shares_the_seed(item):
        for seed in _shared_seeds:
            seed.discard()


@pytest.hookimpl(tryfirst=True)
def pytest_fixture_setup(fixturedef, request):
    """Just before a test's own transaction starts (pytest-django's ``_django_db_helper``,
    every database fixture's base): the seed's, for the tests that share it."""
    if fixturedef.argname == "_django_db_helper" and shares_the_seed(request.node):
        request.getfixturevalue("_shared_seed").load()


@pytest.fixture
def seeded(request, db):
    """The two seed documents, loaded as `make run` loads them (once for the tests that
    share them; see above)."""
    if shares_the_seed(request.node):
        assert _shared_seeds and _shared_seeds[0].loaded, (
            "the shared seed was not loaded before the test's transaction: has pytest-django "
            "renamed _django_db_helper? (tests/conftest.py, pytest_fixture_setup)"
        )
        # Loading left the page cache's generation in the cache, which each test empties:
        # start it again, so the pinned query counts see the cache as a load leaves it.
        from readpath.caching import current_generation

        current_generation()
        return
    call_command("load_seed_content", verbosity=0)
