"""``make bench``: how fast the public pages are with a large data set, cached and uncached.

1. A fresh database: SQLite in a temporary folder, or ``<name>_bench`` next to the
   PostgreSQL database of ``DATABASE_URL`` (created here, dropped afterwards).
2. ``migrate``, ``bench/data.py`` (1,000 missions of 30 programme items, 200 regions),
   ``ANALYZE`` (as autovacuum would after a bulk load) and ``collectstatic`` into a
   temporary ``STATIC_ROOT``.
3. Twice ``gunicorn twinning.wsgi -w 2`` on a free loopback port, without debug: once with
   the page cache off (``DJANGO_PAGE_CACHE_SECONDS=0``), once with it on. Each time every
   URL is loaded by a few client threads for a few seconds (``http.client``, a new
   connection per request, as gunicorn's sync workers close each one); the API by 64
   (``--api-connections``), as partners' clients and their retries would, twice: asking
   for gzip as partners' clients do (requests and httpx send ``Accept-Encoding: gzip,
   deflate``), and without (the bytes as they are). The client does not unpack what it
   receives, as it does not parse the pages; the gzip answer is checked once against the
   plain one. The server runs
   with ``bench/settings.py``: the production settings plus ``/bench/hello/``, a view that
   does nothing, through the same middleware: Django's floor. The rate limit is raised so
   far that it counts every API request but refuses none.
4. A table of requests per second (and their ratio to the hello view's) and p50/p99
   latency per page and mode, next to the same server's throughput for a static file, and
   the cached API list's rate as a share of the cached mission page's (goal: half).

Only the loopback interface is used; nothing is left behind.
"""

import argparse
import gzip
import http.client
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PAGES = {
    "home": "/nl/",
    "missions": "/nl/missions/?page=2",
    "region": "/nl/regions/zhejiang/",
    "mission": "/nl/missions/mission-0001/",
    "search": "/nl/search/?q=haven",
    "sitemap": "/sitemap.xml",
    "sitemap p5": "/sitemap-missions.xml?p=5",
    "api missions": "/api/v1/missions",
    "api mission": "/api/v1/missions/{mission-0001}",  # its UUID, asked from the list
}
FLOOR = "hello"
FLOOR_PATH = "/bench/hello/"
# What partners' HTTP clients ask for (requests, httpx); each API row is loaded with it, and
# again without it (the row named IDENTITY under it).
GZIP = {"Accept-Encoding": "gzip, deflate"}
IDENTITY = "  identity"
MODES = {"uncached": "0", "cached": "3600"}
ANALYZE = "from django.db import connection; connection.cursor().execute('ANALYZE')"


@dataclass
class Result:
    requests: int
    seconds: float
    latencies: list[float]
    errors: int
    size: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: int) -> float:
        """The ``p``-th percentile latency in milliseconds."""
        if len(self.latencies) < 2:
            return self.latencies[0] * 1000
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1] * 1000


def main() -> None:
    options = parse_arguments()
    workdir = Path(tempfile.mkdtemp(prefix="twinning-bench-"))
    try:
        with bench_database(workdir) as (database_url, database_name):
            env = server_environment(workdir, database_url)
            prepare(env, options)
            static_path = "/static/" + hashed_name(workdir / "static", "css/site.css")
            results = {
                mode: measure_server(
                    env | {"DJANGO_PAGE_CACHE_SECONDS": seconds}, static_path, options
                )
                for mode, seconds in MODES.items()
            }
        print_table(results, static_path, database_name, options)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--missions", type=int, default=1000)
    parser.add_argument("--items", type=int, default=30, help="programme items per mission")
    parser.add_argument("--regions", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="client threads")
    parser.add_argument(
        "--api-connections", type=int, default=64, help="client threads for the API rows"
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="load time per row")
    parser.add_argument("--max-requests", type=int, default=20_000, help="per row")
    return parser.parse_args()


# The database and the server ------------------------------------------------------------


@contextmanager
def bench_database(workdir: Path) -> Iterator[tuple[str, str]]:
    """A new, empty database: (its URL, a description). PostgreSQL's is dropped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        yield f"sqlite:///{workdir / 'bench.sqlite3'}", "SQLite"
        return
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        sys.exit(f"make bench supports SQLite and PostgreSQL, not {parts.scheme}://")
    name = parts.path.lstrip("/") + "_bench"
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    _postgres(maintenance, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}")), f"PostgreSQL ({name})"
    finally:
        _postgres(maintenance, f'DROP DATABASE IF EXISTS "{name}"')


def _postgres(url: str, *statements: str) -> None:
    import psycopg2

    connection = psycopg2.connect(url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


def server_environment(workdir: Path, database_url: str) -> dict[str, str]:
    """Production settings with a throwaway key; a memory cache per worker, never Redis."""
    env = {name: value for name, value in os.environ.items() if name != "REDIS_URL"}
    return env | {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DATABASE_URL": database_url,
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        "DJANGO_MEDIA_ROOT": str(workdir / "media"),
        "DJANGO_LOG_LEVEL": "ERROR",
        # Counted for every request (its cost is measured), refused for none.
        "API_RATE_LIMIT": "100000000/min",
    }


def prepare(env: dict[str, str], options: argparse.Namespace) -> None:
    manage = [sys.executable, "manage.py"]
    print("Creating the database and generating the data set …", flush=True)
    started = time.monotonic()
    run([*manage, "migrate", "--no-input", "--verbosity", "0"], env)
    run(
        [
            sys.executable,
            "bench/data.py",
            f"--missions={options.missions}",
            f"--items={options.items}",
            f"--regions={options.regions}",
        ],
        env,
    )
    # Bulk-loaded tables have no planner statistics until autovacuum gets to them (within a
    # minute on a real server); without them PostgreSQL ignores the search indexes.
    run([*manage, "shell", "--no-imports", "--command", ANALYZE], env)
    run([*manage, "collectstatic", "--no-input", "--verbosity", "0"], env)
    print(f"Ready in {time.monotonic() - started:.0f} s.", flush=True)


def run(command: list[str], env: dict[str, str]) -> None:
    subprocess.run(command, cwd=BASE_DIR, env=env, check=True)


def hashed_name(static_root: Path, name: str) -> str:
    """What collectstatic called ``name`` (``css/site.3f2a….css``)."""
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    return manifest["paths"][name]


@contextmanager
def gunicorn(env: dict[str, str], workers: int) -> Iterator[int]:
    """A gunicorn serving the site on a free loopback port, until the block ends."""
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "twinning.wsgi",
        "--workers", str(workers), "--bind", f"{HOST}:{port}", "--log-level", "warning",
    ]  # fmt: skip
    env = env | {"DJANGO_SETTINGS_MODULE": "bench.settings"}  # the site and /bench/hello/
    server = subprocess.Popen(command, cwd=BASE_DIR, env=env)
    try:
        wait_until_serving(server, port)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_until_serving(server: subprocess.Popen, port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with status {server.returncode}")
        try:
            fetch(port, "/")
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"gunicorn did not answer on port {port} within {timeout:.0f} s")


# Load ---------------------------------------------------------------------------------------


def rows(static_path: str, api_mission_path: str = PAGES["api mission"]) -> dict:
    """Every row of the table: ``{name: (path, request headers)}``, each API row twice."""
    table = {FLOOR: (FLOOR_PATH, {})}
    for name, path in {**PAGES, "api mission": api_mission_path}.items():
        if path.startswith("/api/"):
            table[name] = (path, GZIP)
            table[name + IDENTITY] = (path, {})
        else:
            table[name] = (path, {})
    table["static file"] = (static_path, {})
    return table


def fetch(
    port: int, path: str, timeout: float = 60, headers: dict[str, str] | None = None
) -> tuple[int, int]:
    """GET ``path`` on a new connection: (status, body size as sent)."""
    status, body = get(port, path, timeout, headers)
    return status, len(body)


def get(
    port: int, path: str, timeout: float = 60, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    """GET ``path`` on a new connection: (status, body as sent, not unpacked)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def check_gzip(port: int, path: str) -> None:
    """The gzip answer unpacks to the plain one (both from the same cache, or both not)."""
    _, plain = get(port, path)
    _, packed = get(port, path, headers=GZIP)
    if packed != plain and gzip.decompress(packed) != plain:
        sys.exit(f"{path}: the gzip answer does not unpack to the plain one")


def load(
    port: int,
    path: str,
    options: argparse.Namespace,
    threads: int,
    headers: dict[str, str] | None = None,
) -> Result:
    """``threads`` clients fetching ``path`` for ``options.seconds`` (or max requests).

    A request that fails (refused, reset, timed out) counts as an error with status 0.
    """
    latencies: list[float] = []
    responses: list[tuple[int, int]] = []
    tickets = iter(range(options.max_requests))  # shared: the threads together stop at the max
    started = time.perf_counter()
    deadline = started + options.seconds

    def client() -> None:
        for _ in tickets:
            if time.perf_counter() >= deadline:
                return
            begin = time.perf_counter()
            try:
                responses.append(fetch(port, path, headers=headers))
            except (OSError, http.client.HTTPException):
                responses.append((0, 0))
            latencies.append(time.perf_counter() - begin)

    clients = [threading.Thread(target=client) for _ in range(threads)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    return Result(
        requests=len(latencies),
        seconds=time.perf_counter() - started,
        latencies=latencies,
        errors=sum(status != 200 for status, _ in responses),
        size=max((size for _, size in responses), default=0),
    )


def warm_up(
    port: int, path: str, options: argparse.Namespace, headers: dict[str, str] | None = None
) -> None:
    """Let every worker open its database connection (and fill its cache), within a row's time.

    Requests go to whichever worker accepts first, so a few more than there are workers.
    """
    deadline = time.perf_counter() + options.seconds
    for _ in range(3 * options.workers):
        if time.perf_counter() >= deadline:
            return
        fetch(port, path, headers=headers)


def measure_server(env: dict[str, str], static_path: str, options: argparse.Namespace) -> dict:
    """Every page and the static file, against one server: ``{name: (result, floor)}``.

    A row's floor is the hello view loaded by as many clients just before it: on a shared
    machine the load drifts during a run, and a ratio to a floor measured minutes earlier
    would measure the drift.
    """
    results: dict[str, tuple[Result, Result] | None] = {}
    mode = "on" if env["DJANGO_PAGE_CACHE_SECONDS"] != "0" else "off"
    with gunicorn(env, options.workers) as port:
        for name, (path, headers) in rows(static_path, api_mission_path(port)).items():
            # Waits while the workers finish what clients of the last row gave up on.
            status, _ = fetch(port, path, timeout=600, headers=headers)
            if status == 404:
                print(f"  {path}: 404, left out (not built yet?)", flush=True)
                results[name] = None
                continue
            warm_up(port, path, options, headers)
            if headers == GZIP:
                check_gzip(port, path)
            threads = options.api_connections if path.startswith("/api/") else options.threads
            floor = load(port, FLOOR_PATH, options, threads)
            result = floor if path == FLOOR_PATH else load(port, path, options, threads, headers)
            results[name] = (result, floor)
            print(
                f"  page cache {mode}: {name:<16} {result.per_second:8.1f} req/s, "
                f"{result.per_second / floor.per_second:5.2f} × hello ({floor.per_second:.0f})",
                flush=True,
            )
    return results


def api_mission_path(port: int) -> str:
    """The API address of the first mission (the list is in the order they were made)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request("GET", PAGES["api missions"] + "?limit=1")
        uuid = json.loads(connection.getresponse().read())["items"][0]["uuid"]
    finally:
        connection.close()
    return f"{PAGES['api missions']}/{uuid}"


# Report -------------------------------------------------------------------------------------


def print_table(results: dict, static_path: str, database: str, options: argparse.Namespace):
    print()
    print(
        f"Twinning CMS bench: {options.missions} missions × {options.items} programme items, "
        f"{options.regions} regions; {database}; gunicorn --workers {options.workers} (sync); "
        f"{options.threads} client threads ({options.api_connections} for the API), "
        f"{options.seconds:g} s per row; "
        f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}"
    )
    print()
    header = f"{'':<12} {'':<34} {'KB':>6} "
    header += "".join(
        f"| {mode + ' req/s':>16} {'× hello':>7} {'p50 ms':>8} {'p99 ms':>8} " for mode in MODES
    )
    print(header.rstrip())
    print("-" * len(header))
    for name, (path, _) in rows(static_path).items():
        shown = IDENTITY if name.endswith(IDENTITY) else name
        row = f"{shown:<12} {path if shown != IDENTITY else '':<34} "
        # As sent with the cache on (the API's gzip rows compressed), else uncached.
        sent = next((results[m][name] for m in reversed(MODES) if results[m][name]), None)
        row += f"{sent[0].size / 1024:6.1f} " if sent else f"{'':>6} "
        for mode in MODES:
            if results[mode][name] is None:
                row += f"| {'n/a':>16} {'':>7} {'':>8} {'':>8} "
                continue
            result, floor = results[mode][name]
            errors = f" ({result.errors} errors)" if result.errors else ""
            ratio = f"{result.per_second / floor.per_second:7.2f}"
            row += (
                f"| {result.per_second:16.1f} {ratio} {result.percentile(50):8.1f} "
                f"{result.percentile(99):8.1f} {errors}"
            )
        print(row.rstrip())
    print()
    print(
        "uncached: DJANGO_PAGE_CACHE_SECONDS=0, every request renders the page. cached: the "
        "page cache on (one memory cache per worker). × hello: requests per second as a "
        f"multiple of those of {FLOOR_PATH}, a view that does nothing, on the same server, "
        "loaded by as many clients just before the row. KB: the body as sent, cached. "
        f"API rows ask for gzip ({GZIP['Accept-Encoding']}), as partners' clients do; the "
        "identity rows under them do not (uncached answers are never compressed). "
        "The static file is served by whitenoise."
    )
    api, page = results["cached"].get("api missions"), results["cached"].get("mission")
    if api and page:
        share = api[0].per_second / page[0].per_second
        print(
            f"Cached API list (gzip, {options.api_connections} connections): "
            f"{api[0].per_second:.0f} req/s, {share:.0%} of the cached mission page's "
            f"{page[0].per_second:.0f} req/s (goal: at least 50 %), {api[0].errors} errors."
        )


if __name__ == "__main__":
    main()
