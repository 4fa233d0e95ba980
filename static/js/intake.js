// The intake questionnaire's save state beside each answer. htmx saves an answer as the client
// types and swaps in "Saved hh:mm:ss"; this module says "Saving…" while a save is out and, when
// one fails, that the text is not saved yet (it stays in the field; typing again retries).
function stateFor(elt) {
  if (!elt || !elt.hasAttribute("data-intake-answer")) return null;
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

document.body.addEventListener("htmx:beforeRequest", (event) => {
  show(event.detail.elt, "saving", "Saving…");
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
