"""From a pointer move over the Latent space map to the repainted decode, in headless Chromium:
python -m benchmarks.map_hover.

Serves the app as main() does, opens the Latent space tab, and sweeps the mouse across the map, one
move every 16 ms (a 60 Hz pointer), --sweeps times over --steps moves. Inside the page, the time of
each move event that ui/static/latent.js follows (`pointerrawupdate` in Chromium) is paired with the
first `map-painted` event after it (latent.js sends one after each paint). The browser shows a paint
at its next frame. It counts every
request the page sends during the sweeps (after the decoder has loaded). Prints one JSON line.
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

# Pairs each move over the map with the paint that shows it: milliseconds, in window.latencies.
RECORD_JS = """
window.latencies = [];
let waiting = [];
document.addEventListener("onpointerrawupdate" in window ? "pointerrawupdate" : "pointermove", (event) => {
  if (event.target.closest && event.target.closest("#latent-map img")) waiting.push(event.timeStamp);
}, true);
window.addEventListener("map-painted", (event) => {
  for (const time of waiting) window.latencies.push(event.detail.time - time);
  waiting = [];
});
"""


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.map_hover", description=__doc__.split("\n")[0])
    p.add_argument("--sweeps", type=int, default=6)
    p.add_argument("--steps", type=int, default=40, help="mouse moves per sweep")
    args = p.parse_args(argv)
    requests: list[str] = []
    models = Models().start_loading()
    with serving(app.build_demo(models), app.page_head(models)) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.add_init_script(RECORD_JS)
        page.goto(url)
        page.get_by_role("tab", name="Latent space").click()
        page.wait_for_selector("#map-legend [data-map]", timeout=60_000)
        image = page.locator("#latent-map img")
        image.scroll_into_view_if_needed()
        box = image.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_selector(".map-hover:not([hidden])", timeout=30_000)  # the decoder has loaded
        page.evaluate("window.latencies = []")
        page.on("request", lambda request: requests.append(request.url))
        for sweep in range(args.sweeps):
            for step in range(args.steps):
                t = step / (args.steps - 1)
                x = 0.15 + 0.7 * t if sweep % 2 == 0 else 0.85 - 0.7 * t
                y = 0.2 + 0.6 * (0.5 + 0.5 * np.sin(2 * np.pi * (t + sweep / args.sweeps)))
                page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
                time.sleep(0.016)
        page.wait_for_timeout(200)
        latencies = np.asarray(page.evaluate("window.latencies"))
        browser.close()
    print(
        json.dumps(
            {
                "moves": len(latencies),
                "move_to_painted_p50_ms": round(float(np.percentile(latencies, 50)), 1),
                "move_to_painted_p99_ms": round(float(np.percentile(latencies, 99)), 1),
                "move_to_painted_max_ms": round(float(latencies.max()), 1),
                "requests_during_moves": len(requests),
            }
        )
    )


if __name__ == "__main__":
    main()
