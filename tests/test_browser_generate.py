"""The Generate tab's in-page decoder in a real browser: what it paints, what it asks of the server,
the phone layout, the link that reopens a digit, and the fallback when the decoder cannot run."""

import copy
import io
import re
from collections.abc import Callable, Iterator

import numpy as np
import pytest
import torch
from PIL import Image
from playwright.sync_api import Browser, Page, Request, expect

from playground.generate import Generator
from tests.conftest import (
    LATENT_DIM,
    ServerDecode,
    drag,
    draw_seven,
    expect_painted_as_server_decodes,
    no_error_toast,
    open_app,
    painted,
    require_chromium,
    screenshot,
    slider_value,
    slider_values,
    until,
)
from ui.page import static_url
from vae.model import VAE
from vae.weights import DECODER_FILE, ORIGIN_FILE, WEIGHTS_DIR, load_pretrained

require_chromium()
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def page(browser: Browser, app_url: str) -> Iterator[Page]:
    page = open_app(browser, app_url)
    yield page
    page.close()


def slider_events(page: Page) -> list[dict]:
    """Every server event that a slider triggers from now on (the queue's joins), as the page sends
    them; the page load's own chain of events, still running, is left out by its trigger."""
    config = page.request.get(page.url.split("#")[0] + "config").json()
    sliders = {
        c["id"]
        for c in config["components"]
        if c["type"] == "slider" and re.fullmatch(r"z\d+", c["props"].get("label") or "")
    }
    assert len(sliders) == LATENT_DIM
    joins: list[dict] = []

    def record(request: Request) -> None:
        if "/queue/join" in request.url and request.post_data_json.get("trigger_id") in sliders:
            joins.append(request.post_data_json)

    page.on("request", record)
    return joins


@pytest.mark.parametrize("dataset", ["mnist", "fashion-mnist"])
def test_a_drag_is_painted_in_the_page_and_the_server_hears_only_the_release(
    page: Page, decode: ServerDecode, dataset: str
) -> None:
    if dataset != "mnist":
        page.get_by_label("Fashion-MNIST clothes").check()
        expect_painted_as_server_decodes(page, decode, dataset)
    joins = slider_events(page)
    before = painted(page)
    track = page.get_by_role("slider", name="range slider for z2", exact=True).bounding_box()
    assert track is not None
    y = track["y"] + track["height"] / 2
    page.mouse.move(track["x"] + track["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(track["x"] + 0.85 * track["width"], y, steps=30)
    until(page, lambda: not np.array_equal(painted(page), before), "the digit did not change during the drag")
    assert joins == [], "the page asked the server to decode during the drag"
    server_image = page.locator("#digit img").get_attribute("src")
    page.mouse.up()
    expect(slider_value(page, 2)).not_to_have_value("0")
    expect_painted_as_server_decodes(page, decode, dataset)
    expect(page.locator("#digit img")).not_to_have_attribute("src", server_image)  # the release's answer
    assert len(joins) == 1, f"one release, one server event: {joins}"
    no_error_toast(page)
    screenshot(page, f"generate-drag-{dataset}")


def test_the_page_link_follows_the_sliders_and_reopens_the_same_digit(
    page: Page, browser: Browser, app_url: str, decode: ServerDecode
) -> None:
    page.get_by_label("Fashion-MNIST clothes").check()
    drag(page, 1, 0.8)
    drag(page, 3, 0.2)
    expect_painted_as_server_decodes(page, decode, "fashion-mnist")
    values = slider_values(page)
    page.wait_for_function(f"() => location.hash.includes('{values[2]:.2f}')")
    link = page.url
    assert link.startswith(app_url) and "dataset=fashion-mnist" in link
    reopened = open_app(browser, link)
    expect(reopened.get_by_label("Fashion-MNIST clothes")).to_be_checked()
    assert slider_values(reopened) == values
    assert np.array_equal(painted(reopened), painted(page))
    reopened.close()


def test_on_a_phone_the_digit_stays_on_screen_beside_the_slider_being_dragged(
    browser: Browser, app_url: str
) -> None:
    page = open_app(browser, app_url, **PHONE, has_touch=True, is_mobile=True)
    for slider in (1, LATENT_DIM):
        track = page.get_by_role("slider", name=f"range slider for z{slider}", exact=True)
        track.scroll_into_view_if_needed()
        box = track.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.mouse.move(box["x"] + 0.9 * box["width"], box["y"] + box["height"] / 2, steps=10)
        for shown in (page.locator("#digit-canvas"), track):
            box = shown.bounding_box()
            assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
        screenshot(page, f"phone-generate-drag-z{slider}")
        page.mouse.up()
    page.close()


def test_on_a_phones_first_screen_the_digit_and_the_first_sliders_show(
    browser: Browser, app_url: str
) -> None:
    page = open_app(browser, app_url, **PHONE, has_touch=True, is_mobile=True)
    assert page.evaluate("scrollY") == 0
    for shown in (page.locator("#digit-canvas"), page.locator("#slider-z1 input[type=range]")):
        box = shown.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    page.close()


def finger(page: Page) -> Callable[..., None]:
    """Touches sent as a touch screen sends them (the browser scrolls for them as for a real finger)."""
    touch = page.context.new_cdp_session(page)

    def send(kind: str, x: float = 0, y: float = 0) -> None:
        points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
        touch.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    return send


def test_on_a_touch_screen_a_swipe_over_the_sliders_scrolls_and_a_sideways_drag_or_tap_moves_one(
    browser: Browser, app_url: str
) -> None:
    page = open_app(browser, app_url, **PHONE, has_touch=True, is_mobile=True)
    send = finger(page)
    page.evaluate("window.scrollTo(0, 300)")
    track = page.locator("#slider-z5 input[type=range]")
    box = track.bounding_box()
    x, y = box["x"] + 0.8 * box["width"], box["y"] + box["height"] / 2
    send("touchStart", x, y)
    for step in range(1, 21):  # up the screen, from a point on z5's track where a tap would set 1.8
        send("touchMove", x, y - 15 * step)
    send("touchEnd")
    until(page, lambda: page.evaluate("scrollY") > 400, "the swipe did not scroll the page")
    assert slider_values(page) == [0.0] * LATENT_DIM
    box = track.bounding_box()
    x, y = box["x"] + 0.5 * box["width"], box["y"] + box["height"] / 2
    send("touchStart", x, y)
    for step in range(1, 11):  # sideways: the slider follows the finger
        send("touchMove", x + 4 * step, y)
    send("touchEnd")
    expect(slider_value(page, 5)).not_to_have_value("0")
    assert float(page.locator("#slider-z5 input[type=range]").input_value()) > 0.5
    expect(page.locator("#digit-caption")).to_contain_text("to the classifier")  # the release is heard
    box = track.bounding_box()
    send("touchStart", box["x"] + 0.25 * box["width"], box["y"] + box["height"] / 2)
    send("touchEnd")  # a tap a quarter of the way along a -3 to 3 track
    expect(page.locator("#slider-z5 input[type=range]")).to_have_value(re.compile(r"^-1\.(4|5|6)"))
    page.close()


def test_the_draw_pad_takes_finger_strokes(browser: Browser, app_url: str) -> None:
    page = open_app(browser, app_url, **PHONE, has_touch=True, is_mobile=True)
    page.get_by_role("tab", name="Draw").click()
    canvas = page.locator("#sketch canvas").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    touch = page.context.new_cdp_session(page)

    def finger(kind: str, fx: float, fy: float) -> None:
        point = [{"x": box["x"] + fx * box["width"], "y": box["y"] + fy * box["height"]}]
        touch.send(
            "Input.dispatchTouchEvent", {"type": kind, "touchPoints": point if kind != "touchEnd" else []}
        )

    finger("touchStart", 0.3, 0.25)
    for i in range(1, 21):  # a 7: across the top, then down to the left
        t = i / 20
        finger(
            "touchMove",
            *((0.3 + 0.8 * t, 0.25) if t < 0.5 else (0.7 - 0.4 * (t - 0.5), 0.25 + 1.1 * (t - 0.5))),
        )
    finger("touchEnd", 0, 0)
    expect(page.locator("#reconstruction img")).to_be_visible(timeout=15_000)
    expect(page.locator("#reconstruction-caption")).to_contain_text("Looks like a 7")
    screenshot(page, "phone-draw")
    page.close()


def longest_run(indices: np.ndarray) -> np.ndarray:
    """The longest run of consecutive indices: a square's rows, not a stray line at the picture's edge."""
    runs = np.split(indices, np.nonzero(np.diff(indices) > 1)[0] + 1)
    return max(runs, key=len)


def drawing_area(page: Page, pad: str) -> tuple[int, int, int, int] | None:
    """The white square a pad draws on, (left, top, right, bottom) in page pixels; under the dark theme
    the pad around it is dark grey. None until Gradio has drawn it."""
    grey = np.asarray(Image.open(io.BytesIO(page.locator(f"#{pad}").screenshot())).convert("L"))
    box = page.locator(f"#{pad}").bounding_box()  # after the screenshot, which may scroll the pad into view
    white = grey > 250
    rows, columns = np.nonzero(white.sum(axis=1) > 100)[0], np.nonzero(white.sum(axis=0) > 100)[0]
    if not len(rows) or not len(columns):
        return None
    rows, columns = longest_run(rows), longest_run(columns)
    return (
        round(box["x"]) + columns[0],
        round(box["y"]) + rows[0],
        round(box["x"]) + columns[-1],
        round(box["y"]) + rows[-1],
    )


@pytest.mark.parametrize(("tab", "pad"), [("Draw", "sketch"), ("Interpolate", "start-pad")])
def test_on_a_phone_the_pads_tools_sit_under_the_canvas_not_over_it(
    browser: Browser, app_url: str, tab: str, pad: str
) -> None:
    page = open_app(browser, app_url + "?__theme=dark", **PHONE, has_touch=True, is_mobile=True)
    page.get_by_role("tab", name=tab).click()
    page.locator(f"#{pad}").scroll_into_view_if_needed()
    until(page, lambda: drawing_area(page, pad) is not None, "the pad never drew its canvas")
    left, top, right, bottom = drawing_area(page, pad)
    frame = page.locator(f"#{pad}").bounding_box()
    tools = page.locator(f"#{pad} .toolbar-wrap").bounding_box()
    assert tools["y"] > bottom or tools["x"] > right or tools["x"] + tools["width"] < left, (tools, bottom)
    assert bottom - top >= 0.7 * frame["height"], "the pad leaves more dead space than canvas"
    page.locator(f"#{pad}").get_by_role("button", name="Brush Size").click()
    size = page.locator(f"#{pad} .toolbar-wrap input[type=range]")
    expect(size).to_be_visible()
    shown = size.bounding_box()
    assert shown["x"] >= 0 and shown["x"] + shown["width"] <= PHONE["width"], shown
    screenshot(page, f"phone-{pad}-tools")
    page.close()


@pytest.mark.parametrize("dataset", ["mnist", "fashion-mnist"])
def test_the_page_decoder_matches_torch_on_random_codes(page: Page, dataset: str) -> None:
    model = load_pretrained(VAE, WEIGHTS_DIR / f"{dataset}-vae")
    codes = torch.randn(20, model.config.latent_dim, generator=torch.Generator().manual_seed(0)) * 1.5
    in_page = page.evaluate(
        """async ([url, codes]) => {
          const decoder = await window.VaeDecoder.loadDecoder(url);
          return codes.map((z) => Array.from(decoder.decode(z).values));
        }""",
        [static_url(WEIGHTS_DIR / f"{dataset}-vae" / DECODER_FILE), codes.tolist()],
    )
    in_page = np.asarray(in_page).reshape(20, 1, 28, 28)
    rounded = copy.deepcopy(model)  # the weights the page has: float16
    with torch.no_grad():
        for parameter in rounded.decoder.parameters():
            parameter.copy_(parameter.half().float())
        assert (
            np.abs(in_page - rounded.decode_pixels(codes).numpy()).max() < 1e-4
        )  # float32 sums in any order
        assert np.abs(in_page - model.decode_pixels(codes).numpy()).max() < 1 / 255  # within float16 rounding


def test_without_the_decoder_the_page_shows_the_servers_digit_and_says_so(
    browser: Browser, app_url: str, decode: ServerDecode
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.route(f"**/{DECODER_FILE}", lambda route: route.fulfill(status=404))
    page.goto(app_url)
    expect(page.locator(".decoder-note")).to_contain_text("the server draws the digit")
    server_digit = page.locator("#digit img")
    expect(server_digit).to_be_visible(timeout=30_000)
    expect(page.locator("#digit-canvas")).to_be_hidden()
    before = server_digit.get_attribute("src")
    drag(page, 1, 0.9)
    expect(server_digit).not_to_have_attribute("src", before or "")
    expect(page.locator("#digit-caption")).to_contain_text("to the classifier")
    screenshot(page, "generate-server-fallback")
    page.close()


def test_a_drawing_used_in_the_sliders_is_painted_by_the_page(page: Page, decode: ServerDecode) -> None:
    page.get_by_role("tab", name="Draw").click()
    draw_seven(page)
    # On a just-started server the drawing's answer waits behind the page load's pictures (about 5 s here).
    expect(page.locator("#reconstruction-caption")).to_contain_text("Looks like a 7", timeout=30_000)
    page.get_by_role("button", name="Use in sliders").click()
    expect(slider_value(page, 1)).not_to_have_value("0")
    expect_painted_as_server_decodes(page, decode, "mnist")


def test_typed_values_and_arrow_keys_get_a_new_reading(page: Page, decode: ServerDecode) -> None:
    generator = Generator.from_folder()
    caption = page.locator("#digit-caption")
    before = caption.inner_text()
    box = slider_value(page, 2)
    box.fill("-2.5")
    box.press("Enter")  # typed: no pointer is released, yet the reading must follow
    values = [0.0, -2.5] + [0.0] * (LATENT_DIM - 2)
    expected = generator.decode(*values)[1]
    assert expected != before, "choose a value whose reading differs"
    expect(caption).to_have_text(expected)
    expect_painted_as_server_decodes(page, decode, "mnist")
    page.get_by_label("range slider for z1", exact=True).focus()
    page.keyboard.press("End")  # the arrow and End keys move a slider without a pointer, too
    expect(slider_value(page, 1)).to_have_value("3")
    moved = generator.decode(3.0, *values[1:])[1]
    assert moved != expected, "choose a key whose reading differs"
    expect(caption).to_have_text(moved)
    box.fill("7")  # beyond the slider's ±3: kept to 3 as a drag would be, not sent on to fail
    box.press("Enter")
    expect(box).to_have_value("3")
    clamped = generator.decode(3.0, 3.0, *values[2:])[1]
    assert clamped != moved, "choose a value whose reading differs"
    expect(caption).to_have_text(clamped)
    page.locator("#slider-z1").get_by_role("button").click()  # z1's reset, which releases nothing
    expect(slider_value(page, 1)).to_have_value("0")
    expect(caption).to_have_text(generator.decode(0.0, 3.0, *values[2:])[1])
    no_error_toast(page)


def test_use_in_sliders_with_an_empty_pad_says_so_and_keeps_the_sliders(page: Page) -> None:
    page.get_by_label("Seed (-1: a new one each time)").fill("7")
    page.get_by_role("button", name="Random sample").click()
    expect(slider_value(page, 1)).not_to_have_value("0")
    values = slider_values(page)
    page.get_by_role("tab", name="Draw").click()
    page.get_by_role("button", name="Use in sliders").click()
    expect(page.locator("#draw-message")).to_have_text(
        "Draw on the pad first: Use in sliders copies a drawing's μ."
    )
    expect(page.get_by_role("tab", name="Draw")).to_have_attribute("aria-selected", "true")
    page.get_by_role("tab", name="Generate").click()
    assert slider_values(page) == values
    no_error_toast(page)


def pixels_covered(shown: np.ndarray, expected: np.ndarray, top: int) -> int:
    """How many of the digit's pixels differ in a screenshot of its canvas whose picture starts at row
    top (a canvas at a fractional position gives a screenshot a row taller, the picture at row 0 or 1)."""
    rows, columns = min(len(shown) - top, len(expected)), min(shown.shape[1], expected.shape[1])
    return int((np.abs(shown[top : top + rows, :columns].astype(int) - expected[:rows, :columns]) > 60).sum())


def test_on_a_desktop_the_digit_stays_in_view_beside_the_last_slider(browser: Browser, app_url: str) -> None:
    page = open_app(browser, app_url, width=1280, height=720)
    # As a visitor scrolling down reaches it: the last slider coming in at the bottom of the screen.
    page.locator("#slider-z16").evaluate("(slider) => slider.scrollIntoView({ block: 'end' })")
    slider = page.get_by_label("range slider for z16", exact=True).bounding_box()
    canvas = page.locator("#digit-canvas").bounding_box()
    assert canvas["y"] >= 0 and canvas["y"] + canvas["height"] <= 720  # the whole digit on screen
    assert slider["y"] + slider["height"] <= 720
    digit = painted(page)
    bottom = page.evaluate("document.documentElement.scrollHeight - innerHeight")
    for y in range(0, bottom + 1, 50):  # all the way down, the controls under the digit pass beneath it
        page.evaluate(f"window.scrollTo(0, {y})")
        shown = np.asarray(Image.open(io.BytesIO(page.locator("#digit-canvas").screenshot())).convert("L"))
        expected = np.kron(digit, np.ones((10, 10), np.uint8))  # the 28x28 canvas shown at 280 px
        covered = min(pixels_covered(shown, expected, top) for top in (0, 1))
        assert covered < 0.002 * 280 * 280, f"at {y} px down, {covered} digit pixels covered"
    page.locator("#slider-z16").evaluate("(slider) => slider.scrollIntoView({ block: 'end' })")
    screenshot(page, "desktop-digit-beside-z16")
    page.close()


def test_on_a_desktop_the_panel_that_stays_in_view_covers_no_control(browser: Browser, app_url: str) -> None:
    page = open_app(browser, app_url, width=1280, height=720)
    covered = """() => {
      const panel = document.querySelector("#digit-column").getBoundingClientRect();
      const controls = [...document.querySelectorAll("button, input, textarea, select, summary, a[href]")]
        .filter((control) => !control.closest("#digit-column") && control.checkVisibility());
      return controls.filter((control) => {
        const box = control.getBoundingClientRect();
        return box.width > 1 && box.height > 1 && box.left < panel.right && box.right > panel.left
          && box.top < panel.bottom && box.bottom > panel.top;
      }).map((control) => control.outerHTML.slice(0, 80));
    }"""
    bottom = page.evaluate("document.documentElement.scrollHeight - innerHeight")
    for y in range(0, bottom + 1, 60):
        page.evaluate(f"window.scrollTo(0, {y})")
        assert page.evaluate(covered) == [], f"at {y} px down"
    page.close()


def test_a_first_visit_paints_the_origin_before_it_asks_for_the_decoder(
    browser: Browser, app_url: str, decode: ServerDecode
) -> None:
    """The server's PNG of z = 0, a few hundred bytes, is the first digit; the 1.7 MB decoder follows."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.add_init_script(
        """window.firstDigit = null;
        window.addEventListener("digit-painted", () => {
          if (window.firstDigit) return;
          const canvas = document.querySelector("#digit-canvas");
          const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
          const resources = performance.getEntriesByType("resource");
          const decoders = resources.filter((entry) => entry.name.endsWith(".safetensors"));
          const grey = Array.from(data.filter((_, i) => i % 4 === 0));
          window.firstDigit = { grey, decoders: decoders.length };
        });"""
    )
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(app_url)
    expect(page.locator("html")).to_have_class(re.compile(r"\bvae-decodes-in-page\b"), timeout=30_000)
    first = page.evaluate("window.firstDigit")
    assert first["decoders"] == 0
    origin = [i for i, url in enumerate(requested) if url.endswith(ORIGIN_FILE)]
    decoder = [i for i, url in enumerate(requested) if url.endswith(DECODER_FILE)]
    assert len(origin) == 1 and len(decoder) == 1 and origin[0] < decoder[0]
    server = decode("mnist", [0.0] * LATENT_DIM)
    assert np.array_equal(np.asarray(first["grey"], np.uint8).reshape(server.shape), server)
    expect_painted_as_server_decodes(page, decode, "mnist")  # then the decoder's own paint of z = 0
    page.close()


def test_only_the_shown_datasets_decoder_is_fetched_and_the_other_on_switching(
    browser: Browser, app_url: str
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    fetched: list[str] = []
    page.on("request", lambda request: DECODER_FILE in request.url and fetched.append(request.url))
    page.goto(app_url)
    expect(page.locator("html")).to_have_class(re.compile(r"\bvae-decodes-in-page\b"), timeout=30_000)
    expect(page.locator("#digit-caption")).to_contain_text("to the classifier", timeout=30_000)
    assert len(fetched) == 1 and fetched[0].endswith(static_url(WEIGHTS_DIR / "mnist-vae" / DECODER_FILE))
    page.get_by_label("Fashion-MNIST clothes").check()
    until(page, lambda: len(fetched) == 2, "the Fashion-MNIST decoder was not fetched on switching")
    assert fetched[1].endswith(static_url(WEIGHTS_DIR / "fashion-mnist-vae" / DECODER_FILE))
    page.close()
