// Live values into the page: every element showing a field's key gets the value another
// person saved — except a field with the focus or unsaved text, which says "Changed by …"
// instead (the autosave registry decides what is unsaved).
import { fields, isDirty as holdsUnsaved } from "./autosave.js";

export function cssEscape(value) {
  return window.CSS && CSS.escape ? CSS.escape(value) : String(value).replace(/["\\]/g, "\\$&");
}

function autosaveState(el) {
  const container = el.closest("[data-autosave]");
  if (!container) return null;
  return fields.get(container.dataset.target + "|" + container.dataset.field) || null;
}

function isEditable(el) {
  return el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT";
}

function isDirty(el) {
  const state = autosaveState(el);
  if (state && state.input === el) return holdsUnsaved(state);
  return el.value !== (el.dataset.liveBase !== undefined ? el.dataset.liveBase : el.defaultValue);
}

// Every element on the page that shows a key gets its new value (the client page shows a
// goal on the board and again in the stage's section; the editor's board, as text and as its
// field) — except a field with the focus or unsaved text, which says "Changed by …" instead.
// `scope`: only the elements inside it (a region just redrawn; unchanged text is left alone).
export function applyFields(changes, by, scope) {
  changes.forEach(function (change) {
    (scope || document).querySelectorAll('[data-live-field="' + cssEscape(change.key) + '"]').forEach(function (el) {
      applyField(el, change, by, !!scope);
    });
  });
}

function applyField(el, change, by, replay) {
  if (!isEditable(el)) {
    const empty = el.dataset.liveEmpty;
    const text = change.value === "" && empty !== undefined ? empty : change.value;
    if (replay && el.textContent === text) return;
    el.textContent = text;
    const line = el.closest("[data-live-optional]");
    if (line) line.hidden = change.value === "";
    flash(el);
    return;
  }
  if (el.value === change.value) { clearChanged(el); syncBase(el, change.value); return; }
  if (document.activeElement === el || isDirty(el)) {
    showChanged(el, change.value, by);
    return;
  }
  el.value = change.value;
  syncBase(el, change.value);
  clearChanged(el);
  flash(el);
}

// The newest value heard for each key, and the version that brought it: a region redrawn from
// a request sent before that version may show the older value, and gets the newer one again.
const heard = new Map(); // key -> {change, by, version}

export function remember(changes, by, version) {
  changes.forEach(function (change) {
    const known = heard.get(change.key);
    if (!known || known.version <= version) heard.set(change.key, { change: change, by: by, version: version });
  });
}

export function reapplySince(scope, version) {
  heard.forEach(function (entry) {
    if (entry.version > version) applyFields([entry.change], entry.by, scope);
  });
}

function syncBase(el, value) {
  const state = autosaveState(el);
  if (state && state.input === el && !state.inflight && state.status !== "conflict" && el.value === value) {
    state.base = value;
    state.savedValue = value;
    if (state.baseInput) state.baseInput.value = value;
  } else if (!state) {
    el.dataset.liveBase = value;
  }
}

function changedNote(el) {
  const next = el.nextElementSibling;
  return next && next.classList.contains("live-changed") ? next : null;
}

function showChanged(el, value, by) {
  let note = changedNote(el);
  if (!note) {
    note = document.createElement("div");
    note.className = "live-changed small";
    note.setAttribute("role", "status");
    el.insertAdjacentElement("afterend", note);
  }
  note.replaceChildren();
  const who = (by && by.name) || "someone";
  const text = document.createElement("span");
  text.textContent = "Changed by " + who + " — ";
  const show = document.createElement("button");
  show.type = "button";
  show.className = "linkish";
  show.textContent = "show";
  const theirs = document.createElement("pre");
  theirs.className = "live-theirs";
  theirs.hidden = true;
  theirs.textContent = value || "(empty)";
  show.addEventListener("click", function () {
    theirs.hidden = !theirs.hidden;
    show.textContent = theirs.hidden ? "show" : "hide";
  });
  note.append(text, show, theirs);
  note.dataset.liveTheirs = value;
}

function clearChanged(el) {
  const note = changedNote(el);
  if (note) note.remove();
}

function flash(el) {
  el.classList.add("live-updated");
  setTimeout(function () { el.classList.remove("live-updated"); }, 1200);
}
