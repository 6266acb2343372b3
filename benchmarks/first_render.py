"""How long each tab takes to show in headless Chromium: python -m benchmarks.first_render.

Serves the app as main() does and opens the page in a fresh browser --repeats times. The times
are taken inside the page, with the page's own clock: from the navigation's start until the page has
painted the Generate tab's digit and two frames have been drawn after it, then for each other tab from its
click until its main picture has loaded (or its pad's canvas exists) and two frames have been drawn.
(Polling from Playwright instead adds up to 0.4 s while the page's main thread is busy.) Prints one
JSON line with the median and worst time per tab, in milliseconds.
"""

import argparse
import json
import statistics

from playwright.sync_api import sync_playwright

import app
from benchmarks.common import CHROMIUM, CHROMIUM_ARGS
from ui.launch import serving
from ui.models import Models

# tab name -> what must be shown for the tab to count as rendered
TABS = {
    "Draw": "#sketch canvas",
    "Interpolate": "#start-pad canvas",
    "Latent space": "#latent-map img",
}

# shown(selector, since) resolves with the milliseconds from `since` (a performance.now() time) until
# the element is on the page with a size (an image: loaded) and two frames have been drawn after it.
SHOWN_JS = """
window.shown = (selector, since) => new Promise((resolve) => {
  const ready = () => {
    const element = document.querySelector(selector);
    if (!element || element.getBoundingClientRect().width === 0) return false;
    return element.tagName !== "IMG" || (element.complete && element.naturalWidth > 0);
  };
  const twoFrames = (then) => requestAnimationFrame(() => requestAnimationFrame(then));
  const finish = () => twoFrames(() => resolve(performance.now() - since));
  if (ready()) return finish();
  const check = () => { if (ready()) { observer.disconnect(); finish(); } };
  const observer = new MutationObserver(check);
  observer.observe(document, { subtree: true, childList: true, attributes: true });
  document.addEventListener("load", check, true);  // an image's load changes no attribute
});
// The page paints the Generate tab's digit itself and says so with a "digit-painted" event.
window.pageShown = new Promise((resolve) => {
  window.addEventListener("digit-painted", () => requestAnimationFrame(() => requestAnimationFrame(
    () => resolve(performance.now()))), { once: true });
});
"""

CLICK_TAB_JS = """
([name, selector]) => {
  const tab = [...document.querySelectorAll('button[role="tab"]')].find((b) => b.textContent.trim() === name);
  const since = performance.now();
  tab.click();
  return window.shown(selector, since);
}
"""


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.first_render", description=__doc__.split("\n")[0])
    p.add_argument("--repeats", type=int, default=5, help="fresh page loads")
    args = p.parse_args(argv)
    times: dict[str, list[float]] = {"Generate (page load)": [], **{tab: [] for tab in TABS}}
    models = Models().start_loading()
    with serving(app.build_demo(models), app.page_head(models)) as url, sync_playwright() as playwright:
        for _ in range(args.repeats):
            # A fresh browser each time, closed before the next: a closing page's teardown (its
            # canvases, its event streams) would otherwise slow the next page's load by ~0.8 s.
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.add_init_script(SHOWN_JS)
            page.goto(url)
            times["Generate (page load)"].append(page.evaluate("window.pageShown"))
            for tab, selector in TABS.items():
                times[tab].append(page.evaluate(CLICK_TAB_JS, [tab, selector]))
            browser.close()
    result = {
        tab: {"median_ms": round(statistics.median(t)), "max_ms": round(max(t))} for tab, t in times.items()
    }
    print(json.dumps({"repeats": args.repeats, **result}))


if __name__ == "__main__":
    main()
