"""The app in a real browser: headless Chromium driven by Playwright, used as a visitor would."""

import re
import urllib.request
from collections.abc import Iterator

import numpy as np
import pytest
import torch
from playwright.sync_api import Browser, Page, expect

from playground.bundle import ModelBundle
from playground.compare import Comparison
from playground.generate import Generator
from playground.maps import MAP_WINDOW
from playground.posterior import IS_SAMPLES
from tests.conftest import (
    LATENT_DIM,
    ServerDecode,
    app_process,
    draw_seven,
    expect_painted_as_server_decodes,
    no_error_toast,
    open_app,
    painted,
    require_chromium,
    screenshot,
    slider_value,
)
from ui.generate import sampler_note
from vae.config import DATASETS

require_chromium()


@pytest.fixture
def page(browser: Browser, app_url: str) -> Iterator[Page]:
    page = open_app(browser, app_url)
    yield page
    page.close()


def test_random_sample_moves_every_slider_and_repaints_the_digit(page: Page, decode: ServerDecode) -> None:
    before = painted(page)
    page.get_by_label("Seed (-1: a new one each time)").fill("7")
    page.get_by_role("button", name="Random sample").click()
    for i, value in enumerate(Generator.from_folder().random(1.0, 7, "mixture").values, start=1):
        expect(slider_value(page, i)).to_have_value(f"{value:g}")
    expect(page.locator("#digit-caption")).to_have_text(
        re.compile(r"Looks like an? \d \(\d+% sure\) to the classifier\.")
    )
    expect_painted_as_server_decodes(page, decode, "mnist")
    assert not np.array_equal(painted(page), before)
    page.get_by_role("button", name="Reset to 0").click()
    for i in range(1, LATENT_DIM + 1):
        expect(slider_value(page, i)).to_have_value("0")
    expect_painted_as_server_decodes(page, decode, "mnist")
    assert np.array_equal(painted(page), before)
    page.get_by_role("button", name="Grid of 64 samples").click()
    grid = page.locator("#sample-grid")
    expect(grid.locator("img")).to_be_visible()
    label, picture = grid.get_by_test_id("block-label").bounding_box(), grid.locator("img").bounding_box()
    assert label["y"] + label["height"] <= picture["y"]  # the label above the grid, not over its first row
    expect(grid.get_by_role("button", name="Download")).to_be_visible()
    buttons = grid.locator(".icon-button-wrapper").bounding_box()
    assert buttons["y"] + buttons["height"] <= picture["y"]  # its buttons on the label's row, too
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


def test_use_in_sliders_copies_the_drawing_into_the_generate_tab(page: Page, decode: ServerDecode) -> None:
    page.get_by_role("tab", name="Draw").click()
    draw_seven(page)
    expect(page.locator("#reconstruction img")).to_be_visible()
    page.get_by_role("button", name="Use in sliders").click()
    # The server's answer waits its turn behind the drawing's posterior and, on a just-started server,
    # the page load's own pictures (about 5 s here).
    expect(page.locator("#digit-canvas")).to_be_visible(timeout=30_000)
    expect(slider_value(page, 1)).not_to_have_value("0")
    expect(page.locator("#digit-caption")).to_contain_text("Looks like a 7")
    expect_painted_as_server_decodes(page, decode, "mnist")
    # The address follows the switch to the Generate tab (the default, so no tab= at all) and the code.
    expect(page).not_to_have_url(re.compile(r"tab="))
    expect(page).to_have_url(re.compile(r"[#&]z=[^&]*[1-9]"))


def test_latent_space_tab_decodes_a_click_and_shows_the_drawings_posterior(page: Page) -> None:
    page.get_by_role("tab", name="Draw").click()
    draw_seven(page)
    expect(page.locator("#reconstruction img")).to_be_visible()
    page.get_by_role("tab", name="Latent space").click()
    expect(page.locator("#posterior-caption")).to_contain_text("The Draw tab's drawing: q(z | x) = N(μ = (")
    expect(page.locator("#posterior-caption")).to_contain_text(f"importance-sampled with k = {IS_SAMPLES:,}")
    latent_map = page.locator("#latent-map img")
    expect(latent_map).to_be_visible()
    box = latent_map.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 0.7 * box["width"], box["y"] + 0.3 * box["height"])
    expect(page.locator("#map-caption")).to_contain_text(
        re.compile(r"z = \(\+\d\.\d\d, \+\d\.\d\d\) looks like an? \d")
    )
    expect(page.locator("#map-legend .swatch")).to_have_count(10)
    page.get_by_role("button", name="Sample ε").click()
    expect(page.locator("#eps-arithmetic")).to_contain_text(
        re.compile(r"Sample 1: ε = \(.+\) drawn from N\(0, I\)")
    )
    expect(page.locator("#eps-arithmetic")).to_contain_text("z1 = μ1 + σ1·ε1 = ")
    expect(page.locator("#sample-digit img")).to_be_visible()
    page.get_by_role("button", name="Nearest held-out image").click()
    expect(page.locator("#posterior-caption")).to_contain_text(
        re.compile(r"Held-out image \d+ \(labelled \d\)")
    )
    expect(page.locator("#eps-arithmetic")).to_have_text("")
    page.locator("#map-view").get_by_label("The prior's holes").check()
    expect(page.locator("#holes-caption")).to_contain_text("land in a hole")
    caption = page.locator("#compare-caption")
    expect(caption).to_contain_text("These 64 codes from the prior N(0, I)")
    expect(page.get_by_role("tab")).to_have_text(["Generate", "Draw", "Interpolate", "Latent space", "Train"])
    expect(page.locator("#compare-figures tr")).to_have_count(5)  # the header, three samplers, the midpoints
    page.locator("#compare-sampler").get_by_label("a mixture fitted to the training codes").check()
    expect(caption).to_contain_text("These 64 codes from a mixture fitted to the training codes")
    no_error_toast(page)
    screenshot(page, "latent-space")


def at_code(box: dict, z: tuple[float, float]) -> tuple[float, float]:
    """Where on the screen the map's image shows code z: the server's own geometry (MAP_WINDOW), the image
    drawn scaled to fit its box and centred, worked out here rather than by the page's code under test."""
    window = MAP_WINDOW
    scale = min(box["width"] / window.width, box["height"] / window.height)
    x, y = window.to_pixels(np.asarray(z))
    left = box["x"] + (box["width"] - window.width * scale) / 2
    top = box["y"] + (box["height"] - window.height * scale) / 2
    return left + (x + 0.5) * scale, top + (y + 0.5) * scale


def hovered(
    page: Page, x: float, y: float, near: tuple[float, float] | None = None
) -> tuple[list, np.ndarray]:
    """Move the mouse to (x, y), wait for the map's hover panel to show a code (within 0.03 of `near`),
    and read the code and the pixels it painted, together."""
    page.mouse.move(x, y)
    expect(page.locator(".map-hover")).to_be_visible()
    page.wait_for_function(
        """(near) => {
          const shown = JSON.parse(document.querySelector(".map-hover").dataset.z || "null");
          return shown && (!near || Math.hypot(shown[0] - near[0], shown[1] - near[1]) < 0.03);
        }""",
        arg=list(near) if near else None,
    )
    z, pixels = page.evaluate(
        """() => {
          const panel = document.querySelector(".map-hover");
          const data = panel.querySelector("canvas").getContext("2d").getImageData(0, 0, 28, 28).data;
          return [JSON.parse(panel.dataset.z), Array.from(data.filter((_, i) => i % 4 === 0))];
        }"""
    )
    return z, np.asarray(pixels, np.int16).reshape(28, 28)


@pytest.mark.parametrize("dataset", ["mnist", "fashion-mnist"])
def test_hovering_the_map_decodes_in_the_page_as_the_server_does_with_no_request(
    page: Page, dataset: str
) -> None:
    if dataset != "mnist":
        page.get_by_label(DATASETS[dataset].choice).check()
    page.get_by_role("tab", name="Latent space").click()
    # The switch redraws every tab in one chain (the drawing, the maps, the comparison): on a server
    # whose Fashion-MNIST pictures are not yet cached, that took over 5 s.
    expect(page.locator("#map-legend [data-map]")).to_have_attribute(
        "data-map", re.compile(f'"dataset": "{dataset}"'), timeout=30_000
    )
    image = page.locator("#latent-map img")
    expect(image).to_be_visible()
    box = image.bounding_box()
    assert box is not None
    space = ModelBundle.load(dataset).map_vae.eval()
    hovered(page, box["x"] + 0.5 * box["width"], box["y"] + 0.5 * box["height"])  # the decoder has loaded
    requests: list[str] = []  # events sent to the server (images of earlier events may still arrive)
    page.on("request", lambda request: "/queue/join" in request.url and requests.append(request.url))
    for wanted in ((-2.5, 1.5), (1.0, 2.8), (2.2, -1.7), (-0.8, -2.9)):  # each quadrant, off the diagonals
        z, in_page = hovered(page, *at_code(box, wanted), near=wanted)
        with torch.inference_mode():
            server = space.decode_pixels(torch.tensor([z], dtype=torch.float32))[0, 0].numpy()
        assert np.abs(in_page - np.round(server * 255)).max() <= 1, z  # within one grey level
    assert requests == []  # every move decoded in the page
    page.mouse.move(box["x"] - 30, box["y"] + 10)
    expect(page.locator(".map-hover")).to_be_hidden()  # off the map, the panel goes
    screenshot(page, f"latent-hover-{dataset}")


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


def test_the_dataset_selector_switches_every_tab_to_fashion_mnist(page: Page, decode: ServerDecode) -> None:
    before = painted(page)
    page.get_by_role("button", name="Grid of 64 samples").click()
    expect(page.locator("#sample-grid img")).to_be_visible()  # MNIST's samples
    page.get_by_label("Fashion-MNIST clothes").check()
    expect(page.locator("#sample-grid img")).to_have_count(0)  # not left beside Fashion-MNIST's digit
    expect(page.locator("#digit-caption")).not_to_contain_text(re.compile(r"like an? \d"))
    expect_painted_as_server_decodes(page, decode, "fashion-mnist")
    assert not np.array_equal(painted(page), before)
    fashion = ModelBundle.load("fashion-mnist")
    note = page.locator("#sampler-note")
    expect(note).to_have_text(re.compile(r"^\s*What each sampler measured"))  # folded under its summary
    expect(note).to_contain_text(
        sampler_note(fashion.samplers.metadata, fashion.held_out_sure_share).replace("*", "")
    )
    page.get_by_role("tab", name="Latent space").click()
    expect(page.locator("#map-legend")).to_contain_text("ankle boot")
    comparison = Comparison.of(fashion)
    expect(page.locator("#compare-caption")).to_contain_text("These 64 codes from the prior N(0, I)")
    expect(page.locator("#compare-figures")).to_contain_text(
        comparison.figures(fashion.held_out_sure_share).split("\n\n")[-1].strip()
    )
    no_error_toast(page)
    screenshot(page, "fashion-latent-space")
    page.get_by_role("tab", name="Generate").click()
    page.get_by_role("button", name="Random sample").click()
    expect(page.locator("#digit-caption")).to_contain_text("to the classifier")
    no_error_toast(page)
    screenshot(page, "fashion-generate")


def test_the_page_also_works_with_server_side_rendering(browser: Browser, decode: ServerDecode) -> None:
    with app_process(GRADIO_SSR_MODE="true") as url:  # a fresh process, as `make run` starts it
        assert "data-sveltekit" in urllib.request.urlopen(url).read().decode()  # rendered by the Node server
        page = open_app(browser, url)
        page.get_by_label("Seed (-1: a new one each time)").fill("7")
        page.get_by_role("button", name="Random sample").click()
        z1 = Generator.from_folder().random(1.0, 7, "mixture").values[0]
        expect(slider_value(page, 1)).to_have_value(f"{z1:g}")
        expect_painted_as_server_decodes(page, decode, "mnist")
        no_error_toast(page)
        page.close()


@pytest.mark.parametrize(("tab", "pad"), [("Draw", "sketch"), ("Interpolate", "end-pad")])
def test_a_cleared_pad_can_be_drawn_on_again(page: Page, tab: str, pad: str) -> None:
    page.get_by_role("tab", name=tab).click()
    draw_seven(page, pad)
    page.locator(f"#{pad}").get_by_role("button", name="Clear canvas").click()
    draw_seven(page, pad)  # the brush is picked again: it fails here if the pad dropped its tool
    if tab == "Draw":
        expect(page.locator("#draw-message")).to_contain_text("nats")
    else:
        page.get_by_role("button", name="Interpolate", exact=True).click()
        expect(page.locator("#morph-message")).to_have_text(
            "From a random sample to your end drawing, 10 steps along the spherical path."
        )
    no_error_toast(page)


def test_a_point_typed_under_the_map_is_decoded(page: Page) -> None:
    page.get_by_role("tab", name="Latent space").click()
    expect(page.locator("#latent-map img")).to_be_visible()
    expect(page.locator("#map-digit")).to_be_hidden()  # no empty frame before a point is chosen
    z1 = page.get_by_label("z1", exact=True)
    z1.fill("1.5")
    z1.press("Enter")
    expect(page.locator("#map-caption")).to_contain_text(
        re.compile(r"z = \(\+1\.50, \+0\.00\) looks like an? \d")
    )
    expect(page.locator("#map-digit img")).to_be_visible()
    z2 = page.get_by_label("z2", exact=True)
    z2.fill("-1")
    z2.press("Enter")
    expect(page.locator("#map-caption")).to_contain_text("z = (+1.50, -1.00)")
    z1.fill("9")  # beyond the map's axes: the box says where the point is, as the caption does
    z1.press("Enter")
    expect(z1).to_have_value("4")
    expect(page.locator("#map-caption")).to_contain_text("z = (+4.00, -1.00)")
    no_error_toast(page)


def test_new_random_codes_are_new_each_press(page: Page) -> None:
    page.get_by_role("tab", name="Latent space").click()
    grid = page.locator("#vae-grid img")
    grid.scroll_into_view_if_needed()  # below the map and the posterior; the image loads when in view
    expect(grid).to_be_visible()
    shown = []
    for _ in range(2):
        before = grid.get_attribute("src")
        page.get_by_role("button", name="New random codes").click()
        expect(grid).not_to_have_attribute("src", before)
        shown.append(page.request.get(grid.get_attribute("src")).body())
    assert shown[0] != shown[1], "the same 64 codes came back"
    no_error_toast(page)


def test_on_a_phone_the_interpolation_strip_is_tall_enough_to_read(browser: Browser, app_url: str) -> None:
    page = open_app(browser, app_url, width=390, height=844, has_touch=True, is_mobile=True)
    page.get_by_role("tab", name="Interpolate").click()
    page.get_by_role("button", name="Interpolate", exact=True).click()
    strip = page.locator("#morph-strip img")
    expect(strip).to_be_visible()
    shown, frame = strip.bounding_box(), page.locator("#morph-strip").bounding_box()
    assert shown["height"] >= 80 and shown["x"] >= frame["x"]  # its first step on screen, scrolled sideways
    screenshot(page, "phone-interpolate-strip")
    page.close()
