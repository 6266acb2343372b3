"""The app in a real browser: headless Chromium driven by Playwright, used as a visitor would."""

import os
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from tests.conftest import serve
from vae.bundle import ModelBundle
from vae.config import VAEConfig
from vae.explore import LatentSpace
from vae.weights import WEIGHTS_DIR, read_config

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "test-artifacts/screenshots"))
LATENT_DIM = read_config(VAEConfig, WEIGHTS_DIR / "mnist-vae").latent_dim

if not CHROMIUM.is_file():
    reason = f"browser tests need Chromium at {CHROMIUM} (apt-get install -y chromium)"
    if os.environ.get("CI"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason, allow_module_level=True)


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with serve(ssr_mode=False) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--headless", "--disable-gpu"]
        )
        yield browser
        browser.close()


def open_app(browser: Browser, url: str) -> Page:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(url)
    # The page is served before the models load; its load event then fills in the digit and its reading.
    expect(digit(page)).to_be_visible(timeout=30_000)
    expect(page.locator("#digit-caption")).to_contain_text("to the classifier")
    return page


@pytest.fixture
def page(browser: Browser, url: str) -> Iterator[Page]:
    page = open_app(browser, url)
    yield page
    page.close()


def digit(page: Page) -> Locator:
    return page.locator("#digit img")


def slider_value(page: Page, i: int) -> Locator:
    return page.get_by_label(f"number input for z{i}", exact=True)


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def no_error_toast(page: Page) -> None:
    expect(page.get_by_test_id("toast-body")).to_have_count(0)


def draw_seven(page: Page, pad_id: str = "sketch") -> None:
    """Mouse strokes of a 7 on a sketch pad; opening its tab has picked the brush already."""
    pad = page.locator(f"#{pad_id}")
    expect(pad.get_by_role("button", name="Brush", exact=True)).to_have_class(re.compile(r"\bhighlight\b"))
    box = pad.locator("canvas").first.bounding_box()
    assert box is not None

    def at(fx: float, fy: float) -> tuple[float, float]:
        return box["x"] + fx * box["width"], box["y"] + fy * box["height"]

    page.mouse.move(*at(0.3, 0.25))
    page.mouse.down()
    for fx, fy in [(0.5, 0.25), (0.7, 0.25), (0.6, 0.45), (0.5, 0.65), (0.45, 0.8)]:
        page.mouse.move(*at(fx, fy), steps=8)
    page.mouse.up()


def test_dragging_a_slider_redraws_the_digit(page: Page) -> None:
    before = digit(page).get_attribute("src")
    box = page.get_by_role("slider", name="range slider for z1", exact=True).bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + box["width"] / 3, y, steps=10)
    page.mouse.up()
    expect(slider_value(page, 1)).not_to_have_value("0")
    expect(digit(page)).not_to_have_attribute("src", before or "")
    no_error_toast(page)
    screenshot(page, "generate-drag")


def test_random_sample_moves_every_slider_and_the_digit(page: Page) -> None:
    before = digit(page).get_attribute("src")
    page.get_by_role("button", name="Random sample").click()
    expect(digit(page)).not_to_have_attribute("src", before or "")
    for i in range(1, LATENT_DIM + 1):
        expect(slider_value(page, i)).not_to_have_value("0")
    expect(page.locator("#digit-caption")).to_have_text(
        re.compile(r"Looks like an? \d \(\d+%\) to the classifier\.")
    )
    page.get_by_role("button", name="64 samples at this temperature").click()
    grid = page.locator("#sample-grid")
    expect(grid.locator("img")).to_be_visible()
    expect(grid.get_by_role("button", name="Download")).to_be_visible()
    no_error_toast(page)
    screenshot(page, "generate-random")


def test_drawing_shows_a_reconstruction_and_clearing_empties_it(page: Page) -> None:
    page.get_by_role("tab", name="Draw").click()
    draw_seven(page)
    reconstruction = page.locator("#reconstruction img")
    expect(reconstruction).to_be_visible()
    expect(page.locator("#draw-message")).to_contain_text("nats")
    expect(page.locator("#reconstruction-caption")).to_contain_text("Looks like a 7")
    expect(page.locator(".zrow")).to_have_count(LATENT_DIM)
    screenshot(page, "draw")

    page.locator("#sketch").get_by_role("button", name="Clear canvas").click()
    expect(reconstruction).to_have_count(0)
    expect(page.locator(".zrow")).to_have_count(0)
    expect(page.locator("#draw-message")).not_to_contain_text("nats")
    no_error_toast(page)
    screenshot(page, "draw-cleared")


def test_use_in_sliders_copies_the_drawing_into_the_generate_tab(page: Page) -> None:
    page.get_by_role("tab", name="Draw").click()
    draw_seven(page)
    expect(page.locator("#reconstruction img")).to_be_visible()
    page.get_by_role("button", name="Use in sliders").click()
    expect(digit(page)).to_be_visible()
    expect(slider_value(page, 1)).not_to_have_value("0")


def test_latent_space_tab_decodes_a_click_and_marks_the_drawing(page: Page) -> None:
    page.get_by_role("tab", name="Draw").click()
    draw_seven(page)
    expect(page.locator("#reconstruction img")).to_be_visible()
    page.get_by_role("tab", name="Latent space").click()
    latent_map = page.locator("#latent-map img")
    expect(latent_map).to_be_visible()
    box = latent_map.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 0.7 * box["width"], box["y"] + 0.3 * box["height"])
    expect(page.locator("#map-caption")).to_contain_text(
        re.compile(r"z = \(\+\d\.\d\d, \+\d\.\d\d\) looks like an? \d")
    )
    expect(page.locator("#map-legend .swatch")).to_have_count(10)
    expect(page.locator("#compare-caption")).to_contain_text("2-D autoencoder's decodes")
    no_error_toast(page)
    screenshot(page, "latent-space")


def test_interpolating_from_a_drawing_to_a_random_sample_shows_the_strip_and_gif(page: Page) -> None:
    page.get_by_role("tab", name="Interpolate").click()
    draw_seven(page, "start-pad")
    expect(page.locator("#end-pad").get_by_role("button", name="Brush", exact=True)).to_have_class(
        re.compile(r"\bhighlight\b")
    )
    page.get_by_role("button", name="Interpolate", exact=True).click()
    expect(page.locator("#morph-message")).to_have_text(
        "From your start drawing to a random sample, 10 steps along the spherical path."
    )
    expect(page.locator("#morph-strip img")).to_be_visible()
    gif = page.locator("#morph-gif img")
    expect(gif).to_have_attribute("src", re.compile(r"^data:image/gif;base64,"))
    expect(page.locator("#morph-gif").get_by_role("link", name="Download the GIF")).to_have_attribute(
        "download", "morph.gif"
    )
    no_error_toast(page)
    screenshot(page, "interpolate")


def test_the_dataset_selector_switches_every_tab_to_fashion_mnist(page: Page) -> None:
    before = digit(page).get_attribute("src")
    page.get_by_label("Fashion-MNIST clothes").check()
    expect(digit(page)).not_to_have_attribute("src", before or "")
    expect(page.locator("#digit-caption")).not_to_contain_text(re.compile(r"like an? \d"))
    page.get_by_role("tab", name="Latent space").click()
    expect(page.locator("#map-legend")).to_contain_text("ankle boot")
    *_, fashion_caption = LatentSpace(ModelBundle.load("fashion-mnist")).compare(0)
    expect(page.locator("#compare-caption")).to_have_text(fashion_caption)
    no_error_toast(page)
    screenshot(page, "fashion-latent-space")
    page.get_by_role("tab", name="Generate").click()
    page.get_by_role("button", name="Random sample").click()
    expect(page.locator("#digit-caption")).to_contain_text("to the classifier")
    no_error_toast(page)
    screenshot(page, "fashion-generate")


def test_the_page_also_works_with_server_side_rendering(browser: Browser) -> None:
    with serve(ssr_mode=True) as url:
        assert "data-sveltekit" in urllib.request.urlopen(url).read().decode()  # rendered by the Node server
        page = open_app(browser, url)
        before = digit(page).get_attribute("src")
        page.get_by_role("button", name="Random sample").click()
        expect(digit(page)).not_to_have_attribute("src", before or "")
        no_error_toast(page)
        page.close()
