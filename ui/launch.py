"""How the page is served: main(), the tests and the benchmarks all go through launch(); and the one way
the tests, the benchmarks and the Space check start `python app.py` as a process of its own."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import gradio as gr
import httpx
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from ui.mcp_server import mend_gradio_mcp

ROOT = Path(__file__).resolve().parent.parent

QUEUE_SETTINGS = {"default_concurrency_limit": 2, "max_size": 64}
# Gradio's default theme with every colour the page writes text in at WCAG AA (4.5:1) against its
# background: white on the primary orange was 2.8:1, on Stop's red 3.8:1, the sliders' bounds and
# the info lines 1.9:1. The darker orange is the same hue, so the page looks the same, only legible.
# Source Sans Pro at its regular weight alone: the semi-bold face Gradio bundles is a 5 KB stub without
# most glyphs, so bold words mixed two fonts ("ELʙO"); the browser draws bold from the regular face.
THEME = gr.themes.Default(
    font=(gr.themes.LocalFont("Source Sans Pro", weights=(400,)), "ui-sans-serif", "system-ui", "sans-serif")
).set(
    color_accent="*primary_700",
    button_primary_background_fill="*primary_700",
    button_primary_background_fill_dark="*primary_700",
    button_primary_background_fill_hover="*primary_800",
    button_primary_background_fill_hover_dark="*primary_800",
    button_cancel_background_fill="#b91c1c",
    button_cancel_background_fill_dark="#b91c1c",
    button_cancel_background_fill_hover="#991b1b",
    button_cancel_background_fill_hover_dark="#991b1b",
    body_text_color_subdued="*neutral_600",
)
LAUNCH_SETTINGS = {
    "theme": THEME,
    "css_paths": [Path(__file__).resolve().parent / "style.css"],
    "max_file_size": "10mb",
    "show_error": True,
    "mcp_server": True,  # every endpoint of ui/api.py is also an MCP tool, described by its docstring
}


class CompressedPage:
    """gzip for the page and its config: Gradio compresses only files named .js, .css, .json ..., so
    "/" (the app's whole config inlined, about 370 KB) went out uncompressed; gzipped, about 40 KB."""

    PATHS = ("/", "/config")

    def __init__(self, app: ASGIApp) -> None:
        self.app, self.gzip = app, GZipMiddleware(app, minimum_size=1000, compresslevel=6)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in self.PATHS:
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def launch(
    demo: gr.Blocks, head: str, host: str = "127.0.0.1", port: int | None = None, **options: object
) -> str:
    """Queue and serve demo with the deployed settings and head (app.page_head) in the page's
    <head>, without blocking; returns its URL."""
    demo.queue(**QUEUE_SETTINGS)
    mend_gradio_mcp()
    demo.launch(
        server_name=host,
        server_port=port,
        prevent_thread_lock=True,
        head=head,
        app_kwargs={"middleware": [Middleware(CompressedPage)]},
        **LAUNCH_SETTINGS,
        **options,
    )
    return demo.local_url


@contextmanager
def serving(demo: gr.Blocks, head: str, **options: object) -> Iterator[str]:
    """launch() on a free loopback port until the block ends, then stop the server, and the Node
    server Gradio starts for server-side rendering, which close() leaves running."""
    url = launch(demo, head, quiet=True, **options)
    try:
        yield url
    finally:
        demo.close()
        if demo.node_process is not None:  # Gradio stops it on SIGTERM, not on close()
            demo.node_process.terminate()
            demo.node_process.wait(timeout=10)


def free_port() -> int:
    """A loopback port no one listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppDidNotStart(RuntimeError):
    """A started app exited, or did not answer its page in time; the message ends with its stderr."""


@contextmanager
def app_process(
    folder: Path = ROOT,
    script: str | Path = "app.py",
    python: str | Path = sys.executable,
    env: dict[str, str] | None = None,
    timeout: float = 120.0,
) -> Iterator[str]:
    """`python script` started in folder as a fresh process on a free loopback port, with env added to the
    environment; yields its URL once its page answers 200, and stops it after the block. An app that
    exits first, or has not answered when timeout seconds have passed, raises AppDidNotStart."""
    port = free_port()
    with tempfile.TemporaryFile() as stderr:
        server = subprocess.Popen(
            [str(python), str(script)],
            cwd=folder,
            env={**os.environ, "GRADIO_SERVER_PORT": str(port), **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,  # its own process group, with the SSR Node server Gradio may start
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            wait_for_page(url, server, timeout, stderr)
            yield url
        finally:
            stop(server)


def stop(server: subprocess.Popen) -> None:
    """SIGTERM, on which Gradio stops its SSR Node server too; whatever of the group is left after 30 s
    (a busy machine) is killed."""
    server.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.wait(timeout=30)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=30)


def wait_for_page(url: str, server: subprocess.Popen, timeout: float, stderr: IO[bytes]) -> None:
    """Until the page at url answers 200; AppDidNotStart if the server exits or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            raise AppDidNotStart(f"the app exited with code {server.returncode}: {last_words(stderr)}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            said = last_words(stderr)
            raise AppDidNotStart(f"the app did not answer at {url} within {timeout:.0f} s: {said}")
        time.sleep(0.02)


def last_words(stderr: IO[bytes]) -> str:
    """The end of what the app wrote to stderr."""
    stderr.seek(0)
    return stderr.read().decode(errors="replace")[-2000:]
