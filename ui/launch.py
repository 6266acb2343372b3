"""How the page is served: main(), the tests and the benchmarks all go through launch()."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import gradio as gr

QUEUE_SETTINGS = {"default_concurrency_limit": 2, "max_size": 64}
LAUNCH_SETTINGS = {
    "css_paths": [Path(__file__).resolve().parent / "style.css"],
    "max_file_size": "10mb",
    "show_error": True,
    "mcp_server": True,  # every named endpoint is also an MCP tool, described by its handler's docstring
}


def launch(
    demo: gr.Blocks, head: str, host: str = "127.0.0.1", port: int | None = None, **options: object
) -> str:
    """Queue and serve demo with the deployed settings and head (app.page_head) in the page's
    <head>, without blocking; returns its URL."""
    demo.queue(**QUEUE_SETTINGS)
    demo.launch(
        server_name=host, server_port=port, prevent_thread_lock=True, head=head, **LAUNCH_SETTINGS, **options
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
