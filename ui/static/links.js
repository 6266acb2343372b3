// The page's address carries its whole state, so a teacher can share one link per idea: the tab, the
// dataset, the sliders' code z, the sampler, temperature and seed, the Train tab's settings, the map's
// view, the comparison's sampler, the tour's step and the controls to hide. The address follows the page as it changes; opening a
// link restores it. A link is read as data only: unknown keys and bad values are dropped, nothing in it
// is ever run or written into the page as HTML. On a Hugging Face Space the parent page's address
// follows too. `window.vaePage` (set in the page's <head>) gives the bounds.
(() => {
  "use strict";

  const TABS = ["generate", "draw", "interpolate", "latent", "train"];
  const SAMPLERS = ["mixture", "gaussian", "prior"];
  const MAP_VIEWS = ["codes", "holes"];
  const GROUPS = ["dataset", "sampler", "sliders", "tabs", ...TABS];
  const ORDER = ["tab", "dataset", "z", "sampler", "temperature", "seed", "beta", "epochs", "train_seed", "map", "compare", "tour", "hide"];
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
    if (GROUPS.includes(name)) return [name];
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
    if (TABS.includes(get("tab"))) asked.tab = get("tab");
    if (Object.keys(page.decoders).includes(get("dataset"))) asked.dataset = get("dataset");
    const z = (get("z") || "").split(",");
    if (z.length === page.latentDim) {
      const values = z.map((v) => bounded(v, -page.sliderRange, page.sliderRange, false, true));
      if (values.every((v) => v !== undefined)) asked.z = values.map((v) => Math.round(v * 100) / 100);
    }
    if (SAMPLERS.includes(get("sampler"))) asked.sampler = get("sampler");
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
    if (MAP_VIEWS.includes(get("map"))) asked.map = get("map");
    if (SAMPLERS.includes(get("compare"))) asked.compare = get("compare");
    const hide = (get("hide") || "").split(",").slice(0, 64).flatMap((name) => hideable(name, page.latentDim));
    if (hide.length) asked.hide = [...new Set(hide)];
    return asked;
  }

  // The hash for a state; settings at their defaults are left out, the dataset and z always kept.
  function serialise(current) {
    const defaults = state.defaults || {};
    const params = [];
    for (const key of ORDER) {
      const value = current[key];
      if (value === undefined || value === null) continue;
      if (key !== "dataset" && key !== "z" && defaults[key] === value) continue;
      if (key === "z") params.push(`z=${value.map((v) => Number(v).toFixed(2)).join(",")}`);
      else if (key === "hide") value.length && params.push(`hide=${value.join(",")}`);
      else params.push(`${key}=${encodeURIComponent(value)}`);
    }
    return `#${params.join("&")}`;
  }

  const checked = (id) => {
    const input = document.querySelector(`#${id} input[type=radio]:checked`);
    return input ? input.value : undefined;
  };
  const numberIn = (id) => {
    const input = document.querySelector(`#${id} input[type=number]`);
    return input && input.value !== "" ? Number(input.value) : undefined;
  };

  // What the page shows now, as a link's state.
  function current() {
    const tab = document.querySelector("button[role=tab][aria-selected=true]");
    const z = [...document.querySelectorAll("#sliders input[type=range]")].map((range) => Number(range.value));
    const shown = {
      tab: tab ? tab.dataset.tabId : undefined,
      dataset: checked("dataset"),
      z: z.length ? z : undefined,
      sampler: checked("sampler"),
      temperature: numberIn("temperature"),
      seed: numberIn("seed"),
      beta: numberIn("train-beta"),
      epochs: numberIn("train-epochs"),
      train_seed: numberIn("train-seed"),
      map: checked("map-view"),
      compare: checked("compare-sampler"),
    };
    const known = { ...state.known };
    for (const [key, value] of Object.entries(shown)) if (value !== undefined) known[key] = value;
    return { ...known, tour: state.tour, hide: state.hidden };
  }

  // The values Gradio holds, in the order of app.py's LINKED components, as a link's state.
  function asState(values) {
    const dim = window.vaePage.latentDim;
    const [dataset, ...rest] = values;
    const [sampler, temperature, seed, beta, epochs, trainSeed, map, compare] = rest.slice(dim);
    return { tab: "generate", dataset, z: rest.slice(0, dim), sampler, temperature, seed, beta, epochs, train_seed: trainSeed, map, compare };
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

  // The values for Gradio to set, in the order of app.py's LINKED components: each from the state asked
  // for, or, where it asks nothing, the component's current value. The Generate tab paints the code.
  function values(asked, now) {
    const dim = window.vaePage.latentDim;
    const [dataset, ...rest] = now;
    const z = asked.z || (asked.dataset && asked.dataset !== dataset ? new Array(dim).fill(0) : rest.slice(0, dim));
    const [sampler, temperature, seed, beta, epochs, trainSeed, map, compare] = rest.slice(dim);
    const result = [
      asked.dataset || dataset,
      ...z,
      asked.sampler || sampler,
      asked.temperature ?? temperature,
      asked.seed ?? seed,
      asked.beta ?? beta,
      asked.epochs ?? epochs,
      asked.train_seed ?? trainSeed,
      asked.map || map,
      asked.compare || compare,
    ];
    state.known = { ...asState(result), tab: asked.tab || state.known.tab };
    if (window.vaeGenerate) window.vaeGenerate.show(result[0], result.slice(1, dim + 1));
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
