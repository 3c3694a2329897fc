"""The settings ``make bench`` serves with: the production settings, plus ``bench/urls.py``."""

from twinning.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
