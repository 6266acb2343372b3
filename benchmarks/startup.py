"""Time from `python app.py` to its page, beside a hello-world Gradio app: python -m benchmarks.startup.

Both are started the same way, alternately, as fresh processes. Two times run from the process start:
to the first HTTP 200 on the page (when a Space shows the page),
and to the first answer from an endpoint (the app's /decode, which needs the models loaded; the hello
world's /greet). Prints one JSON line with the medians and the ratios.
"""

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from ui.launch import app_process

ROOT = Path(__file__).resolve().parent.parent
HELLO_WORLD = """
import gradio as gr


def greet(name):
    return "Hello " + name


gr.Interface(greet, "text", "text").launch()
"""


def start_times(
    script: Path, cwd: Path, api_name: str, data: list, timeout: float = 120.0
) -> tuple[float, float]:
    """Seconds from starting script to its first HTTP 200, and to its first answer from api_name."""
    start = time.perf_counter()
    with app_process(cwd, script, env={"GRADIO_ANALYTICS_ENABLED": "False"}, timeout=timeout) as url:
        page = time.perf_counter() - start
        call = httpx.post(f"{url}gradio_api/call/{api_name}", json={"data": data}, timeout=timeout)
        events = httpx.get(f"{url}gradio_api/call/{api_name}/{call.json()['event_id']}", timeout=timeout)
        if "event: complete" not in events.text:
            raise RuntimeError(f"{script}: /{api_name} did not complete: {events.text[:500]}")
        return page, time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.startup", description=__doc__.split("\n")[0])
    p.add_argument("--repeats", type=int, default=5, help="starts of each app")
    p.add_argument("--app-dir", type=Path, default=ROOT, help="the checkout whose app.py to start")
    args = p.parse_args(argv)
    times: dict[str, list[tuple[float, float]]] = {"app": [], "hello_world": []}
    with tempfile.TemporaryDirectory() as folder:
        hello = Path(folder) / "hello.py"
        hello.write_text(HELLO_WORLD)
        apps = {
            "app": (args.app_dir / "app.py", args.app_dir, "decode", ["mnist", *[0.0] * 16]),
            "hello_world": (hello, Path(folder), "greet", ["world"]),
        }
        start_times(*apps["hello_world"])  # warms the disk cache for both: they share gradio
        for _ in range(args.repeats):
            for name, how in apps.items():
                times[name].append(start_times(*how))
    result: dict[str, object] = {"app_dir": str(args.app_dir), "repeats": args.repeats}
    for i, what in enumerate(("page", "first_answer")):
        medians = {name: statistics.median(t[i] for t in runs) for name, runs in times.items()}
        result[f"{what}_s"] = {name: round(m, 2) for name, m in medians.items()}
        result[f"{what}_ratio"] = round(medians["app"] / medians["hello_world"], 2)
        result[f"{what}_all_s"] = {name: [round(t[i], 2) for t in runs] for name, runs in times.items()}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
