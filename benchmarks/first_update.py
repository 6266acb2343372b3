"""How soon a run's first update reaches a client: python -m benchmarks.first_update [--repeats 3].

For each repeat, two freshly started `python app.py` processes: on one a gradio_client submits /train
(mnist, β = 1, the default length and seed) the moment the page answers, and again once that run has
ended ("api_again"); on the other a real browser opens the page and presses Train the moment it can,
and again after the run ("browser_again"). For each: the seconds from the request to the run's
first update (on a just-started server, a line that the run is starting), to the untrained model's
figures (epoch 0) and to the first epoch's, and the seconds between the epochs after it, as the
client sees them. Prints one JSON object with the runs and their medians.
"""

import argparse
import itertools
import json
import re
import statistics
import time

from benchmarks.common import CHROMIUM, CHROMIUM_ARGS
from playground.runs import DEFAULT_EPOCHS
from ui.launch import app_process


def updates_through_the_api(url: str) -> list[tuple[float, int]]:
    """Seconds from submitting /train to each of its updates, each with how many epochs its figures
    hold (0 for the line a just-started server sends first, 1 for the untrained model's epoch 0)."""
    from gradio_client import Client

    client = Client(url, verbose=False)
    started = time.perf_counter()
    job = client.submit("mnist", 1.0, DEFAULT_EPOCHS, 0, api_name="/train")
    updates: list[tuple[float, int]] = []
    while not job.done() or len(job.outputs()) > len(updates):
        if len(job.outputs()) > len(updates):
            figures = job.outputs()[len(updates)][-1]
            updates.append((time.perf_counter() - started, len(figures or [])))
        else:
            time.sleep(0.005)
    if job.exception() is not None:
        raise RuntimeError(f"/train failed: {job.exception()}")
    return updates


WATCH_READING = """() => {
    window.readings = [];
    const reading = document.querySelector('#train-reading');
    const prose = () => reading.querySelector('[data-testid=markdown]')?.innerText ?? '';
    new MutationObserver(() => window.readings.push([performance.now(), prose()]))
        .observe(reading, {childList: true, subtree: true, characterData: true});
}"""

RUN_ENDED = """([start, epochs]) => {
    const texts = window.readings.slice(start).map(([, text]) => text);
    const begun = texts.findIndex(text => text.includes('Before training'));
    return begun >= 0 && texts.slice(begun).some(text => text.includes(`Epoch ${epochs} of ${epochs}`));
}"""


def epochs_shown(reading: str) -> int | None:
    """How many epochs' figures a reading reports, as updates_through_the_api counts them; None for
    anything else (an empty block)."""
    if "Starting your run" in reading:
        return 0
    if "Before training" in reading:
        return 1
    found = re.search(r"Epoch (\d+) of", reading)
    return int(found.group(1)) + 1 if found else None


def updates_in_the_browser(url: str, runs: int) -> list[list[tuple[float, int]]]:
    """For each of runs presses of Train (the first as soon as the page shows the button, each next
    when the run before has ended): seconds from the press to each new reading on screen (its text
    only, not Gradio's timer beside it)."""
    from playwright.sync_api import expect, sync_playwright

    pressed = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url)
        page.get_by_role("tab", name="Train").click()
        page.evaluate(WATCH_READING)
        for _ in range(runs):
            pressed.append(page.evaluate("[performance.now(), window.readings.length]"))
            page.get_by_role("button", name="Train", exact=True).click()
            page.wait_for_function(RUN_ENDED, arg=[pressed[-1][1], DEFAULT_EPOCHS], timeout=180_000)
            expect(page.locator("#train-map .generating")).to_have_count(0, timeout=60_000)
        readings = page.evaluate("window.readings")
        browser.close()
    ends = [start for _, start in pressed[1:]] + [len(readings)]
    return [updates_seen(readings[start:end], at) for (at, start), end in zip(pressed, ends, strict=True)]


def updates_seen(readings: list[tuple[float, str]], pressed: float) -> list[tuple[float, int]]:
    """Each change of the reading to a later point of the run: seconds since pressed, and the epochs
    shown (the run before's last reading, still on screen at the press, is not one)."""
    updates: list[tuple[float, int]] = []
    for at, text in readings:
        shown = epochs_shown(text)
        if shown is not None and shown > (updates[-1][1] if updates else -1) and (updates or shown <= 1):
            updates.append(((at - pressed) / 1000, shown))
    return updates


def summary(updates: list[tuple[float, int]]) -> dict:
    """Seconds to the first update of any kind, to the untrained model's figures (epoch 0) and to the
    first epoch's, and the median seconds between the epochs after it."""
    epochs = [at for at, shown in updates if shown >= 2]
    gaps = [later - earlier for earlier, later in itertools.pairwise(epochs)]
    return {
        "first_update_s": round(updates[0][0], 2),
        "epoch_0_s": round(next(at for at, shown in updates if shown >= 1), 2),
        "epoch_1_s": round(epochs[0], 2),
        "seconds_per_epoch": round(statistics.median(gaps), 2),
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.first_update", description=__doc__.split("\n")[0])
    p.add_argument("--repeats", type=int, default=3, help="fresh servers for each client")
    args = p.parse_args(argv)
    runs: dict[str, list[dict]] = {name: [] for name in ("api", "api_again", "browser", "browser_again")}
    for _ in range(args.repeats):
        with app_process() as url:
            runs["api"].append(summary(updates_through_the_api(url)))
            runs["api_again"].append(summary(updates_through_the_api(url)))
        with app_process() as url:
            first, again = updates_in_the_browser(url, runs=2)
            runs["browser"].append(summary(first))
            runs["browser_again"].append(summary(again))
    result: dict[str, object] = {"repeats": args.repeats, "epochs": DEFAULT_EPOCHS}
    for name, rows in runs.items():
        result[name] = {key: round(statistics.median(row[key] for row in rows), 2) for key in rows[0]}
        result[name]["runs"] = rows
    print(json.dumps(result))


if __name__ == "__main__":
    main()
