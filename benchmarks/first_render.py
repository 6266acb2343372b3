"""How long each tab takes to show in headless Chromium: python -m benchmarks.first_render.

Serves the app as main() does, opens the page in a fresh browser page --repeats times, and times the
page load until the Generate tab's digit shows, then each other tab from its click until its main
picture or pad shows. Prints one JSON line with the median and worst time per tab, in milliseconds.
"""

import argparse
import json
import statistics
import time

from playwright.sync_api import sync_playwright

from tests.test_app import serve
from tests.test_browser import CHROMIUM

# tab name -> what must be visible for the tab to count as rendered
TABS = {
    "Draw": "#sketch canvas",
    "Interpolate": "#start-pad canvas",
    "Latent space": "#latent-map img",
}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.first_render", description=__doc__.split("\n")[0])
    p.add_argument("--repeats", type=int, default=5, help="fresh page loads")
    args = p.parse_args(argv)
    times: dict[str, list[float]] = {"Generate (page load)": [], **{tab: [] for tab in TABS}}
    with serve() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--headless"]
        )
        for _ in range(args.repeats):
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            start = time.perf_counter()
            page.goto(url)
            page.locator("#digit img").wait_for(state="visible", timeout=30_000)
            times["Generate (page load)"].append(time.perf_counter() - start)
            for tab, selector in TABS.items():
                start = time.perf_counter()
                page.get_by_role("tab", name=tab).click()
                page.locator(selector).first.wait_for(state="visible", timeout=30_000)
                times[tab].append(time.perf_counter() - start)
            page.close()
        browser.close()
    result = {
        tab: {"median_ms": round(1000 * statistics.median(t)), "max_ms": round(1000 * max(t))}
        for tab, t in times.items()
    }
    print(json.dumps({"repeats": args.repeats, **result}))


if __name__ == "__main__":
    main()
