// The Generate tab in the page: slider values are decoded here (decoder.js) and painted on a canvas in
// the next animation frame, with no request to the server; the page's address follows the dataset and
// the sliders, so a copied link reopens the same digit. If the decoder cannot load or run, the page
// falls back to the server's image of the digit, which the server sends when a drag ends.
(() => {
  "use strict";

  const state = {
    decoders: {}, // dataset -> Promise<Decoder>
    canvas: null,
    note: null,
    wanted: null, // { dataset, values } to paint in the next frame
    shown: "", // the dataset and values on the canvas now
    frame: 0,
    failed: null,
    urlTimer: 0,
  };

  // As soon as this script runs (Gradio adds it to the page before it draws its components), fetch
  // the decoder of the dataset the link names, then the others'. `page` is set in the page's <head>:
  // { decoders: { dataset: url }, latentDim, sliderRange }.
  function loadDecoders(page) {
    const datasets = Object.keys(page.decoders);
    const [first] = linked(datasets[0], new Array(page.latentDim).fill(0), datasets);
    const load = (dataset) => {
      state.decoders[dataset] = window.VaeDecoder.loadDecoder(page.decoders[dataset]);
      state.decoders[dataset].catch(fail);
      return state.decoders[dataset];
    };
    load(first).then(() => datasets.filter((name) => name !== first).forEach(load));
  }

  // The canvas is on the page: paint what the link asks for (or the origin) without waiting for
  // Gradio's load event.
  function attach(element) {
    state.canvas = element.querySelector("canvas");
    state.note = element.querySelector(".decoder-note");
    sayFailed();
    const page = window.vaePage;
    const datasets = Object.keys(page.decoders);
    if (!state.wanted) show(...split(linked(datasets[0], new Array(page.latentDim).fill(0), datasets)));
    // A drag reaches the page through Gradio's change events ~10 ms after the pointer moves; reading the
    // sliders' own input events paints the same values a frame sooner.
    document.addEventListener("input", followDrag, true);
    element.querySelector(".copy-link").addEventListener("click", (event) => copyLink(event.currentTarget));
    element.querySelector(".digit-download").addEventListener("click", (event) => download(event.currentTarget));
    if (state.wanted) schedule();
  }

  function fail(error) {
    if (state.failed) return;
    state.failed = error;
    document.documentElement.classList.remove("vae-decodes-in-page");
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
    scheduleUrlUpdate();
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
    if (state.failed || !wanted || !(wanted.dataset in state.decoders)) return;
    try {
      const decoder = await state.decoders[wanted.dataset];
      const key = `${wanted.dataset}:${wanted.values}`;
      if (state.wanted !== wanted || key === state.shown) return; // newer values came, or these are shown
      paint(decoder.decode(wanted.values));
      state.shown = key;
      document.documentElement.classList.add("vae-decodes-in-page");
      window.dispatchEvent(new CustomEvent("digit-painted", { detail: { time: performance.now(), ...wanted } }));
    } catch (error) {
      fail(error);
    }
  }

  function paint({ values, shape }) {
    const [height, width] = shape.slice(-2);
    const canvas = state.canvas;
    if (canvas.width !== width || canvas.height !== height) [canvas.width, canvas.height] = [width, height];
    const context = canvas.getContext("2d");
    const image = context.createImageData(width, height);
    for (let i = 0; i < width * height; i++) {
      const grey = Math.round(Math.min(Math.max(values[i], 0), 1) * 255);
      image.data.set([grey, grey, grey, 255], 4 * i);
    }
    context.putImageData(image, 0, 0);
  }

  function linkHash() {
    const { dataset, values } = state.wanted;
    return `#dataset=${encodeURIComponent(dataset)}&z=${values.map((v) => v.toFixed(2)).join(",")}`;
  }

  // At most four address updates a second: browsers throttle faster history changes.
  function scheduleUrlUpdate() {
    if (state.urlTimer) return;
    state.urlTimer = setTimeout(() => {
      state.urlTimer = 0;
      const hash = linkHash();
      history.replaceState(null, "", hash);
      if (window.parent !== window) {
        // On a Hugging Face Space the app is in an iframe: the Space page copies this into its own address.
        window.parent.postMessage({ queryString: location.search, hash }, "https://huggingface.co");
      }
    }, 250);
  }

  // The dataset and slider values that the page's link carries, or the given ones when it carries none.
  function linked(dataset, values, datasets) {
    const params = new URLSearchParams(location.hash.slice(1));
    const name = params.get("dataset");
    const z = (params.get("z") || "").split(",").map(Number);
    if (!datasets.includes(name) || z.length !== values.length || !z.every(Number.isFinite)) return [dataset, ...values];
    const range = window.vaePage.sliderRange;
    return [name, ...z.map((v) => Math.round(Math.min(Math.max(v, -range), range) * 100) / 100)];
  }

  const split = ([dataset, ...values]) => [dataset, values];

  // Gradio's load event: the link's values, painted and returned for Gradio to set on the sliders.
  function restore(dataset, values) {
    const restored = linked(dataset, values, Object.keys(window.vaePage.decoders));
    show(...split(restored));
    return restored;
  }

  async function copyLink(button) {
    const label = button.textContent;
    try {
      await navigator.clipboard.writeText(location.href.split("#")[0] + linkHash());
      button.textContent = "Link copied";
    } catch {
      button.textContent = "Copy failed: use the address bar";
    }
    setTimeout(() => (button.textContent = label), 1500);
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

  window.vaeGenerate = { attach, show, restore, fail };
  if (window.vaePage) loadDecoders(window.vaePage);
})();
