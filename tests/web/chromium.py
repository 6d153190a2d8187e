"""Headless Chromium for the page's browser test: Debian's ``chromium`` package, installed here when missing and
running as root (quietly, once, under a file lock so parallel test runs do not race apt), or a clear reason to
skip."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

LOCK = Path("/tmp/collective-bot-chromium.lock")
NAMES = ("chromium", "chromium-browser")


def find() -> str | None:
    return next(filter(None, (shutil.which(name) for name in NAMES)), None)


def chromium() -> tuple[str | None, str]:
    """The browser's path, or None and why not."""
    found = find()
    if found:
        return found, ""
    if os.geteuid() != 0:
        return None, "chromium is not installed and the tests are not running as root to apt-get install it"
    if not shutil.which("apt-get"):
        return None, "chromium is not installed and there is no apt-get to install Debian's package"
    with LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run may be installing it right now: wait for it
        found = find()
        if found:
            return found, ""
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "text": True}
        environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        installed = subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], env=environment, **quiet)
        if installed.returncode != 0:  # the package lists may be missing or stale: once more after an update
            subprocess.run(["apt-get", "update", "-q"], env=environment, **quiet)
            installed = subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], env=environment, **quiet)
        found = find()
        if not found:
            return None, f"apt-get install chromium failed: {installed.stderr.strip()[-300:]}"
        return found, ""


if __name__ == "__main__":
    print(chromium())
