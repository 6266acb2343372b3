"""A first visit, measured against a one-image Gradio page in the same run: python -m benchmarks.first_visit.

Serves the app as main() does and, beside it, a Gradio page that shows one image, and opens each in a
fresh headless Chromium --repeats times, at 1280x900 and as a 390x844 phone. Everything is read inside the
page with its own clock: the first digit painted (the app's "digit-painted" event; the one-image page's
image loaded), the bytes transferred until then (the navigation's and every resource's transferSize with
responseEnd before it), the layout shift until --settle seconds after it (the sum of every layout-shift
entry without recent input), and on the app the words a visitor reads above the first slider. Prints one
JSON line: the medians, the ratios to the one-image page, and the issue's targets.
"""

import argparse
import json
import statistics
from collections.abc import Iterator
from contextlib import contextmanager

import gradio as gr
import numpy as np
from playwright.sync_api import Browser, sync_playwright

import app
from benchmarks.common import CHROMIUM, CHROMIUM_ARGS
from ui.launch import free_port, serving
from ui.models import Models

SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
TARGETS = {"bytes_kb": 600, "bytes_ratio": 3.0, "paint_ratio": 1.3, "cls": 0.05, "words": 60}

# Installed before the page's own scripts: the layout shifts as they happen, and the first painted image.
OBSERVE_JS = """
window.visit = { shift: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.visit.shift += entry.value;
}).observe({ type: "layout-shift", buffered: true });
window.addEventListener("digit-painted", (event) => { window.visit.painted ??= event.detail.time; });
document.addEventListener("load", (event) => {
  const image = event.target.tagName === "IMG" && event.target.closest("#only-image");
  if (image) window.visit.painted ??= performance.now();
}, true);
"""

# The bytes that arrived before the first paint, by the page's own resource timing.
BYTES_JS = """
() => {
  const painted = window.visit.painted;
  const [navigation] = performance.getEntriesByType("navigation");
  const resources = performance.getEntriesByType("resource").filter((entry) => entry.responseEnd <= painted);
  return navigation.transferSize + resources.reduce((sum, entry) => sum + entry.transferSize, 0);
}
"""

# Words in text drawn above the first slider's top: what a visitor reads before reaching it (text inside a
# closed <details> has a box but is not rendered, which checkVisibility says; Gradio keeps a copy of the
# tab bar one pixel tall for screen readers).
WORDS_JS = """
() => {
  const top = document.querySelector("#slider-z1").getBoundingClientRect().top;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let words = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    const parent = node.parentElement;
    const shown = parent.checkVisibility({ contentVisibilityAuto: true, visibilityProperty: true });
    const clipped = parent.getBoundingClientRect().height < 2; // a visually-hidden copy, for screen readers
    if (!shown || clipped || box.height === 0 || box.width === 0 || box.top >= top) continue;
    words += node.textContent.split(/\\s+/).filter((word) => /\\w/.test(word)).length;
  }
  return words;
}
"""


@contextmanager
def one_image_page() -> Iterator[str]:
    """The yardstick: a plain Gradio page with one 28x28 image, as small as a Gradio page gets; its URL."""
    with gr.Blocks() as page:
        gr.Image(np.zeros((28, 28), np.uint8), format="png", elem_id="only-image")
    page.launch(server_port=free_port(), prevent_thread_lock=True, quiet=True)
    try:
        yield page.local_url
    finally:
        page.close()


def visit(browser: Browser, url: str, size: tuple[int, int], settle: float, words: bool) -> dict:
    """One fresh page load: its first paint, the bytes before it, its layout shift, and the words."""
    width, height = size
    phone = width < 500
    page = browser.new_page(viewport={"width": width, "height": height}, has_touch=phone, is_mobile=phone)
    page.add_init_script(OBSERVE_JS)
    page.goto(url)
    page.wait_for_function("() => window.visit.painted !== undefined", timeout=120_000)
    page.wait_for_timeout(settle * 1000)  # a measurement window after the paint, not a wait for a state
    result = {
        "paint_ms": page.evaluate("window.visit.painted"),
        "bytes": page.evaluate(BYTES_JS),
        "cls": page.evaluate("window.visit.shift"),
    }
    if words:
        result["words"] = page.evaluate(WORDS_JS)
    page.close()
    return result


def medians(runs: list[dict]) -> dict:
    return {key: round(statistics.median(run[key] for run in runs), 3) for key in runs[0]}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.first_visit", description=__doc__.split("\n")[0])
    p.add_argument("--repeats", type=int, default=5, help="fresh page loads of each page at each size")
    p.add_argument("--settle", type=float, default=3.0, help="seconds after the paint that shifts count")
    args = p.parse_args(argv)
    models = Models().start_loading()
    result: dict = {"repeats": args.repeats, "targets": TARGETS}
    with (
        serving(app.build_demo(models), app.page_head(models), port=free_port()) as app_url,
        one_image_page() as yardstick_url,
        sync_playwright() as playwright,
    ):
        models["mnist"]  # the page's first reading needs the models: measure the page, not their load
        for name, size in SIZES.items():
            runs: dict[str, list[dict]] = {"app": [], "one_image": []}
            for _ in range(args.repeats):
                # A fresh browser for each load: nothing cached, nothing left over from the last page.
                for page_name, url in (("app", app_url), ("one_image", yardstick_url)):
                    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                    runs[page_name].append(visit(browser, url, size, args.settle, page_name == "app"))
                    browser.close()
            mine, yardstick = medians(runs["app"]), medians(runs["one_image"])
            result[name] = {
                "app": mine,
                "one_image": yardstick,
                "bytes_ratio": round(mine["bytes"] / yardstick["bytes"], 2),
                "paint_ratio": round(mine["paint_ms"] / yardstick["paint_ms"], 2),
            }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
