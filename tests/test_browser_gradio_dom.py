"""The parts of Gradio's own page that the app's CSS and scripts rely on, listed, and checked against the
rendered page: a Gradio upgrade that renames one fails here by name, rather than quietly unstyling a
phone layout or stopping a link from restoring. A second check keeps the list whole: every class or
attribute of Gradio's that ui/style.css, ui/static/*.js or the page's Python-made CSS and JS name is in it."""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import LATENT_DIM, open_app, require_chromium
from ui import generate, links, widgets
from ui.page import FOLDS

require_chromium()

UI = Path(__file__).resolve().parent.parent / "ui"


class Relied(NamedTuple):
    selector: str  # must match at least one element of the rendered page
    tab: str  # the tab it is looked for on, after that tab's setup
    by: str  # what relies on it


RELIED_ON = [
    Relied(".gradio-container", "generate", "style.css: overflow clip, so the digit can stick"),
    Relied("#sliders > .form", "generate", "style.css: two sliders a row on a phone"),
    Relied("#sliders input[type=range]", "generate", "links.js current(), generate.js followDrag"),
    Relied(".block input[type=number]", "generate", "generate.js keepInRange: a slider's number box"),
    Relied(
        '#sliders [data-testid="reset-button"]', "generate", "generate.js: a slider's ↺ out of the tab order"
    ),
    Relied("#sampler input[type=radio]:checked", "generate", "links.js shownValue: a radio's value"),
    Relied("#seed input[type=number]", "generate", "links.js shownValue: a number's value"),
    Relied('button[role="tab"][data-tab-id="latent"]', "generate", "links.js selectTab, hide_css"),
    Relied('button[role="tab"][aria-selected="true"]', "generate", "links.js current(): the open tab"),
    Relied(".tab-wrapper", "generate", "hide_css: hide=tabs"),
    Relied(".tab-container button", "generate", "style.css: all five tabs in a phone's tab bar"),
    Relied('#sample-grid [data-testid="block-label"]', "generate", "style.css: labels above pictures"),
    Relied("#ae-grid .image-container", "latent", "style.css: buttons on the label's row"),
    Relied("#latent-map img", "latent", "latent.js: the hover; style.css: its cursor and touch"),
    Relied('.pad button[aria-label="Brush"]', "draw", "widgets.PICK_BRUSH_JS: the brush is picked"),
    Relied('.pad button[aria-label="Brush"].highlight', "draw", "widgets.PICK_BRUSH_JS: which is picked"),
    Relied(".pad .toolbar-wrap .half-container", "draw", "style.css: a phone pad's tools in a row"),
    Relied(".pad .toolbar-wrap .half-container > .wrap", "draw", "style.css: the brush size above them"),
    Relied("#morph-strip .image-frame", "interpolate", "style.css: the phone strip scrolls sideways"),
    Relied("#morph-strip .image-container img", "interpolate", "style.css: the phone strip's height"),
    Relied("#sweep-gallery .grid-wrap", "train", "style.css: the sweep's maps without a fixed height"),
    Relied("#sweep-gallery .grid-container", "train", "style.css: three maps a row on a phone"),
    Relied(".dark", "dark", "style.css: the dark theme's accent, the lighter orange"),
]
TAB_NAMES = {"generate": "Generate", "draw": "Draw", "interpolate": "Interpolate", "latent": "Latent space"}
TAB_NAMES |= {"train": "Train"}
# The attributes the app sets on its own elements; every other attribute a selector names is Gradio's.
OWN_ATTRIBUTES = {"data-map", "data-z", "hidden"}


def own_classes() -> set[str]:
    """The class names the app writes itself: in its HTML, elem_classes and scripts."""
    made_by = [
        *UI.glob("*.py"),
        *UI.glob("static/*.js"),
        UI.parent / "app.py",
        *UI.parent.glob("playground/*.py"),
    ]
    sources = [path.read_text() for path in made_by]
    names: set[str] = set(FOLDS)
    for text in sources:
        for found in re.findall(r"class(?:Name)?\s*=\s*[\"'`]([^\"'`]+)[\"'`]", text):
            names |= set(found.split())
        names |= set(re.findall(r"classList\.(?:add|remove|toggle)\(\s*[\"'`]([\w-]+)", text))
        for listed in re.findall(r"elem_classes=\[([^\]]*)\]", text):
            names |= set(re.findall(r"\"([\w-]+)\"", listed))
    return names


def selectors_in_use() -> list[str]:
    """Every selector the page's CSS and scripts use: style.css's rules, the rules made in Python (hide=,
    what waits for the sliders), and the strings the scripts query or match against."""
    css = re.sub(r"/\*.*?\*/", "", (UI / "style.css").read_text(), flags=re.S)
    css += links.hide_css(LATENT_DIM) + generate.arrival_css(LATENT_DIM)
    found = [rule for rule in re.findall(r"([^{}]+)\{", css) if not rule.strip().startswith("@")]
    scripts = [path.read_text() for path in UI.glob("static/*.js")] + [widgets.PICK_BRUSH_JS]
    query = r"(?:querySelector(?:All)?|closest)\(\s*([\"'`])(.*?)\1"
    found += [selector for text in scripts for _, selector in re.findall(query, text)]
    return found


def test_every_gradio_class_and_attribute_the_page_names_is_in_the_list() -> None:
    listed = " ".join(relied.selector for relied in RELIED_ON)
    own = own_classes()
    missing = set()
    for selector in selectors_in_use():
        selector = re.sub(r"\$\{[^}]*\}", "x", selector)  # a script's template: its fixed parts
        classes = set(re.findall(r"\.(-?[_a-zA-Z][\w-]*)", selector))
        gradio = {f".{name}" for name in classes - own if not name.startswith(("vae-", "tour"))}
        attributes = set(re.findall(r"\[([\w-]+)", selector)) - OWN_ATTRIBUTES
        missing |= {token for token in gradio if not re.search(re.escape(token) + r"\b", listed)}
        missing |= {f"[{name}" for name in attributes if f"[{name}" not in listed}
    assert not missing, f"Gradio's DOM named by the page but not in RELIED_ON: {sorted(missing)}"


@pytest.fixture(scope="module")
def tabs_seen(browser: Browser, app_url: str) -> Iterator[dict[str, dict[str, int]]]:
    """For each tab, after what the page has to do for some parts to exist (a strip interpolated, the
    brush size opened), how many elements each listed selector matches; and for "dark", the page in
    the dark theme."""
    page = open_app(browser, app_url)
    seen: dict[str, dict[str, int]] = {}
    for tab, name in TAB_NAMES.items():
        page.get_by_role("tab", name=name, exact=True).click()
        set_up(page, tab)
        seen[tab] = matches(page, tab)
    page.close()
    dark = open_app(browser, app_url + "?__theme=dark", color_scheme="dark")
    seen["dark"] = matches(dark, "dark")
    dark.close()
    yield seen


def matches(page: Page, tab: str) -> dict[str, int]:
    """How many elements each selector listed for tab matches on the page."""
    selectors = [relied.selector for relied in RELIED_ON if relied.tab == tab]
    return page.evaluate(
        "(all) => Object.fromEntries(all.map((s) => [s, document.querySelectorAll(s).length]))", selectors
    )


def set_up(page: Page, tab: str) -> None:
    """What a tab needs before all its listed parts are on the page."""
    if tab == "draw":
        expect(page.locator('#sketch button[aria-label="Brush"]')).to_be_visible()
        page.locator("#sketch").get_by_role("button", name="Brush Size").click()
        expect(page.locator("#sketch .toolbar-wrap input[type=range]")).to_be_visible()
    elif tab == "interpolate":
        page.get_by_role("button", name="Interpolate", exact=True).click()
        expect(page.locator("#morph-strip img")).to_be_visible(timeout=30_000)
    elif tab == "latent":
        expect(page.locator("#ae-grid img")).to_be_visible(timeout=30_000)
    elif tab == "train":
        expect(page.locator("#sweep-gallery img").first).to_be_visible(timeout=30_000)


@pytest.mark.parametrize("relied", RELIED_ON, ids=[relied.selector for relied in RELIED_ON])
def test_each_part_of_gradios_page_the_app_relies_on_is_rendered(
    tabs_seen: dict[str, dict[str, int]], relied: Relied
) -> None:
    assert tabs_seen[relied.tab][relied.selector] > 0, f"{relied.selector} is gone; relied on by {relied.by}"
