// Intake pages.
// The questionnaire: htmx saves each answer as the client types and swaps in "Saved hh:mm:ss";
// this module shows "Saving…" while a save is out and "Not saved yet" when one fails, sends
// what is typed at once when the page is hidden (a phone switching apps may never come back),
// and asks before the page closes with an answer still unsaved.
// The persona page: taking answers in reloads the page, so it waits until the persona form
// above has no unsaved edits.
const unsaved = new Set();

function stateFor(elt) {
  if (!elt || !elt.hasAttribute || !elt.hasAttribute("data-intake-answer")) return null;
  return document.getElementById("state-" + elt.name);
}

function show(elt, state, text) {
  const box = stateFor(elt);
  if (!box) return;
  const span = document.createElement("span");
  span.dataset.state = state;
  if (state === "error") span.className = "field-error";
  span.textContent = text;
  box.replaceChildren(span);
}

document.body.addEventListener("input", (event) => {
  if (stateFor(event.target)) unsaved.add(event.target);
});

document.body.addEventListener("htmx:beforeRequest", (event) => {
  show(event.detail.elt, "saving", "Saving…");
});

document.body.addEventListener("htmx:afterRequest", (event) => {
  if (event.detail.successful && stateFor(event.detail.elt)) unsaved.delete(event.detail.elt);
});

document.body.addEventListener("htmx:sendError", (event) => {
  show(event.detail.elt, "error", "Not saved yet — check your connection, then type again or press Save.");
});

document.body.addEventListener("htmx:responseError", (event) => {
  const closed = event.detail.xhr && [404, 410].includes(event.detail.xhr.status);
  show(
    event.detail.elt,
    "error",
    closed ? "Not saved: this link has been closed. Copy your text and ask your agency for a new link."
      : "Not saved yet — please try again in a moment."
  );
});

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") unsaved.forEach((elt) => htmx.trigger(elt, "change"));
});

window.addEventListener("beforeunload", (event) => {
  if (unsaved.size) event.preventDefault();
});

function edited(control) {
  if (control.type === "hidden" || control.type === "submit" || control.type === "button") return false;
  if (control.tagName === "SELECT") return [...control.options].some((o) => o.selected !== o.defaultSelected);
  if (control.type === "checkbox" || control.type === "radio") return control.checked !== control.defaultChecked;
  return control.value !== control.defaultValue;
}

document.body.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.hasAttribute("data-intake-form")) {
    unsaved.clear(); // the whole form is being saved: nothing to warn about on leaving
    return;
  }
  if (!form.hasAttribute("data-intake-take-in")) return;
  const others = document.querySelectorAll("form:not([data-intake-take-in]) :is(input, textarea, select)");
  if (![...others].some(edited)) return;
  event.preventDefault();
  const warning = form.querySelector("[data-intake-unsaved]");
  if (warning) warning.hidden = false;
});
