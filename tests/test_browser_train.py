"""The Train tab in a real browser: the bundled sweep before anyone trains, a run whose map and curves
change epoch by epoch, Stop, and the phone layout."""

import re

from playwright.sync_api import Browser, Page, expect

from tests.conftest import no_error_toast, open_app, require_chromium, screenshot

require_chromium()


def open_train_tab(page: Page) -> None:
    tab = page.get_by_role("tab", name="Train")
    expect(tab).to_be_visible()  # all five tabs fit the bar, on a phone too
    tab.click()
    expect(page.locator("#sweep-figures")).to_contain_text(
        "the held-out reconstruction rises from", timeout=30_000
    )
    expect(page.locator("#sweep-gallery img")).to_have_count(5)


def set_number(page: Page, label: str, value: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Enter")


def epoch_shown(page: Page) -> int:
    return int(re.search(r"Epoch (\d+) of", page.locator("#train-reading").inner_text()).group(1))


def test_a_run_draws_each_epoch_and_stop_keeps_what_it_has(browser: Browser, app_url: str) -> None:
    page = open_app(browser, app_url)
    open_train_tab(page)
    screenshot(page, "train-sweep")
    set_number(page, "number input for Epochs", "30")
    set_number(page, "number input for KL weight β", "3")
    page.get_by_role("button", name="Train", exact=True).click()
    # The untrained model first (its epoch lasts over a second), then each epoch.
    expect(page.locator("#train-reading")).to_contain_text("Before training (epoch 0 of 30", timeout=30_000)
    expect(page.locator("#train-reading")).to_contain_text("Epoch 1 of 30", timeout=30_000)
    first_map = page.locator("#train-map img").get_attribute("src")
    expect(page.locator("#train-reading")).to_contain_text("Epoch 2 of 30", timeout=30_000)
    expect(page.locator("#train-map img")).not_to_have_attribute("src", first_map)  # the map moved
    for plot in ("#reconstruction-plot", "#kl-plot"):  # both series drawn, the run's and the bundled one
        expect(page.locator(plot)).to_contain_text("epoch")
        expect(page.locator(plot)).to_contain_text("your run")
        expect(page.locator(plot)).to_contain_text("bundled run nearest in β")
        # Vega's own description of the axis: numbered from the first epoch to the run's last.
        expect(page.locator(f"{plot} [aria-label^='X-axis']")).to_have_attribute(
            "aria-label", "X-axis titled 'epoch' for a linear scale with values from 1 to 30"
        )
    page.get_by_role("button", name="Stop").click()
    expect(page.locator("#train-map .generating")).to_have_count(0, timeout=30_000)  # the run has ended
    stopped_at = epoch_shown(page)
    assert 2 <= stopped_at < 30
    expect(page.locator("#train-reading")).to_contain_text(f"Epoch {stopped_at} of 30")  # kept, not cleared
    expect(page.locator("#train-reading")).to_contain_text("Stopped, as you asked")
    expect(page.locator("#train-map img")).to_be_visible()
    no_error_toast(page)
    page.locator("#train-map").scroll_into_view_if_needed()
    screenshot(page, "train-stopped")
    # The page stays usable: a short run after the stopped one goes to its end.
    set_number(page, "number input for Epochs", "2")
    page.get_by_role("button", name="Train", exact=True).click()
    expect(page.locator("#train-reading")).to_contain_text("Epoch 2 of 2", timeout=60_000)
    expect(page.locator("#train-reading")).to_contain_text("the classifier is sure of")
    # A short run's axis labels its two epochs, not 1.0, 1.2, ... 2.0.
    expect(page.locator("#kl-plot [aria-label^='X-axis']")).to_have_attribute(
        "aria-label", "X-axis titled 'epoch' for a discrete scale with 2 values: 1, 2"
    )
    page.close()


def test_bad_settings_get_a_message_not_a_run(browser: Browser, app_url: str) -> None:
    page = open_app(browser, app_url)
    open_train_tab(page)
    set_number(page, "Seed", "-4")
    page.get_by_role("button", name="Train", exact=True).click()
    expect(page.get_by_test_id("toast-body")).to_contain_text(
        "seed must be a whole number from 0 to 2147483647, not -4."
    )
    expect(page.locator("#train-map img")).to_have_count(0)  # no run started
    page.close()


def test_the_tab_on_a_phone(browser: Browser, app_url: str) -> None:
    page = open_app(browser, app_url, width=390, height=844, has_touch=True, is_mobile=True)
    open_train_tab(page)
    gallery = page.locator("#sweep-gallery").bounding_box()
    assert gallery is not None and gallery["width"] <= 390
    screenshot(page, "train-phone-sweep")
    set_number(page, "number input for Epochs", "2")
    page.get_by_role("button", name="Train", exact=True).click()
    expect(page.locator("#train-reading")).to_contain_text("Epoch 2 of 2", timeout=60_000)
    for element in ("#train-map", "#train-manifold", "#reconstruction-plot"):
        box = page.locator(element).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, element
    page.locator("#train-map").scroll_into_view_if_needed()
    screenshot(page, "train-phone-run")
    page.close()
