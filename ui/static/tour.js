// The guided tour: steps (from the server, in window.vaePage.tour) that each set real state on the page
// through links.js (a tab, a code, a setting), point at one control, say one idea, and, where a step has
// one, ask a question first and reveal the answer (and its state) on Reveal. Back re-applies the
// previous step's state. Keys: Escape closes, the arrows go back and on. The box sits at the bottom of
// the screen, and the page scrolls what it points at into the room above it.
(() => {
  "use strict";

  const state = { step: 0, revealed: false, box: null, target: null, placing: 0 };

  function steps() {
    return window.vaePage.tour || [];
  }

  function build() {
    const box = document.createElement("section");
    box.className = "tour";
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-modal", "false");
    box.setAttribute("aria-labelledby", "tour-title");
    box.innerHTML = `
      <p class="tour-count"></p>
      <h2 id="tour-title"></h2>
      <p class="tour-text"></p>
      <p class="tour-question"></p>
      <p class="tour-answer"></p>
      <div class="tour-buttons">
        <button type="button" class="tour-back">Back</button>
        <button type="button" class="tour-next"></button>
        <button type="button" class="tour-close" aria-label="Close the tour">Close</button>
      </div>`;
    box.querySelector(".tour-back").addEventListener("click", () => show(state.step - 1));
    box.querySelector(".tour-next").addEventListener("click", next);
    box.querySelector(".tour-close").addEventListener("click", () => close());
    box.addEventListener("keydown", (event) => {
      if (event.key === "Escape") close();
      else if (event.key === "ArrowRight") next();
      else if (event.key === "ArrowLeft" && state.step > 1) show(state.step - 1);
      else return;
      event.preventDefault();
    });
    document.body.appendChild(box);
    return box;
  }

  function start(step) {
    if (!steps().length) return;
    // What the visitor had before the tour set its own: given back when the tour ends.
    if (!state.step) state.before = window.vaeLinks.current();
    if (!state.box) state.box = build();
    state.box.hidden = false;
    document.body.style.paddingBottom = "70vh"; // room below the page, so any target can scroll up
    show(Math.min(Math.max(step || 1, 1), steps().length));
    state.box.querySelector(".tour-next").focus({ preventScroll: true });
  }

  function next() {
    const step = steps()[state.step - 1];
    if (step.question && !state.revealed) reveal(step);
    else if (state.step < steps().length) show(state.step + 1);
    else close();
  }

  function show(number) {
    if (number < 1) return;
    const step = steps()[number - 1];
    state.step = number;
    state.revealed = false;
    window.vaeLinks.go({ tab: step.tab, ...step.state });
    if (step.action) act(step.action);
    fill(step);
    window.vaeLinks.setTour(number);
    place(step.target);
  }

  function reveal(step) {
    state.revealed = true;
    if (step.reveal) window.vaeLinks.go(step.reveal);
    if (step.reveal_action) act(step.reveal_action);
    fill(step);
    place(step.reveal_target || step.target);
  }

  // A step's action: a click on one of the page's own buttons, as a visitor would press it.
  function act(selector) {
    const button = document.querySelector(selector);
    if (button) button.click();
  }

  function fill(step) {
    const box = state.box;
    const text = (selector, value) => {
      const element = box.querySelector(selector);
      element.textContent = value || "";
      element.hidden = !value;
    };
    text(".tour-count", `Step ${state.step} of ${steps().length}`);
    text("#tour-title", step.title);
    text(".tour-text", step.text);
    text(".tour-question", step.question && !state.revealed ? step.question : "");
    text(".tour-answer", state.revealed || !step.question ? step.answer : "");
    box.querySelector(".tour-back").disabled = state.step === 1;
    const last = state.step === steps().length;
    box.querySelector(".tour-next").textContent =
      step.question && !state.revealed ? "Reveal" : last ? "Finish" : "Next";
  }

  // Mark the step's target and scroll it into the room above the box. The target may appear only once
  // Gradio has drawn the tab and the server has answered (half a minute on a busy server), and move as
  // images above it arrive, so this looks for it that long, then again for four seconds once found.
  function place(selector, looks = 300, found = 0) {
    clearTimeout(state.placing);
    const target = [...document.querySelectorAll(selector)].find((element) => element.offsetParent !== null);
    if (target !== state.target) {
      if (state.target) state.target.classList.remove("tour-target");
      if (target) target.classList.add("tour-target");
      state.target = target;
    }
    // What the step's words point at is shown, not folded: its explanations and figures open.
    if (target) for (const folded of target.querySelectorAll("details")) folded.open = true;
    if (target) {
      const room = window.innerHeight - state.box.offsetHeight - 24;
      const box = target.getBoundingClientRect();
      // Where it is not in the room already: its bottom just above the box, so what the words say is
      // above it stays in view too; a target taller than the room keeps its top in view instead.
      if (!(box.top >= 12 && box.bottom <= room)) {
        const by = box.height <= room - 12 ? box.bottom - room : box.top - 12;
        window.scrollTo({ top: Math.max(window.scrollY + by, 0), behavior: "instant" });
      }
    }
    const seen = target ? found + 1 : found;
    if (looks > 0 && seen < 40) state.placing = setTimeout(() => place(selector, looks - 1, seen), 100);
  }

  // Close, Escape, Finish: the visitor's own state back, and focus on Take the tour. A tab the visitor
  // opened during the tour (leaving its target behind): that tab kept, and focus left where it is.
  function close(leftForTab = false) {
    const open = state.box && !state.box.hidden;
    clearTimeout(state.placing);
    if (state.target) state.target.classList.remove("tour-target");
    if (state.box) state.box.hidden = true;
    document.body.style.paddingBottom = "";
    state.step = 0;
    window.vaeLinks.setTour(null);
    if (open && state.before) {
      const { tour, hide, ...before } = state.before;
      if (leftForTab) delete before.tab;
      window.vaeLinks.go(before);
    }
    state.before = null;
    // A keyboard visitor goes on from where the tour was opened, not from the top of the page.
    if (open && !leftForTab) document.querySelector("#take-tour")?.focus();
  }

  document.addEventListener("click", (event) => {
    if (!event.target.closest) return;
    if (event.target.closest("#take-tour")) start(1);
    // The visitor's own press on a tab (the tour's steps press them too, but not trusted).
    else if (state.step && event.isTrusted && event.target.closest("button[role=tab]")) close(true);
  });
  window.vaeTour = { start, close, current: () => state.step };
})();
