"""Links that carry the page's whole state, and the guided tour, in a real browser: each key restores
its state, the address follows the page, a hostile link changes nothing, and every tour step sets its
state and keeps its words on screen beside what it points at, on a desktop and on a phone."""

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, expect

from playground.generate import Generator
from tests.conftest import (
    LATENT_DIM,
    ServerDecode,
    expect_painted_as_server_decodes,
    no_error_toast,
    open_app,
    require_chromium,
    screenshot,
    slider_value,
    slider_values,
    until,
)
from ui.page import script_ready
from ui.tour import steps
from vae.weights import WEIGHTS_DIR

require_chromium()

TOUR = steps(WEIGHTS_DIR)


def selected_tab(page: Page) -> str:
    return page.locator('button[role="tab"][aria-selected="true"]').get_attribute("data-tab-id")


def checked(page: Page, elem_id: str) -> str:
    return page.locator(f"#{elem_id} input[type=radio]:checked").get_attribute("value")


def test_the_tab_and_dataset_of_a_link_are_restored(browser: Browser, app_url: str) -> None:
    page = open_app(browser, app_url + "#tab=latent&dataset=fashion-mnist")
    expect(page.locator('button[role="tab"][data-tab-id="latent"]')).to_have_attribute(
        "aria-selected", "true"
    )
    expect(page.locator("#dataset input[value='fashion-mnist']")).to_be_checked()
    expect(page.locator("#map-legend")).to_contain_text("ankle boot")
    no_error_toast(page)
    page.close()


def test_hide_dataset_hides_the_selector_only(browser: Browser, app_url: str) -> None:
    page = open_app(browser, app_url + "#hide=dataset")
    expect(page.locator("#dataset")).to_be_hidden()
    expect(page.locator("#sliders")).to_be_visible()
    expect(page.get_by_role("tab", name="Train")).to_be_visible()
    page.close()


def test_explanations_open_from_the_keyboard_and_a_link_can_hide_them(browser: Browser, app_url: str) -> None:
    page = open_app(browser, app_url)
    intro = page.locator("#intro details.help")
    expect(intro).not_to_have_attribute("open", "")
    expect(intro.get_by_text("A VAE squeezes each 28x28 image")).to_be_hidden()
    intro.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(intro.get_by_text("A VAE squeezes each 28x28 image")).to_be_visible()
    expect(page.locator("#sampler-note details.figures summary")).to_have_text("What each sampler measured")
    page.close()
    page = open_app(browser, app_url + "#hide=help")
    expect(page.locator("#intro summary")).to_be_hidden()
    expect(page.locator("details.help")).not_to_have_count(0)
    for folded in page.locator("details.help").all():
        expect(folded).to_be_hidden()
    expect(page.locator("#sampler-note summary")).to_be_visible()  # figures stay: only help text goes
    expect(page.locator("#sliders")).to_be_visible()
    page.close()


def test_every_other_key_restores_its_setting(browser: Browser, app_url: str) -> None:
    z = [round(0.1 * i - 0.8, 2) for i in range(16)]
    link = (
        f"#dataset=mnist&z={','.join(f'{v:.2f}' for v in z)}&sampler=prior&temperature=0.5&seed=7"
        "&beta=3&epochs=5&train_seed=2&map=holes&compare=gaussian&hide=sampler,z3-z16,train,tabs"
    )
    page = open_app(browser, app_url + link)
    for i in (1, 2):
        expect(slider_value(page, i)).to_have_value(f"{z[i - 1]:g}")
    expect(page.locator("#slider-z2")).to_be_visible()
    for i in range(3, 17):
        expect(page.locator(f"#slider-z{i}")).to_be_hidden()
    expect(page.locator("#sampler")).to_be_hidden()
    assert checked(page, "sampler") == "prior"
    expect(page.locator("#temperature input[type=number]")).to_have_value("0.5")
    expect(page.locator("#seed input")).to_have_value("7")
    expect(page.locator(".tab-wrapper")).to_be_hidden()
    expect(page.locator('button[role="tab"][data-tab-id="train"]')).to_be_hidden()
    page.evaluate("document.documentElement.classList.remove('vae-hide-tabs')")  # to reach the other tabs
    page.get_by_role("tab", name="Latent space").click()
    expect(page.locator("#map-view input[value='holes']")).to_be_checked()
    expect(page.locator("#holes-caption")).to_contain_text("land in a hole")
    expect(page.locator("#compare-sampler input[value='gaussian']")).to_be_checked()
    expect(page.locator("#compare-caption")).to_contain_text("These 64 codes from one Gaussian fitted")
    page.evaluate("document.documentElement.classList.remove('vae-hide-train')")
    page.get_by_role("tab", name="Train").click()
    expect(page.locator("#train-beta input[type=number]")).to_have_value("3")
    expect(page.locator("#train-epochs input[type=number]")).to_have_value("5")
    expect(page.locator("#train-seed input")).to_have_value("2")
    no_error_toast(page)
    page.close()


def test_a_link_can_open_the_tour_at_a_step(browser: Browser, app_url: str) -> None:
    page = open_app(browser, app_url + "#tour=3")
    expect(page.locator(".tour")).to_contain_text(f"Step 3 of {len(TOUR)}")
    expect(page.locator("#tour-title")).to_have_text(TOUR[2]["title"])
    expect(page.locator('button[role="tab"][data-tab-id="draw"]')).to_have_attribute("aria-selected", "true")
    page.close()


def test_the_address_follows_the_page_and_copy_link_copies_it(browser: Browser, app_url: str) -> None:
    page = open_app(browser, app_url)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.locator("#sampler").get_by_label("one Gaussian fitted to the training codes").check()
    page.get_by_label("Seed (-1: a new one each time)").fill("11")
    page.get_by_label("Seed (-1: a new one each time)").press("Enter")
    page.get_by_role("tab", name="Draw").click()
    page.wait_for_function("() => location.hash.includes('tab=draw') && location.hash.includes('seed=11')")
    assert "sampler=gaussian" in page.evaluate("location.hash")
    page.locator("#copy-page-link").click()
    expect(page.locator("#copy-page-link")).to_have_text("Link copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.url
    reopened = open_app(browser, copied)
    assert selected_tab(reopened) == "draw" and checked(reopened, "sampler") == "gaussian"
    expect(reopened.get_by_label("Seed (-1: a new one each time)")).to_have_value("11")
    reopened.close()
    page.close()


HOSTILE = [
    "#dataset=%3Cscript%3Ealert(1)%3C/script%3E&tab=javascript:alert(1)&hide=%3Cimg%20src=x%20onerror=alert(1)%3E",
    "#z="
    + ",".join(["NaN"] * 16)
    + "&temperature=NaN&seed=Infinity&beta=1e999&epochs=-3&tour=-5&map=__proto__",
    "#z=" + ",".join(["1"] * 20_000) + "&sampler=" + quote("');alert(1);//"),
]


@pytest.mark.parametrize("link", HOSTILE, ids=["script", "nan", "huge"])
def test_a_hostile_link_changes_nothing_and_opens_no_dialog(
    browser: Browser, app_url: str, link: str
) -> None:
    dialogs: list[str] = []
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(app_url + link)
    expect(page.locator("html")).to_have_class(re.compile(r"\bvae-decodes-in-page\b"), timeout=30_000)
    expect(page.locator("#digit-caption")).to_contain_text("to the classifier", timeout=30_000)
    expect(page.locator("#dataset input[value='mnist']")).to_be_checked()
    for i in (1, 16):
        expect(slider_value(page, i)).to_have_value("0")
    assert checked(page, "sampler") == "mixture" and selected_tab(page) == "generate"
    expect(page.locator("#temperature input[type=number]")).to_have_value("1")
    expect(page.locator(".tour")).to_have_count(0)
    expect(page.locator("#dataset")).to_be_visible()
    page.get_by_label("Seed (-1: a new one each time)").fill("3")
    page.get_by_role("button", name="Random sample").click()
    expect(slider_value(page, 1)).not_to_have_value("0")  # the page still works
    assert dialogs == [] and page.locator("img[src='x']").count() == 0
    no_error_toast(page)
    page.close()


def overlapping(a: dict, b: dict) -> bool:
    return a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]


def expect_step_on_screen(page: Page, number: int, width: int, height: int) -> None:
    """The step's words fully on screen, and beside (never over) what the step points at."""
    box = page.locator(".tour")
    expect(box).to_contain_text(f"Step {number} of {len(TOUR)}")
    expect(page.locator("#tour-title")).to_have_text(TOUR[number - 1]["title"])
    target = page.locator(".tour-target")
    expect(target).to_have_count(1, timeout=30_000)  # some targets wait for the server's answer
    # The page scrolls the target into place while the tab is drawn (and again as images above it arrive,
    # which move it): both boxes are read at one instant, once the target is above the words.
    shown, pointed = page.wait_for_function(
        """() => { const t = document.querySelector(".tour-target").getBoundingClientRect();
                   const b = document.querySelector(".tour").getBoundingClientRect();
                   const box = (r) => ({x: r.x, y: r.y, width: r.width, height: r.height});
                   return t.bottom <= b.top && t.top >= 0 && [box(b), box(t)]; }"""
    ).json_value()
    assert shown["x"] >= 0 and shown["y"] >= 0
    assert shown["x"] + shown["width"] <= width and shown["y"] + shown["height"] <= height
    assert not overlapping(shown, pointed)


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_the_tour_sets_each_steps_state_and_keeps_its_words_on_screen(
    browser: Browser, app_url: str, width: int, height: int
) -> None:
    mobile = {"has_touch": True, "is_mobile": True} if width < 500 else {}
    # A visitor who chose another sampler for the comparison: the step about N(0, I) sets it back.
    page = open_app(browser, app_url + "#compare=mixture", width=width, height=height, **mobile)
    page.locator("#take-tour").click()
    next_button = page.locator(".tour-next")
    expect(next_button).to_be_focused()  # keyboard users start on it
    for number, step in enumerate(TOUR, start=1):
        expect_step_on_screen(page, number, width, height)
        expect(page.locator(f'button[role="tab"][data-tab-id="{step["tab"]}"]')).to_have_attribute(
            "aria-selected", "true"
        )
        for i, value in enumerate(step["state"].get("z", [])[:3], start=1):
            expect(slider_value(page, i)).to_have_value(f"{value:g}")
        if "map" in step["state"]:
            expect(page.locator(f"#map-view input[value='{step['state']['map']}']")).to_be_checked()
        if "drawn from N(0, I)" in step["text"]:  # the sampler the words name, whatever the visitor chose
            expect(page.locator("#compare-sampler input[value='prior']")).to_be_checked()
            # The server redraws the comparison for that sampler: over 5 s on a just-started server.
            caption = page.locator("#compare-caption")
            expect(caption).to_contain_text("These 64 codes from the prior N(0, I)", timeout=30_000)
        if "beta" in step["state"]:
            expect(page.locator("#train-beta input[type=number]")).to_have_value(f"{step['state']['beta']:g}")
        if step.get("action") == "#load-example":
            expect(page.locator("#model-input img")).to_be_visible()
            expect(page.locator("#reconstruction-caption")).to_contain_text("Looks like a 7")
        screenshot(page, f"tour-{width}-{number}")
        if "question" in step:
            expect(page.locator(".tour-question")).to_have_text(step["question"])
            expect(page.locator(".tour-answer")).to_be_hidden()
            expect(next_button).to_have_text("Reveal")
            next_button.click()
            expect(page.locator(".tour-answer")).to_have_text(step["answer"])
            if "reveal" in step and "z" in step["reveal"]:
                expect(slider_value(page, 1)).to_have_value(f"{step['reveal']['z'][0]:g}")
            if "reveal" in step and "map" in step["reveal"]:
                expect(page.locator(f"#map-view input[value='{step['reveal']['map']}']")).to_be_checked()
            if step.get("reveal_action") == "#sample-eps":
                expect(page.locator("#eps-arithmetic")).to_contain_text("z1 = μ1 + σ1·ε1 = ")
            expect_step_on_screen(page, number, width, height)
            screenshot(page, f"tour-{width}-{number}-revealed")
        if number < len(TOUR):
            next_button.click()
    expect(next_button).to_have_text("Finish")
    page.locator(".tour-back").click()  # Back: the previous step's state again
    expect(page.locator("#tour-title")).to_have_text(TOUR[-2]["title"])
    expect(page.locator(f"#map-view input[value='{TOUR[-2]['state']['map']}']")).to_be_checked()
    page.keyboard.press("Escape")
    expect(page.locator(".tour")).to_be_hidden()
    expect(page.locator(".tour-target")).to_have_count(0)
    expect(page.locator("#take-tour")).to_be_focused()  # focus back where the tour was opened
    # The visitor's own state back: the tab they were on and their sliders, before they carry on.
    generate_tab = page.locator('button[role="tab"][data-tab-id="generate"]')
    expect(generate_tab).to_have_attribute("aria-selected", "true")
    expect(slider_value(page, 1)).to_have_value("0")
    page.get_by_role("tab", name="Generate").click()
    page.get_by_label("Seed (-1: a new one each time)").fill("5")
    page.get_by_role("button", name="Random sample").click()  # the page is usable after Close
    expect(page.locator("#digit-caption")).to_contain_text("to the classifier")
    page.wait_for_function("() => !location.hash.includes('tour=')")  # the address follows, within 250 ms
    no_error_toast(page)
    page.close()


def test_back_returns_to_the_first_steps_code_after_its_reveal(browser: Browser, app_url: str) -> None:
    page = open_app(browser, app_url)
    page.locator("#take-tour").click()
    page.keyboard.press("ArrowRight")  # Reveal, from the keyboard
    expect(slider_value(page, 1)).to_have_value(f"{TOUR[0]['reveal']['z'][0]:g}")
    page.keyboard.press("ArrowRight")  # on to step 2
    expect(page.locator(".tour")).to_contain_text(f"Step 2 of {len(TOUR)}")
    page.locator(".tour-back").click()
    expect(page.locator(".tour")).to_contain_text(f"Step 1 of {len(TOUR)}")
    expect(slider_value(page, 1)).to_have_value(f"{TOUR[0]['state']['z'][0]:g}")
    page.locator(".tour-close").click()
    expect(page.locator(".tour")).to_be_hidden()
    page.close()


def test_the_example_drawing_is_a_held_out_seven(browser: Browser, app_url: str) -> None:
    page = open_app(browser, app_url + "#tour=3")
    # The pad's drawing is reconstructed once the page load's own chain (every tab's first pictures) ends:
    # on a freshly started server, several seconds.
    expect(page.locator("#reconstruction-caption")).to_contain_text("Looks like a 7", timeout=30_000)
    expect(page.locator(".zrow")).to_have_count(16)
    page.close()


def test_waiting_for_a_page_script_ends_true_once_it_ran_and_false_for_one_that_never_does(
    browser: Browser, app_url: str
) -> None:
    page = open_app(browser, app_url)
    assert page.evaluate(f"() => {script_ready('vaeLinks')}") is True
    started = page.evaluate("() => Date.now()")
    assert page.evaluate(f"() => {script_ready('vaeNeverLoaded', wait_ms=300)}") is False
    assert page.evaluate("() => Date.now()") - started >= 300
    page.close()


def test_random_sample_leaves_the_dimensions_a_link_hides_at_zero(
    browser: Browser, app_url: str, decode: ServerDecode
) -> None:
    """A two-dimension lesson (hide=z3-z16): the digit and its reading depend on z1 and z2 alone."""
    page = open_app(browser, app_url + "#seed=5&hide=z3-z16")
    generator = Generator.from_folder()
    drawn = generator.random_values(1.0, 5, "mixture")
    values = drawn[:2] + [0.0] * (LATENT_DIM - 2)
    assert drawn[2:] != values[2:], "seed 5 draws codes the link's hiding has to zero"
    page.locator("#random-sample").click()
    # Gradio sets the sliders one after another: wait for all of them, not the first that moves.
    until(page, lambda: slider_values(page) == values, "Random sample sets z1 and z2 and zeroes the rest")
    expect_painted_as_server_decodes(page, decode, "mnist")
    expect(page.locator("#digit-caption")).to_contain_text(generator.decode(*values)[1])
    page.close()


def test_ending_the_tour_gives_the_visitor_their_own_state_back(browser: Browser, app_url: str) -> None:
    """A Fashion-MNIST visitor at β = 2: the tour sets MNIST, then β = 10; Close gives back both."""
    page = open_app(browser, app_url + "#dataset=fashion-mnist&beta=2")
    page.locator("#take-tour").click()
    beta_step = next(number for number, step in enumerate(TOUR, start=1) if "beta" in step["state"])
    while f"Step {beta_step} of" not in page.locator(".tour-count").inner_text():
        page.keyboard.press("ArrowRight")
    expect(page.locator("#train-beta input[type=number]")).to_have_value("10")
    expect(page.locator("#dataset input[value=mnist]")).to_be_checked()
    page.locator(".tour-close").click()
    expect(page.locator("#dataset input[value=fashion-mnist]")).to_be_checked()
    expect(page.locator("#train-beta input[type=number]")).to_have_value("2")
    page.wait_for_function("() => location.hash.includes('beta=2') && !location.hash.includes('tour=')")
    assert "dataset=fashion-mnist" in page.evaluate("location.hash")
    expect(page.locator("#take-tour")).to_be_focused()
    page.close()


def test_opening_another_tab_during_the_tour_ends_it_there(browser: Browser, app_url: str) -> None:
    page = open_app(browser, app_url)
    page.locator("#take-tour").click()
    expect(page.locator(".tour-target")).to_have_count(1)
    page.get_by_role("tab", name="Train").click()
    expect(page.locator(".tour")).to_be_hidden()
    expect(page.locator(".tour-target")).to_have_count(0)
    expect(page.get_by_role("tab", name="Train")).to_have_attribute("aria-selected", "true")
    page.wait_for_function("() => location.hash.includes('tab=train') && !location.hash.includes('tour=')")
    page.close()
