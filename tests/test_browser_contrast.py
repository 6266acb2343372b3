"""Every piece of text on every tab, in the light and the dark theme, at WCAG AA contrast against what
is behind it (4.5:1, or 3:1 for large text), as the browser computes the colours."""

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import TABS, open_app, require_chromium

require_chromium()

# For each element with text of its own, shown: its colour against the first ancestor background
# that is opaque enough to be what the reader sees behind it, by WCAG's relative luminance.
LOW_CONTRAST_JS = """
() => {
  const rgba = (colour) => {
    const [r, g, b, a = 1] = colour.match(/[\\d.]+/g).map(Number);
    return {r, g, b, a};
  };
  const luminance = ({r, g, b}) => {
    const channel = (v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const behind = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const colour = rgba(getComputedStyle(e).backgroundColor);
      if (colour.a > 0.5) return colour;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const low = [];
  for (const element of document.body.querySelectorAll('*')) {
    const own = [...element.childNodes].filter((node) => node.nodeType === Node.TEXT_NODE);
    const text = own.map((node) => node.textContent.trim()).join(' ').trim();
    const style = getComputedStyle(element);
    if (!text || element.offsetParent === null || style.visibility === 'hidden') continue;
    const [light, dark] = [luminance(rgba(style.color)), luminance(behind(element))].sort((a, b) => b - a);
    const ratio = (light + 0.05) / (dark + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (Number(style.fontWeight) >= 700 && size >= 18.66);
    if (ratio < (large ? 3 : 4.5)) low.push(`${ratio.toFixed(2)}:1 "${text.slice(0, 40)}"`);
  }
  return low;
}
"""


def low_contrast_on_each_tab(page: Page) -> dict[str, list[str]]:
    found = {}
    for tab, (element, text) in TABS.items():
        page.get_by_role("tab", name=tab).click()
        expect(page.locator(element)).to_contain_text(text, timeout=30_000)
        # A sketch pad's hint before the page picks its brush, gone once the tab has done so.
        expect(page.get_by_text("select the draw tool to start").filter(visible=True)).to_have_count(0)
        found[tab] = page.evaluate(LOW_CONTRAST_JS)
    return found


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_text_on_every_tab_meets_aa_contrast(browser: Browser, app_url: str, theme: str) -> None:
    page = open_app(browser, app_url + ("?__theme=dark" if theme == "dark" else ""), color_scheme=theme)
    assert low_contrast_on_each_tab(page) == {tab: [] for tab in TABS}
    page.close()
