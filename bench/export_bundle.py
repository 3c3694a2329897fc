"""``make bench``, part two: ``export_bundle`` of a large install streams in bounded memory.

1. A fresh database (SQLite in a temporary folder, or ``<name>_bench`` beside the
   PostgreSQL database of ``DATABASE_URL``, as ``bench/run.py`` makes it) and a temporary
   media folder.
2. ``migrate`` and ``bench/data.py``: 10,000 missions of 30 programme items (300,000
   items), 200 regions, a few photos.
3. ``manage.py export_bundle`` in a process of its own, started by a small measuring
   process: its wall time, the bundle's size, and its peak resident memory
   (``getrusage(RUSAGE_CHILDREN).ru_maxrss`` of the measuring process, whose only child
   is the export; the data generation ran elsewhere and does not count).

Fails (exit status 1) when the peak is at or above the limit (300 MB). Nothing is left behind.
"""

import argparse
import json
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from run import BASE_DIR, bench_database

LIMIT_MB = 300


def main() -> None:
    options = parse_arguments()
    if options.measure:
        measure(options.measure)
        return
    workdir = Path(tempfile.mkdtemp(prefix="twinning-bench-export-"))
    try:
        with bench_database(workdir) as (database_url, database_name):
            env = environment(workdir, database_url)
            generate(env, options)
            bundle = workdir / "bundle.zip"
            result = subprocess.run(
                [sys.executable, __file__, "--measure", str(bundle)],
                cwd=BASE_DIR,
                env=env,
                check=True,
                stdout=subprocess.PIPE,
                text=True,
            )
            figures = json.loads(result.stdout.strip().splitlines()[-1])
            report(figures, bundle, database_name, options)
            if options.keep:
                shutil.copyfile(bundle, options.keep)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--missions", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=30, help="programme items per mission")
    parser.add_argument("--regions", type=int, default=200)
    parser.add_argument("--photos", type=int, default=50)
    parser.add_argument("--keep", type=Path, help="copy the bundle here (to try an import)")
    parser.add_argument("--measure", metavar="BUNDLE", help=argparse.SUPPRESS)
    return parser.parse_args()


def environment(workdir: Path, database_url: str) -> dict[str, str]:
    """Production settings (no query log) with a throwaway key and media folder."""
    env = {name: value for name, value in os.environ.items() if name != "REDIS_URL"}
    return env | {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "DJANGO_MEDIA_ROOT": str(workdir / "media"),
        "DJANGO_LOG_LEVEL": "ERROR",
    }


def generate(env: dict[str, str], options: argparse.Namespace) -> None:
    print(
        f"Generating {options.missions:,} missions × {options.items} programme items …", flush=True
    )
    started = time.monotonic()
    manage = [sys.executable, "manage.py"]
    subprocess.run(
        [*manage, "migrate", "--no-input", "--verbosity", "0"], cwd=BASE_DIR, env=env, check=True
    )
    subprocess.run(
        [
            sys.executable,
            "bench/data.py",
            f"--missions={options.missions}",
            f"--items={options.items}",
            f"--regions={options.regions}",
            f"--photos={options.photos}",
        ],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    print(f"Ready in {time.monotonic() - started:.0f} s.", flush=True)


def measure(bundle: str) -> None:
    """Run the export as this process's only child; print its figures as JSON."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "export_bundle", "--verbosity", "0", bundle],
        cwd=BASE_DIR,
        check=True,
    )
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak_kib / 1024}))


def report(figures: dict, bundle: Path, database: str, options: argparse.Namespace) -> None:
    with zipfile.ZipFile(bundle) as archive:
        document = archive.getinfo("bundle.json").file_size
        media = len(archive.namelist()) - 1
    size_mb = bundle.stat().st_size / 1024**2
    peak = figures["peak_rss_mb"]
    print()
    print(
        f"export_bundle: {options.missions:,} missions × {options.items} programme items, "
        f"{options.regions} regions, {media} photos; {database}; Python {sys.version.split()[0]}"
    )
    print(f"  wall time   {figures['seconds']:8.1f} s")
    print(f"  bundle      {size_mb:8.1f} MB (bundle.json {document / 1024**2:.1f} MB unpacked)")
    print(f"  peak RSS    {peak:8.1f} MB (limit {LIMIT_MB} MB)")
    if peak >= LIMIT_MB:
        sys.exit(f"FAILED: export_bundle peaked at {peak:.0f} MB, at or above {LIMIT_MB} MB.")


if __name__ == "__main__":
    main()
