"""A progress bar for the management commands that import and export many objects."""

import sys
import time
from typing import IO


class ProgressBar:
    """A one-line progress bar on a terminal: ``Importing  42% [████······] 4,200/10,000``."""

    def __init__(self, stream: IO[str] = sys.stderr, label: str = "Importing", width: int = 30):
        self.stream, self.label, self.width = stream, label, width
        self.shown_at = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.shown_at < 0.1:
            return
        self.shown_at = now
        filled = self.width * done // max(total, 1)
        bar = "█" * filled + "·" * (self.width - filled)
        percent = 100 * done // max(total, 1)
        self.stream.write(f"\r{self.label} {percent:3d}% [{bar}] {done:,}/{total:,}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()
