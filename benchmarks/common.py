"""What several benchmarks need: a free loopback port and the system Chromium."""

import os
import socket
from pathlib import Path

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--headless"]


def free_port() -> int:
    """A loopback port no one listens on, for a `python app.py` the benchmark starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
