"""The test tree mirrors the code, one folder per part, and stays importable as packages.

pytest imports a test module by its dotted path when its folder is a package
(``tests.api.test_api``). In a folder without an ``__init__.py`` it would put the folder
itself on ``sys.path`` and import the module by its bare name, so two folders holding a
``test_views.py`` each would collide.
"""

from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_every_folder_with_test_modules_is_a_package():
    folders = {path.parent for path in TESTS.rglob("test_*.py")}

    assert [
        str(f.relative_to(TESTS)) for f in sorted(folders) if not (f / "__init__.py").exists()
    ] == []


def test_test_modules_live_in_the_folder_of_what_they_test():
    """Only this module stays at the top; helpers shared by several folders may too."""
    assert [path.name for path in TESTS.glob("test_*.py")] == ["test_layout.py"]
