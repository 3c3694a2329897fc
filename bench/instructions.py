"""Instructions per render of the public pages and the API, counted by valgrind.

Wall-clock benchmarks (``bench/run.py``) move with the machine and its other work; an
instruction count does not, so a change of a few per cent shows. For each page:

1. A fresh SQLite database in a temporary folder: ``migrate``, ``generate_bench_data``
   (a small set: 40 missions of 30 programme items, 60 regions), then missions
   ``mission-0001`` … ``mission-0004`` reshaped to 10, 30, 100 and 300 programme items.
2. For each page, twice a child process under ``valgrind --tool=cachegrind`` that renders
   the page ``N`` and ``N + 5`` times through Django's test client, in one process, with
   the page cache off (``DJANGO_PAGE_CACHE_SECONDS=0``) and debug off. The difference of
   the two totals, divided by 5, is what one render costs: start-up, imports and the
   first renders (which fill the template, URL and read-model caches) cancel out.
3. A table of millions of instructions per render.

``python bench/instructions.py`` (``--only mission-30`` for one page). Without
``/usr/bin/valgrind`` it says so and exits cleanly.
"""

import argparse
import os
import re
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VALGRIND = "/usr/bin/valgrind"
WARM_UP = 3
MORE = 5
# Missions reshaped to these numbers of programme items (slug: items).
SIZED_MISSIONS = {"mission-0001": 10, "mission-0002": 30, "mission-0003": 100, "mission-0004": 300}
PAGES = {
    **{f"mission-{items}": f"/nl/missions/{slug}/" for slug, items in SIZED_MISSIONS.items()},
    "api-mission-30": "api:mission-0002",
    "home": "/nl/",
    "missions": "/nl/missions/?page=2",
    "region": "/nl/regions/zhejiang/",
    "search": "/nl/search/?q=haven",
    "sitemap-index": "/sitemap.xml",
    "sitemap-file": "/sitemap-missions.xml",
}

# Run in the child: renders one page `count` times. The API's address is found from the
# mission's UUID, so the table can name a slug.
CHILD = """
import os, sys
import django
django.setup()
from django.test import Client
from programmes.models import Mission
page, count = sys.argv[1], int(sys.argv[2])
if page.startswith("api:"):
    uuid = Mission.objects.get(slug=page.removeprefix("api:")).uuid
    page = f"/api/v1/missions/{uuid}"
client = Client()
for _ in range(count):
    response = client.get(page)
    assert response.status_code == 200, (page, response.status_code)
"""

RESHAPE = """
import uuid
from readpath.caching import content_changed
from programmes.models import Mission, ProgrammeItem
sizes = {sizes!r}
for slug, size in sizes.items():
    mission = Mission.objects.get(slug=slug)
    items = list(mission.programme_items.order_by("order", "pk"))
    if len(items) > size:
        ProgrammeItem.objects.filter(pk__in=[item.pk for item in items[size:]]).delete()
    copies = []
    for number in range(len(items), size):
        source = items[number % len(items)]
        fields = {{f.attname: getattr(source, f.attname) for f in ProgrammeItem._meta.fields}}
        fields |= {{"id": None, "uuid": uuid.uuid4(), "order": number}}
        copies.append(ProgrammeItem(**fields))
    ProgrammeItem.objects.bulk_create(copies)
    assert mission.programme_items.count() == size
content_changed()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=sorted(PAGES), action="append", help="these pages")
    options = parser.parse_args()
    if not Path(VALGRIND).exists():
        print(f"{VALGRIND} is not installed: no instruction counts.")
        return
    pages = {name: PAGES[name] for name in options.only or PAGES}
    with tempfile.TemporaryDirectory(prefix="twinning-instructions-") as folder:
        env = environment(Path(folder))
        prepare(env)
        print(f"{'page':<16} {'M instructions per render':>26}")
        for name, path in pages.items():
            prime(env, path)
            per_render = (count(env, path, WARM_UP + MORE) - count(env, path, WARM_UP)) / MORE
            print(f"{name:<16} {per_render / 1e6:>26.1f}", flush=True)


def environment(folder: Path) -> dict[str, str]:
    """Production settings (debug off) on a throwaway SQLite database, page cache off."""
    env = {name: value for name, value in os.environ.items() if name != "REDIS_URL"}
    return env | {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_SETTINGS_MODULE": "twinning.settings",
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(folder / "media"),
        "DJANGO_STATIC_ROOT": str(folder / "static"),
        "DJANGO_PAGE_CACHE_SECONDS": "0",
        "DJANGO_LOG_LEVEL": "ERROR",
        "SITE_URL": "http://testserver",
        "PYTHONHASHSEED": "0",
    }


def prepare(env: dict[str, str]) -> None:
    manage = [sys.executable, "manage.py"]
    print("Creating the database and generating the data set …", flush=True)
    run([*manage, "migrate", "--no-input", "--verbosity", "0"], env)
    data = ["generate_bench_data", "--missions=40", "--items=30", "--regions=60", "-v0"]
    run([*manage, *data], env)
    reshape = RESHAPE.format(sizes=SIZED_MISSIONS)
    run([*manage, "shell", "--no-imports", "--command", reshape], env)
    run([*manage, "collectstatic", "--no-input", "--verbosity", "0"], env)


def prime(env: dict[str, str], page: str) -> None:
    """One render without valgrind: what it stores (the read model) serves both counts."""
    subprocess.run([sys.executable, "-c", CHILD, page, "1"], cwd=BASE_DIR, env=env, check=True)


def count(env: dict[str, str], page: str, renders: int) -> int:
    """The instructions a child process runs to render ``page`` ``renders`` times."""
    command = [
        VALGRIND,
        "--tool=cachegrind",
        "--cache-sim=no",
        "--cachegrind-out-file=/dev/null",
        sys.executable,
        "-c",
        CHILD,
        page,
        str(renders),
    ]
    result = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{page}: the child failed:\n{result.stderr[-3000:]}")
    match = re.search(r"I\s+refs:\s+([\d,]+)", result.stderr)
    if match is None:
        sys.exit(f"{page}: valgrind printed no instruction count:\n{result.stderr[-3000:]}")
    return int(match.group(1).replace(",", ""))


def run(command: list[str], env: dict[str, str]) -> None:
    subprocess.run(command, cwd=BASE_DIR, env=env, check=True)


if __name__ == "__main__":
    main()
