import pytest


@pytest.fixture(scope="session")
def rendered_site(django_db_setup, django_db_blocker):
    """Every page type's HTML in every language (``a11y_pages.py``), rendered once.

    Mark the tests that use it ``django_db``: that is what has the test database set up.
    """
    from .a11y_pages import render_site

    return render_site(django_db_blocker)
