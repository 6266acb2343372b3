"""What a visitor who uses a screen reader or a keyboard meets: an axe-core audit of every tab and the
tour, a text for every figure, focus that shows, and a drawing given without a mouse or a finger."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.conftest import LATENT_DIM, TABS, open_app, require_chromium

require_chromium()


def gradios_own(node: dict) -> bool:
    """Gradio's own markup, not the app's: its footer, and the box an image or plot shows while empty
    (a div with an aria-label and no role). Everything else that axe finds serious or critical fails."""
    return "footer" in " ".join(node["target"]) or 'aria-label="Empty value"' in node["html"]


def open_tab(page: Page, tab: str) -> None:
    page.get_by_role("tab", name=tab).click()
    element, text = TABS[tab]
    expect(page.locator(element)).to_contain_text(text, timeout=30_000)


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page, each rule with the elements it names."""
    found = []
    for violation in Axe().run(page).response["violations"]:
        if violation["impact"] not in ("serious", "critical"):
            continue
        ours = [" ".join(node["target"]) for node in violation["nodes"] if not gradios_own(node)]
        if ours:
            found.append(f"{violation['id']}: {ours}")
    return found


def test_axe_finds_nothing_serious_in_the_apps_own_markup_on_any_tab_or_the_tour(
    browser: Browser, app_url: str
) -> None:
    page = open_app(browser, app_url)
    found = {}
    for tab in TABS:
        open_tab(page, tab)
        found[tab] = serious_violations(page)
    page.get_by_role("tab", name="Generate").click()
    page.locator("#take-tour").click()
    expect(page.locator(".tour")).to_be_visible()
    found["the tour"] = serious_violations(page)
    assert found == {place: [] for place in [*TABS, "the tour"]}
    page.close()


def test_every_figure_says_what_it_shows(browser: Browser, app_url: str) -> None:
    page = open_app(browser, app_url)
    silent = {}
    for tab in TABS:
        open_tab(page, tab)
        silent[tab] = page.evaluate(
            """() => [...document.querySelectorAll('.gradio-container img[src]')]
                .filter((img) => img.offsetParent !== null && !img.closest('footer'))
                .filter((img) => !(img.getAttribute('alt') || '').trim())
                .map((img) => img.closest('[id]')?.id || img.src.slice(-40))"""
        )
    assert silent == {tab: [] for tab in TABS}
    canvas = page.locator("#digit-canvas")
    described_by = canvas.get_attribute("aria-describedby")
    expect(page.locator(f"#{described_by}")).to_contain_text("to the classifier")
    page.close()


@pytest.mark.parametrize(
    "control",
    [
        "#slider-z1 input[type=range]",
        "#slider-z1 input[type=number]",
        "#sampler input[type=radio]",
        "#random-sample",
    ],
)
def test_focus_shows_on_every_kind_of_control(browser: Browser, app_url: str, control: str) -> None:
    page = open_app(browser, app_url)
    page.locator(control).first.focus()
    page.keyboard.press("Shift+Tab")  # focus by keyboard, as :focus-visible asks
    page.keyboard.press("Tab")
    outline = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"""
    )
    assert outline[0] != "none" and outline[1] >= 2, (control, outline)
    page.close()


def test_a_drawing_can_be_given_with_the_keyboard_alone(browser: Browser, app_url: str) -> None:
    page = open_app(browser, app_url)
    page.get_by_role("tab", name="Draw").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#draw-message")).to_contain_text("Draw on the pad.", timeout=30_000)
    page.locator("#held-out-index input").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "held-out-button"
    page.keyboard.press("Enter")
    expect(page.locator("#draw-message")).to_contain_text("Reconstruction", timeout=30_000)
    expect(page.locator("#reconstruction-caption")).to_contain_text("Looks like")
    page.close()


def test_bold_words_are_drawn_in_one_font(browser: Browser, app_url: str) -> None:
    """Gradio's bundled semi-bold Source Sans Pro is a stub without most glyphs ("ELʙO"): the page
    declares the regular face alone, which has them all, and draws bold from it."""
    page = open_app(browser, app_url)
    open_tab(page, "Train")
    weights = page.evaluate(
        """() => [...document.fonts].filter((face) => face.family.includes('Source Sans Pro'))
                  .map((face) => face.weight)"""
    )
    assert weights and set(weights) == {"400"}
    page.close()


def test_each_slider_is_two_tab_stops(browser: Browser, app_url: str) -> None:
    """Its range and its number box; the ↺ beside it stays a pointer's shortcut."""
    page = open_app(browser, app_url)
    page.locator("#slider-z1 input[type=range]").focus()
    stops = []
    for _ in range(2 * (LATENT_DIM - 1)):
        page.keyboard.press("Tab")
        stops.append(page.evaluate("() => document.activeElement.getAttribute('aria-label')"))
    assert stops[-1] == f"range slider for z{LATENT_DIM}"
    assert stops[:2] == ["number input for z2", "range slider for z2"]
    page.close()


def test_enter_on_the_latent_map_goes_to_the_point_boxes(browser: Browser, app_url: str) -> None:
    page = open_app(browser, app_url)
    open_tab(page, "Latent space")
    map_button = page.locator("#latent-map button:has(img)")
    expect(map_button).to_have_accessible_name(re.compile("latent space"))
    map_button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#map-z1 input")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("1.5")
    page.keyboard.press("Enter")
    expect(page.locator("#map-caption")).to_contain_text("z = (+1.50,", timeout=30_000)
    page.close()
