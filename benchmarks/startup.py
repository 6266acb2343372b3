"""Time from `python app.py` to its page, beside a hello-world Gradio app: python -m benchmarks.startup.

Both are started the same way, alternately, as fresh processes; the time runs from the process start
to the first HTTP 200 on the page. Prints one JSON line with the medians and their ratio.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.test_app import free_port

ROOT = Path(__file__).resolve().parent.parent
HELLO_WORLD = """
import gradio as gr

gr.Interface(lambda name: "Hello " + name, "text", "text").launch()
"""


def seconds_to_first_200(script: Path, cwd: Path, timeout: float = 120.0) -> float:
    port = free_port()
    env = {**os.environ, "GRADIO_SERVER_PORT": str(port), "GRADIO_ANALYTICS_ENABLED": "False"}
    start = time.perf_counter()
    server = subprocess.Popen([sys.executable, str(script)], cwd=cwd, env=env, stdout=subprocess.DEVNULL)
    try:
        while time.perf_counter() - start < timeout:
            if server.poll() is not None:
                raise RuntimeError(f"{script} exited with code {server.returncode}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200:
                    return time.perf_counter() - start
            except httpx.TransportError:
                pass
            time.sleep(0.02)
        raise TimeoutError(f"{script} did not answer within {timeout:.0f} s")
    finally:
        server.terminate()
        server.wait(timeout=30)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.startup", description=__doc__.split("\n")[0])
    p.add_argument("--repeats", type=int, default=5, help="starts of each app")
    p.add_argument("--app-dir", type=Path, default=ROOT, help="the checkout whose app.py to start")
    args = p.parse_args(argv)
    app_times, hello_times = [], []
    with tempfile.TemporaryDirectory() as folder:
        hello = Path(folder) / "hello.py"
        hello.write_text(HELLO_WORLD)
        seconds_to_first_200(hello, Path(folder))  # warms the disk cache for both: they share gradio
        for _ in range(args.repeats):
            hello_times.append(seconds_to_first_200(hello, Path(folder)))
            app_times.append(seconds_to_first_200(args.app_dir / "app.py", args.app_dir))
    app_s, hello_s = statistics.median(app_times), statistics.median(hello_times)
    result = {
        "app_dir": str(args.app_dir),
        "repeats": args.repeats,
        "app_s": round(app_s, 2),
        "hello_world_s": round(hello_s, 2),
        "ratio": round(app_s / hello_s, 2),
        "app_all_s": [round(t, 2) for t in app_times],
        "hello_world_all_s": [round(t, 2) for t in hello_times],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
