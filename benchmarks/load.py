"""Many visitors at once: python -m benchmarks.load.

Starts `python app.py` on a loopback port and runs concurrent clients against it. Each speaks the
browser's protocol in its own session (join the queue, read the session's event stream) and sends
the API's /decode and /reconstruct requests; every round trip includes fetching the returned PNG, and each
drawing is uploaded first. With --pause, each visitor waits that long before each request, as a
visitor who drags a slider for that long sends one /decode when letting go (the page decodes the
frames of the drag itself). Prints one JSON line: throughput, p50/p99 latency per endpoint, and the
number of errors.
"""

import argparse
import asyncio
import io
import json
import time
from collections import Counter
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

from benchmarks.redraw import redraw_as_sketch, to_pixels
from playground.generate import Generator
from ui.launch import app_process

ROOT = Path(__file__).resolve().parent.parent


class RequestFailed(RuntimeError):
    """The app answered with an error event or no result."""


async def call(client: httpx.AsyncClient, session: str, fn: dict, data: list) -> None:
    """One event as the browser sends it, then a fetch of the returned image. A queued event joins the
    queue in the visitor's session and reads the session's event stream until the result arrives; an
    event outside the queue is one POST. MNIST is picked where the app has a dataset selector (checkouts
    from before it have none)."""
    if len(fn["inputs"]) == len(data) + 1:
        data = ["mnist", *data]
    if not fn["queue"]:
        answer = await client.post(
            "/gradio_api/run/predict", json={"data": data, "fn_index": fn["id"], "session_hash": session}
        )
        if answer.status_code != 200:
            raise RequestFailed(f"{answer.status_code} {answer.text[:200]}")
        (await client.get(answer.json()["data"][0]["url"])).raise_for_status()
        return
    fn_index = fn["id"]
    joined = await client.post(
        "/gradio_api/queue/join", json={"data": data, "fn_index": fn_index, "session_hash": session}
    )
    if joined.status_code != 200:  # 503 when the queue is full: the app sheds load
        raise RequestFailed(f"{joined.status_code} {joined.json().get('detail', joined.text)}")
    event_id, message = joined.json()["event_id"], None
    async with client.stream("GET", "/gradio_api/queue/data", params={"session_hash": session}) as stream:
        async for line in stream.aiter_lines():
            if line.startswith("data:"):
                message = json.loads(line.removeprefix("data:"))
                if message.get("event_id") == event_id and message["msg"] == "process_completed":
                    break
    if not message or message.get("msg") != "process_completed" or not message.get("success"):
        raise RequestFailed(f"error event: {str(message)[:200]}")
    (await client.get(message["output"]["data"][0]["url"])).raise_for_status()


async def reconstruct(client: httpx.AsyncClient, session: str, fn: dict, drawing: bytes) -> None:
    uploaded = await client.post("/gradio_api/upload", files={"files": ("sketch.png", drawing, "image/png")})
    uploaded.raise_for_status()
    composite = {"path": uploaded.json()[0], "meta": {"_type": "gradio.FileData"}}
    await call(client, session, fn, [{"background": None, "layers": [], "composite": composite}])


async def visitor(
    url: str,
    index: int,
    args: argparse.Namespace,
    fns: dict[str, dict],
    drawings: list[bytes],
    times: dict[str, list[float]],
    errors: Counter[str],
) -> None:
    """One visitor with its own session: /decode and /reconstruct in random order."""
    rng = np.random.default_rng(index)
    plan = ["decode"] * args.decodes + ["reconstruct"] * args.reconstructs
    rng.shuffle(plan)
    session = f"load-{index}"
    async with httpx.AsyncClient(base_url=url, timeout=args.request_timeout) as client:
        await asyncio.sleep(rng.uniform(0, args.pause))  # visitors do not all let go at once
        for i, kind in enumerate(plan):
            await asyncio.sleep(args.pause)
            start = time.perf_counter()
            try:
                if kind == "decode":
                    values = [round(float(v), 2) for v in rng.normal(size=args.latent_dim).clip(-3, 3)]
                    await call(client, session, fns["decode"], values)
                else:
                    drawing = drawings[(index + i) % len(drawings)]
                    await reconstruct(client, session, fns["reconstruct"], drawing)
            except (httpx.HTTPError, RequestFailed) as err:
                errors[f"{type(err).__name__}: {err}"[:120]] += 1
                continue
            times[kind].append(time.perf_counter() - start)


def test_drawings(count: int) -> list[bytes]:
    """PNG drawings of MNIST-like digits as the pad sends them (decoded from the bundled VAE)."""
    generate, rng, drawings = Generator.from_folder(), np.random.default_rng(0), []
    for seed in range(count):
        buffer = io.BytesIO()
        Image.fromarray(redraw_as_sketch(to_pixels(generate.random(1.0, seed).image), rng)).save(
            buffer, "PNG"
        )
        drawings.append(buffer.getvalue())
    return drawings


def summary(seconds: list[float]) -> dict[str, float]:
    ms = 1000 * np.asarray(seconds or [np.nan])
    return {
        "count": len(seconds),
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p99_ms": round(float(np.percentile(ms, 99)), 1),
    }


async def run(args: argparse.Namespace) -> dict:
    with app_process(args.app_dir, env={"GRADIO_ANALYTICS_ENABLED": "False"}, timeout=120) as url:
        drawings = test_drawings(20)
        async with httpx.AsyncClient(base_url=url, timeout=120) as client:
            config = (await client.get("/config")).json()
            fns = {dep["api_name"]: dep for dep in config["dependencies"] if dep.get("api_name")}
            # One decode before the clock starts: app.py serves its page first and loads the models
            # after, and this measures the app under load, not its start-up.
            await call(client, "warm-up", fns["decode"], [0.0] * args.latent_dim)
        times: dict[str, list[float]] = {"decode": [], "reconstruct": []}
        start = time.perf_counter()
        errors: Counter[str] = Counter()
        visitors = [visitor(url, i, args, fns, drawings, times, errors) for i in range(args.clients)]
        await asyncio.wait_for(asyncio.gather(*visitors), timeout=args.timeout)
        wall = time.perf_counter() - start
    everything = times["decode"] + times["reconstruct"]
    return {
        "app_dir": str(args.app_dir),
        "clients": args.clients,
        "pause_s": args.pause,
        "requests": len(everything) + errors.total(),
        "errors": errors.total(),
        "error_reasons": dict(errors.most_common(5)),
        "wall_s": round(wall, 1),
        "throughput_per_s": round(len(everything) / wall, 1),
        "all": summary(everything),
        "decode": summary(times["decode"]),
        "reconstruct": summary(times["reconstruct"]),
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n")[0])
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--decodes", type=int, default=100, help="/decode requests per client")
    p.add_argument("--reconstructs", type=int, default=20, help="/reconstruct requests per client")
    p.add_argument("--pause", type=float, default=0.0, help="seconds each visitor waits before a request")
    p.add_argument("--latent-dim", type=int, default=16)
    p.add_argument("--request-timeout", type=float, default=30.0, help="seconds per HTTP request")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds for the whole run")
    p.add_argument("--app-dir", type=Path, default=ROOT, help="the checkout whose app.py to start")
    args = p.parse_args(argv)
    if min(args.clients, args.decodes + args.reconstructs) < 1 or args.pause < 0:
        p.error("--clients and the request counts must add up to at least one request; --pause >= 0")
    print(json.dumps(asyncio.run(run(args))))


if __name__ == "__main__":
    main()
