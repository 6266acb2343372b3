// Sliders on a touch screen: a swipe that starts on a slider scrolls the page, as it would anywhere else,
// and only a sideways drag or a tap moves the slider. A browser's own range input takes the value under
// the finger the moment it lands, so on a page of sliders a student could not scroll past them. Here the
// range inputs let touches through to their container (pan-y: the browser still scrolls vertically), and
// this script moves a slider itself once a touch has gone sideways, or lifted without moving: it sets
// the input's value and sends the events a drag sends (input while moving, pointerup and change at the
// end), so everything that listens to the slider hears what it always does. The keyboard is unchanged.
(() => {
  "use strict";

  if (!(navigator.maxTouchPoints > 0)) return;
  document.documentElement.classList.add("vae-touch-sliders");

  const SLOP = 8; // CSS pixels a touch moves before it counts as a swipe or a drag
  const REACH = 18; // how far above or below a slider's track a touch still takes it
  let gesture = null; // { input, pointerId, x, y, dragging }

  // The slider under a point: found by where the range inputs are drawn, not by the page's markup.
  function sliderAt(x, y) {
    for (const input of document.querySelectorAll("input[type=range]")) {
      if (input.disabled || input.closest(".pad")) continue;
      const box = input.getBoundingClientRect();
      if (box.width > 0 && x >= box.left && x <= box.right && Math.abs(y - (box.top + box.bottom) / 2) <= REACH) {
        return input;
      }
    }
    return null;
  }

  // The value at x along the input's track, on its step.
  function valueAt(input, x) {
    const box = input.getBoundingClientRect();
    const min = Number(input.min), max = Number(input.max), step = Number(input.step) || 1;
    const fraction = Math.min(Math.max((x - box.left) / box.width, 0), 1);
    const value = min + Math.round((fraction * (max - min)) / step) * step;
    const decimals = (String(input.step).split(".")[1] || "").length;
    return Math.min(Math.max(value, min), max).toFixed(decimals);
  }

  function move(input, x) {
    const value = valueAt(input, x);
    if (input.value === value) return;
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function finish(input) {
    input.dispatchEvent(new PointerEvent("pointerup", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("pointerdown", (event) => {
    const input = event.isPrimary && sliderAt(event.clientX, event.clientY);
    if (!input) return;
    gesture = { input, pointerId: event.pointerId, x: event.clientX, y: event.clientY, dragging: false };
    if (event.pointerType === "mouse") {
      // A mouse has no swipe to tell apart: it drags at once, as on a plain slider.
      event.preventDefault();
      input.focus({ preventScroll: true });
      gesture.dragging = true;
      move(input, event.clientX);
    }
  });

  document.addEventListener("pointermove", (event) => {
    if (!gesture || event.pointerId !== gesture.pointerId) return;
    const dx = event.clientX - gesture.x, dy = event.clientY - gesture.y;
    if (!gesture.dragging) {
      if (Math.abs(dy) > SLOP && Math.abs(dy) >= Math.abs(dx)) gesture = null; // a swipe: the page scrolls
      else if (Math.abs(dx) > SLOP) gesture.dragging = true;
    }
    if (gesture && gesture.dragging) move(gesture.input, event.clientX);
  });

  document.addEventListener("pointerup", (event) => {
    if (!gesture || event.pointerId !== gesture.pointerId) return;
    const { input } = gesture;
    gesture = null;
    move(input, event.clientX); // a tap sets the value under it; a drag ends where it was let go
    finish(input);
  });

  // The browser took the touch for a scroll: the slider keeps its value.
  document.addEventListener("pointercancel", (event) => {
    if (gesture && event.pointerId === gesture.pointerId) gesture = null;
  });
})();
