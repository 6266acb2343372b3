// The Latent space tab's hover: wherever the pointer (or a finger) is on the 2-D map, the page decodes
// that point with the map's VAE (decoder.js, about a millisecond) and paints it in a small panel in the
// map's corner, with no request to the server. Where the browser has them (Chromium, in a secure
// context) it follows `pointerrawupdate` events, which arrive as the pointer moves, not held for the
// next frame as `pointermove` is; a move is painted at once, or, if a paint is already in this frame,
// once the next frame begins. The server says where the plot lies in the
// image and which z its edges are (the legend's data-map); a click still asks the server (/latent_map).
(() => {
  "use strict";

  const state = { decoders: {}, loaded: {}, wanted: null, panel: null, failed: false, frame: 0, pending: false };
  const MOVE = "onpointerrawupdate" in window ? "pointerrawupdate" : "pointermove";

  function geometry() {
    const legend = document.querySelector("#map-legend [data-map]");
    return legend ? JSON.parse(legend.dataset.map) : null;
  }

  function decoderFor(dataset) {
    const url = window.vaePage.mapDecoders[dataset];
    if (!url) return null;
    if (!state.decoders[dataset]) {
      state.decoders[dataset] = window.VaeDecoder.loadDecoder(url);
      state.decoders[dataset].then(
        (decoder) => {
          state.loaded[dataset] = decoder;
          if (state.wanted && state.wanted.dataset === dataset) request(); // the move that waited for it
        },
        (error) => {
          state.failed = true;
          console.error("map decoder:", error);
        },
      );
    }
    return state.decoders[dataset];
  }

  // The code under a pointer at (clientX, clientY) over the map's <img>, or null off the plot. The image
  // is drawn scaled to fit its box, centred, so the scale and the offsets come from the box's size.
  function codeAt(image, map, clientX, clientY) {
    const box = image.getBoundingClientRect();
    const scale = Math.min(box.width / map.width, box.height / map.height);
    const x = (clientX - box.left - (box.width - map.width * scale) / 2) / scale - map.left;
    const y = (clientY - box.top - (box.height - map.height * scale) / 2) / scale - map.top;
    const last = map.size - 1;
    if (!(x >= 0 && y >= 0 && x <= last && y <= last)) return null;
    const perUnit = last / (map.high - map.low);
    return [map.low + x / perUnit, map.low + map.shift + (last - y) / perUnit];
  }

  function panel(container) {
    if (state.panel && container.contains(state.panel)) return state.panel;
    const element = document.createElement("div");
    element.className = "map-hover";
    element.innerHTML =
      '<canvas width="28" height="28" role="img" aria-label="Decode of the point under the pointer"></canvas>' +
      '<span class="map-hover-z"></span>';
    container.style.position = "relative";
    container.appendChild(element);
    state.panel = element;
    return element;
  }

  function follow(event) {
    const image = event.target.closest && event.target.closest("#latent-map img");
    if (!image) return;
    const map = geometry();
    if (!map || state.failed) return;
    const z = codeAt(image, map, event.clientX, event.clientY);
    const box = panel(image.parentElement);
    if (!z) {
      box.hidden = true;
      return;
    }
    // The panel sits in the corner away from the pointer, so it never covers the point being decoded.
    const right = event.clientX < image.getBoundingClientRect().left + image.getBoundingClientRect().width / 2;
    box.classList.toggle("right", right);
    state.wanted = { dataset: map.dataset, z, box };
    if (state.loaded[map.dataset]) request();
    else decoderFor(map.dataset);
  }

  // Paint now, unless this frame has had its paint: then the latest move is painted as the next begins.
  function request() {
    if (state.frame) {
      state.pending = true;
      return;
    }
    paintWanted();
    state.frame = requestAnimationFrame(() => {
      state.frame = 0;
      if (state.pending) {
        state.pending = false;
        request();
      }
    });
  }

  function paintWanted() {
    const wanted = state.wanted;
    if (!wanted) return;
    try {
      window.VaeDecoder.paint(wanted.box.querySelector("canvas"), state.loaded[wanted.dataset].decode(wanted.z));
      wanted.box.hidden = false;
      wanted.box.dataset.z = JSON.stringify(wanted.z);
      wanted.box.querySelector(".map-hover-z").textContent =
        `z = (${wanted.z.map((v) => (v >= 0 ? "+" : "−") + Math.abs(v).toFixed(2)).join(", ")})`;
      window.dispatchEvent(new CustomEvent("map-painted", { detail: { time: performance.now(), z: wanted.z } }));
    } catch (error) {
      state.failed = true;
      wanted.box.hidden = true;
      console.error("map decoder:", error);
    }
  }

  function leave(event) {
    if (event.pointerType === "mouse" && event.target.closest && event.target.closest("#latent-map img") && state.panel) {
      state.wanted = null;
      state.panel.hidden = true;
    }
  }

  // The map is a button Gradio makes for its clicks, which a key cannot aim: Enter or Space on it goes to
  // the point's boxes beside it, where a typed point and Enter decode it.
  document.addEventListener(
    "keydown",
    (event) => {
      if (event.key !== "Enter" && event.key !== " ") return;
      if (!(event.target.closest && event.target.closest("#latent-map") && event.target.querySelector("img"))) return;
      event.preventDefault();
      document.querySelector("#map-z1 input")?.focus();
    },
    true,
  );

  document.addEventListener(MOVE, follow, true);
  document.addEventListener("pointerdown", follow, true);
  document.addEventListener("pointerout", leave, true);
  document.addEventListener(
    "pointerover",
    (event) => {
      const map = event.target.closest && event.target.closest("#latent-map") && geometry();
      if (map) decoderFor(map.dataset); // start loading before the first move
    },
    true,
  );
})();
