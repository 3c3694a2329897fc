"""Running the project in a fresh process: settings are read from the environment once, at
import, so what an environment variable does can only be seen in a process that starts
with it."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

# What a process needs to start at all; nothing of the test run's own configuration.
KEPT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")


def run_fresh(arguments: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess:
    """``python *arguments`` in the project with only ``environment`` set (and ``KEPT``)."""
    return subprocess.run(
        [sys.executable, *arguments],
        env={name: os.environ[name] for name in KEPT if name in os.environ} | environment,
        capture_output=True,
        text=True,
        check=False,
        cwd=settings.BASE_DIR,
    )


def settings_under(environment: dict[str, str], *names: str) -> str:
    """The settings ``names`` as a fresh process with ``environment`` sees them, one line."""
    code = f"from twinning import settings as s; print(*(getattr(s, n, None) for n in {names}))"
    result = run_fresh(["-c", code], environment)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def load_settings(monkeypatch, **environment: str):
    """twinning/settings.py run afresh in ``environment``, as a module of its own (the
    settings the tests run with are left alone): quicker than a fresh process, for what the
    settings module itself decides."""
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    path = Path(settings.BASE_DIR) / "twinning" / "settings.py"
    spec = importlib.util.spec_from_file_location("settings_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
