"""The sitemap's CPU time per file, at bench scale, in one process.

A throwaway SQLite database gets ``bench/data.py``'s data set (by default 1,000
missions of 30 programme items, 1,000 outcomes and 200 regions); with the page cache off,
the index and every file it names are requested through Django's test client a few times
each, and the least CPU time (``time.process_time()``) of each is printed. The exit status is 1
when a file does not answer 200 or takes longer than the budget: the point of splitting
the sitemap is that no file costs more than that, however large the site (the index
grows by one entry per file, so it is reported but not held to the budget).

    .venv/bin/python bench/sitemap.py [--missions 1000] [--budget 50]
"""

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import instructions  # bench/: its throwaway settings

BASE_DIR = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--budget", type=float, default=50, help="ms of CPU per file")
    parser.add_argument("--repeat", type=int, default=3, help="requests per file")
    parser.add_argument("--missions", type=int, default=1000, help="and as many outcomes")
    parser.add_argument("--regions", type=int, default=200)
    options = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="twinning-sitemap-bench-"))
    try:
        (workdir / "static").mkdir()
        os.environ.pop("REDIS_URL", None)
        os.environ |= instructions.environment(workdir)  # the same throwaway settings
        sys.path.insert(0, str(BASE_DIR))
        import django

        django.setup()
        failed = measure(options)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(1 if failed else 0)


def measure(options: argparse.Namespace) -> bool:
    """Print every file's least CPU time; whether one failed or exceeded the budget."""
    from data import generate_bench_data  # bench/
    from django.core.management import call_command
    from django.test import Client

    print("Creating the database and generating the data set …", flush=True)
    call_command("migrate", verbosity=0)
    generate_bench_data(missions=options.missions, regions=options.regions)
    client = Client()

    def cpu_ms(path: str) -> tuple[float, int, int]:
        """(least CPU ms, status, bytes) of ``options.repeat`` requests for ``path``."""
        times = []
        for _ in range(options.repeat):
            started = time.process_time()
            response = client.get(path)
            times.append((time.process_time() - started) * 1000)
        return min(times), response.status_code, len(response.content)

    index_ms, status, size = cpu_ms("/sitemap.xml")
    files = re.findall(r"<loc>http://testserver(.*?)</loc>", client.get("/sitemap.xml").text)
    print(f"{'/sitemap.xml':<32} {status} {size / 1024:7.1f} KB {index_ms:7.1f} ms (index)")
    slowest, failed = 0.0, False
    for path in files:
        ms, status, size = cpu_ms(path.replace("&amp;", "&"))
        slowest, failed = max(slowest, ms), failed or status != 200
        print(f"{path:<32} {status} {size / 1024:7.1f} KB {ms:7.1f} ms")
    print(
        f"\n{len(files)} files; the slowest took {slowest:.1f} ms of CPU "
        f"(budget {options.budget:g} ms; least of {options.repeat} requests each)."
    )
    return failed or slowest > options.budget


if __name__ == "__main__":
    main()
