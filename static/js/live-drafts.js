// Text another person is typing, shown as it is typed (a "live.draft" from the socket, never
// stored). A shown value (the board, the client page, Present) takes the draft in place, marked
// as a draft; a field someone could type in never does — the draft is shown beside it instead,
// so nobody's own text is replaced and autosave never sees a value its owner did not type. The
// saved value (a "journey.changed") replaces every draft of its field; a draft nobody follows up
// goes back to the saved text after DRAFT_LIFE_MS.
import { cssEscape } from "./live-fields.js";

const DRAFT_LIFE_MS = 5000;
const timers = new Map(); // field key -> timeout

function isEditable(el) {
  return el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT";
}

function note(el) {
  const next = el.nextElementSibling;
  return next && next.classList.contains("live-draft") ? next : null;
}

function showBeside(el, message) {
  let box = note(el);
  if (!box) {
    box = document.createElement("div");
    box.className = "live-draft small";
    box.setAttribute("aria-hidden", "true"); // every keystroke would be read out; "is typing" says it
    el.insertAdjacentElement("afterend", box);
  }
  const who = document.createElement("span");
  who.className = "live-draft-who";
  who.textContent = (message.name || "Someone") + " is typing: ";
  const text = document.createElement("span");
  text.className = "live-draft-text";
  text.textContent = message.text;
  box.replaceChildren(who, text);
}

function showInPlace(el, message) {
  if (el.dataset.liveSaved === undefined) el.dataset.liveSaved = el.textContent;
  el.textContent = message.text === "" && el.dataset.liveEmpty !== undefined ? el.dataset.liveEmpty : message.text;
  el.classList.add("is-draft");
  const line = el.closest("[data-live-optional]");
  if (line) line.hidden = message.text === "";
}

export function showDraft(message) {
  const selector = '[data-live-field="' + cssEscape(message.field) + '"]';
  document.querySelectorAll(selector).forEach(function (el) {
    if (isEditable(el)) showBeside(el, message);
    else showInPlace(el, message);
  });
  clearTimeout(timers.get(message.field));
  timers.set(message.field, setTimeout(function () { endDrafts([message.field], true); }, DRAFT_LIFE_MS));
}

// The drafts of these field keys end: their saved value is about to be applied (`restore`
// false), or nobody saved after typing (`restore` true: the saved text comes back).
export function endDrafts(keys, restore) {
  keys.forEach(function (key) {
    clearTimeout(timers.get(key));
    timers.delete(key);
    document.querySelectorAll('[data-live-field="' + cssEscape(key) + '"]').forEach(function (el) {
      const box = note(el);
      if (box) box.remove();
      if (!el.classList.contains("is-draft")) return;
      el.classList.remove("is-draft");
      if (restore && el.dataset.liveSaved !== undefined) {
        el.textContent = el.dataset.liveSaved;
        const line = el.closest("[data-live-optional]");
        if (line) line.hidden = el.textContent === "" || el.textContent === el.dataset.liveEmpty;
      }
      delete el.dataset.liveSaved;
    });
  });
}
