"""From a slider input to the repainted digit, in headless Chromium: python -m benchmarks.slider_paint.

Serves the app as main() does, opens the page, and drags sliders with the mouse, one move every
16 ms (a 60 Hz pointer), --drags times over --steps moves. Inside the page, each `input` event's
time is paired with the first `digit-painted` event after it (ui/static/generate.js sends one after
each paint, from the requestAnimationFrame callback that paints). It counts the requests the page sends
to run a server event during each drag, before the release, and after it. Prints one JSON line.
"""

import argparse
import json
import time

import numpy as np
from playwright.sync_api import sync_playwright

import app
from benchmarks.common import CHROMIUM, CHROMIUM_ARGS
from ui.launch import serving
from ui.models import Models

# Pairs each slider input with the paint that shows it: latencies in milliseconds, in window.latencies.
RECORD_JS = """
window.latencies = [];
let waiting = [];
document.addEventListener("input", (event) => {
  if (event.target.type === "range") waiting.push(event.timeStamp);
}, true);
window.addEventListener("digit-painted", (event) => {
  for (const time of waiting) window.latencies.push(event.detail.time - time);
  waiting = [];
});
"""


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.slider_paint", description=__doc__.split("\n")[0])
    p.add_argument("--drags", type=int, default=6)
    p.add_argument("--steps", type=int, default=30, help="mouse moves per drag")
    args = p.parse_args(argv)
    joins: list[float] = []
    models = Models().start_loading()
    with serving(app.build_demo(models), app.page_head(models)) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.add_init_script(RECORD_JS)
        page.on(
            "request",
            lambda request: joins.append(time.monotonic()) if "/queue/join" in request.url else None,
        )
        page.goto(url)
        page.wait_for_function("() => document.documentElement.classList.contains('vae-decodes-in-page')")
        page.wait_for_timeout(3000)  # the page load's own server events
        during, after = [], []
        for drag in range(args.drags):
            track = page.get_by_role("slider", name=f"range slider for z{drag % 4 + 1}", exact=True)
            box = track.bounding_box()
            y = box["y"] + box["height"] / 2
            page.mouse.move(box["x"] + box["width"] / 2, y)
            page.mouse.down()
            sent = len(joins)
            for step in range(1, args.steps + 1):
                fraction = 0.5 + 0.45 * np.sin(np.pi * step / args.steps * (1 if drag % 2 else -1))
                page.mouse.move(box["x"] + fraction * box["width"], y)
                time.sleep(0.016)
            page.wait_for_timeout(100)
            during.append(len(joins) - sent)
            page.mouse.up()
            page.wait_for_timeout(800)
            after.append(len(joins) - sent - during[-1])
        latencies = np.asarray(page.evaluate("window.latencies"))
        browser.close()
    print(
        json.dumps(
            {
                "inputs": len(latencies),
                "input_to_painted_p50_ms": round(float(np.percentile(latencies, 50)), 1),
                "input_to_painted_p99_ms": round(float(np.percentile(latencies, 99)), 1),
                "input_to_painted_max_ms": round(float(latencies.max()), 1),
                "server_events_during_each_drag": during,
                "server_events_after_each_release": after,
            }
        )
    )


if __name__ == "__main__":
    main()
