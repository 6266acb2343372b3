// The page's address carries its whole state, so a teacher can share one link per idea: the tab, the
// dataset, the sliders' code z, the sampler, temperature and seed, the Train tab's settings, the map's
// view, the comparison's sampler, the tour's step and the controls to hide. The address follows the page as it changes; opening a
// link restores it. A link is read as data only: unknown keys and bad values are dropped, nothing in it
// is ever run or written into the page as HTML. On a Hugging Face Space the parent page's address
// follows too. `window.vaePage` (set in the page's <head>) gives the bounds.
(() => {
  "use strict";

  // The link's schema comes from the server (ui/links.py): its keys in the address's order, the values
  // each may take, and the linked components' keys in the order Gradio hands over their values, each
  // with the element it is read from.
  const schema = () => window.vaePage.links;
  const MAX_LINK = 4000; // characters: a longer address is not a link this page wrote, and is ignored whole
  const MAX_SEED = 2 ** 31 - 1;

  // known: the values last set from a link or step, for controls that are not drawn yet (Gradio draws a
  // tab's components when it is first opened); defaults: the components' values before any link.
  const state = { hidden: [], tour: null, timer: 0, pending: null, known: {}, defaults: null };

  // A number from a link, or undefined where it is not one, not whole where it must be, or out of
  // [low, high]; a code's values are clamped to the sliders' range instead, as a drag would be.
  function bounded(text, low, high, whole, clamp = false) {
    if (typeof text !== "string" || text.length === 0 || text.length > 32) return undefined;
    const value = Number(text);
    if (!Number.isFinite(value) || (whole && !Number.isInteger(value))) return undefined;
    if (clamp) return Math.min(Math.max(value, low), high);
    return value >= low && value <= high ? value : undefined;
  }

  // Names a link may hide: the groups, and single sliders (z3) or runs of them (z3-z16).
  function hideable(name, latentDim) {
    if (schema().hideable.includes(name)) return [name];
    const run = /^z(\d{1,3})(?:-z(\d{1,3}))?$/.exec(name);
    if (!run) return [];
    const first = Number(run[1]), last = Number(run[2] || run[1]);
    if (first < 1 || last > latentDim || first > last) return [];
    return Array.from({ length: last - first + 1 }, (_, i) => `z${first + i}`);
  }

  // The state a hash asks for: known keys with valid values only.
  function parse(hash) {
    const page = window.vaePage;
    const asked = {};
    if (typeof hash !== "string" || hash.length > MAX_LINK) return asked;
    const params = new URLSearchParams(hash.replace(/^#/, ""));
    const get = (key) => params.get(key);
    const { tabs, samplers, mapViews } = schema();
    if (tabs.includes(get("tab"))) asked.tab = get("tab");
    if (Object.keys(page.decoders).includes(get("dataset"))) asked.dataset = get("dataset");
    const z = (get("z") || "").split(",");
    if (z.length === page.latentDim) {
      const values = z.map((v) => bounded(v, -page.sliderRange, page.sliderRange, false, true));
      if (values.every((v) => v !== undefined)) asked.z = values.map((v) => Math.round(v * 100) / 100);
    }
    if (samplers.includes(get("sampler"))) asked.sampler = get("sampler");
    const limits = page.limits;
    const numbers = {
      temperature: bounded(get("temperature"), 0, limits.temperature, false),
      seed: bounded(get("seed"), -1, MAX_SEED, true),
      beta: bounded(get("beta"), 0, limits.beta, false),
      epochs: bounded(get("epochs"), 1, limits.epochs, true),
      train_seed: bounded(get("train_seed"), 0, MAX_SEED, true),
      tour: bounded(get("tour"), 1, (page.tour || []).length, true),
    };
    for (const [key, value] of Object.entries(numbers)) if (value !== undefined) asked[key] = value;
    if (mapViews.includes(get("map"))) asked.map = get("map");
    if (samplers.includes(get("compare"))) asked.compare = get("compare");
    const hide = (get("hide") || "").split(",").slice(0, 64).flatMap((name) => hideable(name, page.latentDim));
    if (hide.length) asked.hide = [...new Set(hide)];
    return asked;
  }

  // The hash for a state; settings at their defaults are left out, the dataset and z always kept.
  function serialise(current) {
    const defaults = state.defaults || {};
    const params = [];
    for (const key of schema().keys) {
      const value = current[key];
      if (value === undefined || value === null) continue;
      if (key !== "dataset" && key !== "z" && defaults[key] === value) continue;
      if (key === "z") params.push(`z=${value.map((v) => Number(v).toFixed(2)).join(",")}`);
      else if (key === "hide") value.length && params.push(`hide=${value.join(",")}`);
      else params.push(`${key}=${encodeURIComponent(value)}`);
    }
    return `#${params.join("&")}`;
  }

  // A linked component's value as the page shows it: its checked radio or its number.
  function shownValue(id) {
    const radio = document.querySelector(`#${id} input[type=radio]:checked`);
    if (radio) return radio.value;
    const number = document.querySelector(`#${id} input[type=number]`);
    return number && number.value !== "" ? Number(number.value) : undefined;
  }

  // What the page shows now, as a link's state.
  function current() {
    const tab = document.querySelector("button[role=tab][aria-selected=true]");
    const shown = { tab: tab ? tab.dataset.tabId : undefined };
    for (const [key, id] of Object.entries(schema().linked)) {
      if (key !== "z") shown[key] = shownValue(id);
      else {
        const z = [...document.querySelectorAll(`#${id} input[type=range]`)].map((range) => Number(range.value));
        shown.z = z.length ? z : undefined;
      }
    }
    const known = { ...state.known };
    for (const [key, value] of Object.entries(shown)) if (value !== undefined) known[key] = value;
    return { ...known, tour: state.tour, hide: state.hidden };
  }

  // The values Gradio holds, in the linked components' order, as a link's state: "z" takes one value
  // per slider, every other key one.
  function asState(values) {
    const dim = window.vaePage.latentDim;
    const result = { tab: "generate" };
    let at = 0;
    for (const key of Object.keys(schema().linked)) {
      result[key] = key === "z" ? values.slice(at, at + dim) : values[at];
      at += key === "z" ? dim : 1;
    }
    return result;
  }

  function hide(names) {
    const root = document.documentElement;
    for (const name of state.hidden) root.classList.remove(`vae-hide-${name}`);
    state.hidden = names || [];
    for (const name of state.hidden) root.classList.add(`vae-hide-${name}`);
  }

  // Gradio may still be setting its tabs up when a link is restored, and take its first tab back:
  // until the tab shows as selected, press it again, for up to two seconds.
  function selectTab(tab, tries = 20) {
    const button = document.querySelector(`button[role=tab][data-tab-id="${tab}"]`);
    if (button && button.getAttribute("aria-selected") === "true") return;
    if (button) button.click();
    if (tries > 0) setTimeout(() => selectTab(tab, tries - 1), 100);
  }

  // At most four address updates a second: browsers throttle faster history changes.
  function changed() {
    // Until Gradio's load event has read the link (restore), the address is the link: leave it alone.
    if (state.timer || !state.defaults) return;
    state.timer = setTimeout(() => {
      state.timer = 0;
      const hash = serialise(current());
      if (hash === location.hash) return;
      history.replaceState(null, "", hash);
      if (window.parent !== window) {
        // On a Hugging Face Space the app is in an iframe: the Space page copies this into its own address.
        window.parent.postMessage({ queryString: location.search, hash }, "https://huggingface.co");
      }
    }, 250);
  }

  // The values for Gradio to set, in the linked components' order: each from the state asked for, or,
  // where it asks nothing, the component's current value (a new dataset starts its code at the origin).
  // The Generate tab paints the code.
  function values(asked, now) {
    const dim = window.vaePage.latentDim;
    const before = asState(now);
    const next = { ...before };
    for (const key of Object.keys(schema().linked)) if (asked[key] !== undefined) next[key] = asked[key];
    if (!asked.z && asked.dataset && asked.dataset !== before.dataset) next.z = new Array(dim).fill(0);
    const result = Object.keys(schema().linked).flatMap((key) => (key === "z" ? next.z : [next[key]]));
    state.known = { ...asState(result), tab: asked.tab || state.known.tab };
    if (window.vaeGenerate) window.vaeGenerate.show(next.dataset, next.z);
    return result;
  }

  // Gradio's load event: the state the page's link asks for. The tab, the hidden controls and the tour
  // are the page's own; the rest goes back to Gradio as the components' values.
  function restore(now) {
    state.defaults = asState(now);
    const asked = parse(location.hash);
    hide(asked.hide);
    if (asked.tab) selectTab(asked.tab);
    if (asked.tour) startTour(asked.tour, 100);
    return values(asked, now);
  }

  // tour.js loads after this script and Gradio's load event may come first: wait for it a while.
  function startTour(step, tries) {
    if (window.vaeTour) window.vaeTour.start(step);
    else if (tries > 0) setTimeout(() => startTour(step, tries - 1), 50);
  }

  // Apply a state while the page runs (the tour's steps): Gradio sets the components through the hidden
  // #apply-link button, whose click event calls applyPending().
  function go(asked) {
    state.pending = asked;
    if (asked.tab) selectTab(asked.tab);
    if (asked.hide) hide(asked.hide);
    document.querySelector("#apply-link").click();
  }

  function applyPending(now) {
    const asked = state.pending || {};
    state.pending = null;
    return values(asked, now);
  }

  function setTour(step) {
    state.tour = step;
    changed();
  }

  async function copy(button) {
    const label = button.textContent;
    try {
      await navigator.clipboard.writeText(location.href.split("#")[0] + serialise(current()));
      button.textContent = "Link copied";
    } catch {
      button.textContent = "Copy failed: use the address bar";
    }
    setTimeout(() => (button.textContent = label), 1500);
  }

  // Any change a visitor makes (a slider, a radio, a tab, a number) moves the address, and so does a tab
  // the server opens (Use in sliders opens the Generate tab after the sliders have moved).
  for (const type of ["input", "change", "click"]) document.addEventListener(type, changed, true);
  new MutationObserver(changed).observe(document.documentElement, {
    subtree: true,
    attributes: true,
    attributeFilter: ["aria-selected"],
  });
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("#copy-page-link");
    if (button) copy(button);
  });
  window.vaeLinks = { parse, serialise, current, restore, go, applyPending, changed, copy, setTour, hide };
})();
