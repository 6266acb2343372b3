// The Generate tab in the page: slider values are decoded here (decoder.js) and painted on a canvas in
// the next animation frame, with no request to the server; links.js keeps the page's address in step
// with them. If the decoder cannot load or run, the page falls back to the server's image of the
// digit, which the server sends when a drag ends.
(() => {
  "use strict";

  const state = {
    decoders: {}, // dataset -> Promise<Decoder>, for the datasets shown so far
    canvas: null,
    note: null,
    wanted: null, // { dataset, values } to paint in the next frame
    shown: "", // the dataset and values on the canvas now
    frame: 0,
    failed: null,
    origin: null, // the first digit's paint from the server's PNG of z = 0, once begun
    typed: 0, // when a key was last pressed, or a reset pressed, on the sliders
    reading: 0, // the timer that asks for the classifier's reading after typing
  };

  // A dataset's decoder, fetched when it is first needed: as soon as this script runs (Gradio adds it to
  // the page before it draws its components) for a code the link names, after the first digit where the
  // page opens at the origin, and another dataset's only when the visitor switches to it.
  // `page` is set in the page's <head>: { decoders: { dataset: url }, origins: { dataset: url }, ... }.
  function decoderOf(dataset) {
    const url = window.vaePage.decoders[dataset];
    if (!url) return null;
    if (!state.decoders[dataset]) {
      state.decoders[dataset] = window.VaeDecoder.loadDecoder(url);
      state.decoders[dataset].catch(fail);
    }
    return state.decoders[dataset];
  }

  // The canvas is on the page: paint what the link asks for (or the origin) without waiting for
  // Gradio's load event.
  function attach(element) {
    state.canvas = element.querySelector("canvas");
    state.note = element.querySelector(".decoder-note");
    sayFailed();
    if (!state.wanted) {
      const { dataset, z } = linked();
      show(dataset, z);
    }
    // A drag reaches the page through Gradio's change events ~10 ms after the pointer moves; reading the
    // sliders' own input events paints the same values a frame sooner.
    document.addEventListener("input", followDrag, true);
    document.addEventListener("keydown", typed, true);
    document.addEventListener("input", typed, true);
    document.addEventListener("click", typed, true);
    document.addEventListener("input", keepInRange, true);
    document.addEventListener("change", keepInRange, true);
    element.querySelector(".copy-link").addEventListener("click", (event) => window.vaeLinks.copy(event.currentTarget));
    // Each slider's ↺ is a pointer's shortcut; the keyboard has the slider and its number box (type 0),
    // so the ↺ leaves the tab order: two stops a slider, not three, from z1 to Random sample.
    const sliders = document.querySelector("#sliders") || document.body;
    const skipResets = () => {
      for (const reset of sliders.querySelectorAll('[data-testid="reset-button"]')) reset.tabIndex = -1;
    };
    new MutationObserver(skipResets).observe(sliders, { childList: true, subtree: true });
    skipResets();
    element.querySelector(".digit-download").addEventListener("click", (event) => download(event.currentTarget));
    if (state.wanted) schedule();
  }

  function fail(error) {
    if (state.failed) return;
    state.failed = error;
    document.documentElement.classList.remove("vae-page-decoder", "vae-decodes-in-page");
    sayFailed();
    console.error("in-page decoder:", error);
  }

  function sayFailed() {
    if (state.failed && state.note) {
      state.note.textContent =
        "This browser could not run the decoder, so the server draws the digit: it updates when you let go of a slider.";
    }
  }

  // Called on every change of the dataset or a slider: paint in the next frame, once per frame.
  function show(dataset, values) {
    state.wanted = { dataset, values: values.map(Number) };
    if (state.canvas) schedule();
    window.vaeLinks.changed();
    if (performance.now() - state.typed < 1500) askForReading();
  }

  // A drag's release asks the server for the classifier's reading (Gradio's release event); keys and a
  // slider's reset button do not release anything, so after them the page asks once things pause, by
  // pressing the tab's hidden #read-digit button.
  function typed(event) {
    const inSliders = event.target.closest && event.target.closest("#sliders");
    const key = event.type === "keydown" || event.target.type === "number";
    const reset = event.type === "click" && event.target.closest("button");
    if (inSliders && (key || reset)) state.typed = performance.now();
  }

  // Every slider's number box on the page keeps to its slider's range, as a drag does: a typed 7 on a
  // ±3 slider becomes 3 before Gradio reads it, instead of reaching the server and failing there. While
  // typing, only values that more keys cannot bring back into range are clamped (a 1 on the way to 12,
  // on a slider from 2, is left for the change at Enter or blur).
  function keepInRange(event) {
    const box = event.target;
    if (box.type !== "number" || !box.closest(".block") || box.min === "" || box.max === "") return;
    const value = Number(box.value), min = Number(box.min), max = Number(box.max);
    if (box.value === "" || !Number.isFinite(value)) return;
    const final = event.type === "change";
    if (value > max && (final || value > 0)) box.value = String(max);
    else if (value < min && (final || value < 0)) box.value = String(min);
  }

  function askForReading() {
    clearTimeout(state.reading);
    state.reading = setTimeout(() => {
      const button = document.querySelector("#read-digit");
      if (button) button.click();
    }, 400);
  }

  function followDrag(event) {
    const sliders = event.target.type === "range" && event.target.closest("#sliders");
    if (!sliders || !state.wanted) return;
    show(state.wanted.dataset, [...sliders.querySelectorAll("input[type=range]")].map((range) => range.value));
  }

  function schedule() {
    if (!state.frame) state.frame = requestAnimationFrame(paintWanted);
  }

  async function paintWanted() {
    state.frame = 0;
    const wanted = state.wanted;
    if (wanted && !state.decoders[wanted.dataset] && atOrigin(wanted.values)) await paintOrigin(wanted);
    const loading = wanted && decoderOf(wanted.dataset);
    if (state.failed || !loading) return;
    try {
      const decoder = await loading;
      const key = `${wanted.dataset}:${wanted.values}`;
      if (state.wanted !== wanted || key === state.shown) return; // newer values came, or these are shown
      window.VaeDecoder.paint(state.canvas, decoder.decode(wanted.values));
      state.shown = key;
      document.documentElement.classList.add("vae-decodes-in-page");
      window.dispatchEvent(new CustomEvent("digit-painted", { detail: { time: performance.now(), ...wanted } }));
    } catch (error) {
      fail(error);
    }
  }

  function atOrigin(values) {
    return values.every((value) => Number(value) === 0);
  }

  // The first digit of a page that opens at the origin: the server's PNG of z = 0 (a few hundred bytes)
  // is drawn while the decoder (1.7 MB) loads, so the digit is not kept waiting for it. Once only; the
  // decoder's own paint of the same code follows.
  function paintOrigin(wanted) {
    state.origin ??= (async () => {
      const image = new Image();
      image.src = window.vaePage.origins[wanted.dataset];
      await image.decode();
      const now = state.wanted; // Gradio's first change events ask again for the same code
      if (state.shown || now.dataset !== wanted.dataset || !atOrigin(now.values)) return; // moved on
      const context = state.canvas.getContext("2d");
      [state.canvas.width, state.canvas.height] = [image.naturalWidth, image.naturalHeight];
      context.drawImage(image, 0, 0);
      window.dispatchEvent(new CustomEvent("digit-painted", { detail: { time: performance.now(), ...wanted } }));
    })().catch((error) => console.warn("first digit:", error));
    return state.origin;
  }

  // The dataset and code the page's link asks for, or the first dataset's origin.
  function linked() {
    const page = window.vaePage;
    const asked = window.vaeLinks.parse(location.hash);
    return { dataset: asked.dataset || Object.keys(page.decoders)[0], z: asked.z || new Array(page.latentDim).fill(0) };
  }

  function download(link) {
    const big = document.createElement("canvas");
    big.width = state.canvas.width * 10;
    big.height = state.canvas.height * 10;
    const context = big.getContext("2d");
    context.imageSmoothingEnabled = false;
    context.drawImage(state.canvas, 0, 0, big.width, big.height);
    link.href = big.toDataURL("image/png");
  }

  window.vaeGenerate = { attach, show, fail };
  // From here on the page draws the digit (its canvas holds the digit's place while the decoder loads).
  document.documentElement.classList.add("vae-page-decoder");
  if (window.vaePage) {
    const first = linked();
    if (!atOrigin(first.z)) decoderOf(first.dataset);
  }
})();
