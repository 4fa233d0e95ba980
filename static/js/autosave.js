// Autosave that never loses text: one registry of the page's fields (`fields`, keyed
// "target|field"), a queue per field, drafts in localStorage, retry with backoff, the
// three-way conflict answer, and the page's save status. Plain fetch (or the live socket while
// it is up), not htmx: a save must never swap the field being typed in, must retry with
// backoff and keep drafts locally.
// The registry exists on every page (live.js asks it whether a field holds unsaved text);
// only the editor starts saving (startAutosave).
import { removeConflict, removeError, showConflict, showError } from "./conflicts.js";

const DEBOUNCE_MS = 600;
const MAX_BACKOFF_MS = 30000;
const DRAFT_EVERY_MS = 100; // others see the text as it is typed, ~10 frames a second at most
// Saves and drafts go over the live socket while it is up (live.js offers it); a text whose
// frame would pass this many bytes (the server refuses frames over 16 KiB) goes over HTTP.
const SOCKET_FRAME_BYTES = 12000;
let socket = null; // {save(message) -> Promise<result>, draft(key, text)} or null
export const fields = new Map(); // key -> state
let journeyId = "";
let saveUrl = "";
let statusEl = null;
let lastSavedAt = "";

function csrfToken() {
  const headers = JSON.parse(document.body.getAttribute("data-hx-headers") || "{}");
  return headers["x-csrftoken"] || "";
}

function draftKey(state) {
  return "cvj:journey:" + journeyId + ":" + state.target + ":" + state.field;
}

function storeDraft(state) {
  try {
    localStorage.setItem(
      draftKey(state),
      JSON.stringify({ value: state.input.value, base: state.base, at: Date.now() })
    );
  } catch (e) { /* storage full or disabled: the in-memory queue still retries */ }
}

function clearDraft(state) {
  try { localStorage.removeItem(draftKey(state)); } catch (e) { /* ignore */ }
}

function readDraft(state) {
  try {
    const raw = localStorage.getItem(draftKey(state));
    return raw ? JSON.parse(raw) : null;
  } catch (e) { return null; }
}

function setFieldState(state, name, text) {
  state.status = name;
  if (state.stateEl) {
    state.stateEl.dataset.state = name;
    state.stateEl.textContent = text;
  }
  renderPageStatus();
}

export function renderPageStatus() {
  if (!statusEl) return;
  let saving = 0, offline = 0, conflicts = 0, errors = 0, dirty = 0;
  fields.forEach(function (s) {
    if (!counts(s)) return;
    if (s.status === "saving") saving++;
    else if (s.status === "offline") offline++;
    else if (s.status === "conflict") conflicts++;
    else if (s.status === "error") errors++;
    if (isDirty(s)) dirty++;
  });
  let state = "saved", text = lastSavedAt ? "All changes saved · " + lastSavedAt : "All changes saved";
  if (conflicts) { state = "conflict"; text = conflicts + (conflicts === 1 ? " conflict" : " conflicts") + " to resolve"; }
  else if (errors) { state = "error"; text = errors === 1 ? "1 field needs attention" : errors + " fields need attention"; }
  else if (offline) { state = "offline"; text = "Offline — will retry"; }
  else if (saving || dirty) { state = "saving"; text = "Saving" + (Math.max(saving, dirty) > 1 ? " " + Math.max(saving, dirty) : "") + "…"; }
  statusEl.dataset.state = state;
  statusEl.textContent = text;
}

// A field swapped out of the page (another stage opened) still counts while its save is out.
function counts(state) {
  return state.input.isConnected || state.inflight || state.pending ||
    state.status === "saving" || state.status === "offline" || state.status === "retrying";
}

// Whether a field holds text the server does not have yet (or a conflict to resolve).
export function isDirty(state) {
  return state.input.value !== state.savedValue || state.inflight || state.status === "conflict";
}

// live.js hands over its socket once it is open and greeted, and takes it back when it closes.
// A greeted socket means the server is back: a field waiting out its backoff after a failed
// save tries again now instead of when its timer ends (up to MAX_BACKOFF_MS later).
export function useSocket(transport) {
  socket = transport;
  if (!transport) return;
  fields.forEach(function (s) {
    if (s.status !== "offline" || !s.input.isConnected) return;
    clearTimeout(s.retryTimer);
    s.status = "retrying";
    save(s);
  });
}

function frameBytes(message) {
  return new Blob([JSON.stringify(message)]).size;
}

// The text so far, to the others (never stored): at most one frame per DRAFT_EVERY_MS, the
// last keystroke always sent.
function sendDraft(state) {
  if (!socket) return;
  const wait = DRAFT_EVERY_MS - (Date.now() - (state.draftAt || 0));
  clearTimeout(state.draftTimer);
  const go = function () {
    state.draftAt = Date.now();
    const text = state.input.value;
    if (socket && text.length * 3 < SOCKET_FRAME_BYTES) socket.draft(state.target + "." + state.field, text);
  };
  if (wait <= 0) go();
  else state.draftTimer = setTimeout(go, wait);
}

// One save over HTTP: the answer as {http, payload, text, redirected, retryAfter}.
function httpSave(message) {
  const controller = new AbortController();
  const timeout = setTimeout(function () { controller.abort(); }, 15000);
  return fetch(saveUrl, {
    method: "POST",
    body: new URLSearchParams(message),
    credentials: "same-origin",
    signal: controller.signal,
    headers: { "X-CSRFToken": csrfToken(), "X-CVJ-Autosave": "1", Accept: "application/json" },
  })
    .then(function (response) {
      return response.text().then(function (text) {
        let payload = null;
        try { payload = JSON.parse(text); } catch (e) { /* an HTML or text answer */ }
        return {
          http: response.status,
          payload: payload,
          text: text,
          redirected: response.redirected,
          retryAfter: Number(response.headers.get("Retry-After")) || 0,
        };
      });
    })
    .finally(function () { clearTimeout(timeout); });
}

// Over the socket when it is up; a save it does not acknowledge (closed, timed out, refused)
// goes over HTTP at once — the three-way rule makes a repeat harmless ("unchanged").
function send(message) {
  if (socket && frameBytes(message) <= SOCKET_FRAME_BYTES) {
    return socket.save(message).catch(function () { return httpSave(message); });
  }
  return httpSave(message);
}

function schedule(state, delay) {
  clearTimeout(state.timer);
  state.timer = setTimeout(function () { save(state); }, delay);
}

function save(state) {
  clearTimeout(state.timer);
  if (state.status === "conflict") return; // waits for the user's choice
  if (state.status === "error" && state.input.value === state.refusedValue) return; // final until edited
  if (state.inflight) { state.pending = true; return; }
  const value = state.input.value;
  if (value === state.savedValue && state.status !== "offline" && state.status !== "error") {
    clearDraft(state);
    if (state.status !== "saved") setFieldState(state, "saved", "Saved");
    return;
  }
  state.inflight = true;
  state.pending = false;
  setFieldState(state, "saving", "Saving…");
  send({ target: state.target, field: state.field, value: value, base: state.base })
    .then(function (result) { handleResult(state, value, result); })
    .catch(function () { handleNetworkError(state, 0); })
    .finally(function () {
      state.inflight = false;
      if (state.status === "offline" || state.status === "conflict" || state.status === "error") return;
      if (state.pending || state.input.value !== state.savedValue) schedule(state, 0);
      renderPageStatus();
    });
}

// Save now every field on the page whose text differs from the saved (before a swap) — but
// not one waiting out its backoff after the server said "try again": its retry is scheduled,
// its text is kept, and a swap (a part loading after the page) must not hammer the server.
export function flushUnsaved() {
  fields.forEach(function (s) {
    if (s.status === "offline") return;
    if (s.input.isConnected && s.input.value !== s.savedValue) save(s);
  });
}

// Only a lost connection or a gateway/server that says "try again" (502, 503, 504) is
// retried; any other answer is final and shown on the field, so the user is told the truth
// instead of "will retry" forever. The text stays in the field and on this device.
const RETRYABLE = [502, 503, 504];

function handleResult(state, sent, result) {
  const payload = result.payload;
  if (result.http === 200 && payload && typeof payload.value === "string" && !result.redirected) {
    // Refresh the rail (which replaces the stage tabs) only when the server says a meter
    // changed (selectors.COMPLETENESS_FIELDS), so clicks on tabs are not lost.
    const shapeChanged = payload.shape_changed === true;
    state.backoff = 1000;
    state.base = payload.value;
    state.savedValue = sent;
    state.ackedAt = Date.now();
    state.baseInput && (state.baseInput.value = payload.value);
    lastSavedAt = payload.saved_at;
    if (state.input.value === sent) {
      clearDraft(state);
      setFieldState(state, "saved", "Saved " + payload.saved_at);
    } else {
      storeDraft(state);
      setFieldState(state, "saving", "Saving…");
    }
    removeConflict(state);
    removeError(state);
    if (window.htmx) {
      htmx.trigger(document.body, "journey-changed");
      if (shapeChanged) htmx.trigger(document.body, "journey-shape-changed");
    }
  } else if (result.http === 409 && payload && typeof payload.theirs === "string") {
    showConflict(state, payload.theirs, state.input.value, document.activeElement === state.input, choicesFor(state));
    setFieldState(state, "conflict", "Conflict");
  } else if (RETRYABLE.indexOf(result.http) !== -1) {
    handleNetworkError(state, result.retryAfter * 1000);
  } else {
    clearTimeout(state.retryTimer);
    storeDraft(state);
    state.refusedValue = sent;
    showError(state, answerMessage(result));
    setFieldState(state, "error", "Not saved");
  }
}

// The words to show for a final answer: the server's own message when it sent a short one
// (JSON "error", or the text of a small HTML/text body), else one line per kind of answer.
function answerMessage(result) {
  const payload = result.payload;
  if (payload && typeof payload.error === "string" && payload.error.trim()) return payload.error.trim();
  const status = result.http;
  if (result.redirected || status === 401 || status === 403) {
    return "Not saved: your session may have ended. Your text is kept on this device — reload to sign in again.";
  }
  if (result.text && !payload && status >= 400 && status < 500) {
    const text = new DOMParser().parseFromString(result.text, "text/html").body.textContent.replace(/\s+/g, " ").trim();
    if (text && text.length <= 300) return text;
  }
  if (status === 404) return "Not saved: this item no longer exists (it may have been removed). Your text is kept on this device.";
  if (status === 413) return "Not saved: the text is too long. Shorten it and it will save.";
  if (status === 409) return "Not saved: someone else changed this. Reload to see their version; your text is kept on this device.";
  if (status >= 400 && status < 500) return "Not saved: the server refused this text (" + status + "). Change it and it will save again.";
  return "Not saved: the server failed (" + status + "). Your text is kept on this device; edit it or reload to try again.";
}

function handleNetworkError(state, minDelay) {
  storeDraft(state);
  setFieldState(state, "offline", "Offline — will retry");
  const delay = Math.max(state.backoff, minDelay || 0);
  state.backoff = Math.min(state.backoff * 2, MAX_BACKOFF_MS);
  clearTimeout(state.retryTimer);
  state.retryTimer = setTimeout(function () {
    state.status = "retrying";
    save(state);
  }, delay);
}

// The user's choice in the conflict box.
function choicesFor(state) {
  return {
    keepMine: function (theirs) {
      state.base = theirs;
      resolve(state);
    },
    useTheirs: function (theirs) {
      state.input.value = theirs;
      state.base = theirs;
      state.savedValue = theirs;
      resolve(state);
      clearDraft(state);
      setFieldState(state, "saved", "Saved");
    },
  };
}

function resolve(state) {
  removeConflict(state);
  state.status = "idle";
  if (state.baseInput) state.baseInput.value = state.base;
  save(state);
  state.input.focus({ preventScroll: true });
}

// When the content being bound was rendered: the time its request left the browser. A save
// answered after that moment may be missing from the render.
let renderSentAt = 0;

// The value a field was rendered with (a select has no defaultValue of its own).
function renderedValue(input) {
  if (input.tagName !== "SELECT") return input.defaultValue;
  const option = Array.from(input.options).find(function (o) { return o.defaultSelected; }) || input.options[0];
  return option ? option.value : "";
}

function bindField(container) {
  if (container.dataset.autosaveBound) return;
  const input = container.querySelector("[data-autosave-input]");
  if (!input) return;
  container.dataset.autosaveBound = "1";
  const key = container.dataset.target + "|" + container.dataset.field;
  const previous = fields.get(key);
  const baseInput = container.querySelector("[data-autosave-base]");
  if (previous && (previous.input === input || (!previous.input.isConnected && keepsLocal(previous)))) {
    adopt(previous, container, input, baseInput);
    return;
  }
  if (previous) { clearTimeout(previous.timer); clearTimeout(previous.retryTimer); }
  const state = {
    key: key,
    container: container,
    input: input,
    baseInput: baseInput,
    stateEl: container.querySelector(".field-state, [data-field-state]"),
    target: container.dataset.target,
    field: container.dataset.field,
    base: baseInput ? baseInput.value : renderedValue(input),
    savedValue: renderedValue(input),
    status: "saved",
    inflight: false,
    pending: false,
    backoff: 1000,
    ackedAt: 0,
    timer: null,
    retryTimer: null,
  };
  fields.set(key, state);
  listen(container, input, state);
  if (input.value !== renderedValue(input)) {
    // Typed into before it was bound (content swapped in by other code): that text is the
    // user's, not the server's, so it is saved rather than taken as the saved value.
    storeDraft(state);
    setFieldState(state, "dirty", "Editing…");
    schedule(state, DEBOUNCE_MS);
    return;
  }
  // A draft left by a crash, reload or lost connection comes back and is saved.
  const draft = readDraft(state);
  if (draft && draft.value !== input.value) {
    input.value = draft.value;
    state.base = draft.base;
    setFieldState(state, "dirty", "Restored unsaved text");
    schedule(state, 50);
  } else if (draft) {
    clearDraft(state);
  }
}

// Whether a field's state outlives a re-render of it: unsaved or unresolved text always
// does, and so does a save answered after the re-render was requested (the server may have
// rendered the text from before that save).
function keepsLocal(state) {
  return isDirty(state) || state.pending || state.status === "offline" || state.status === "error" ||
    state.status === "conflict" || state.status === "retrying" || (renderSentAt && state.ackedAt >= renderSentAt);
}

// The freshly rendered copy of a field takes over its state: text, base, queue and retries,
// so nothing is lost and the next save is not based on an outdated server render. `input`
// is either the very node the user was typing in (kept through the swap) or its new copy.
function adopt(state, container, input, baseInput) {
  const text = state.stateEl ? state.stateEl.textContent : "";
  // Never put older text over newer: if the new copy was typed into already, it wins.
  if (state.input !== input && input.value === renderedValue(input)) input.value = state.input.value;
  listen(container, input, state);
  state.container = container;
  state.input = input;
  state.baseInput = baseInput;
  state.stateEl = container.querySelector(".field-state, [data-field-state]");
  state.conflictEl = null;
  state.errorEl = null;
  if (baseInput) baseInput.value = state.base;
  if (state.status === "conflict") showConflict(state, state.theirs, input.value, true, choicesFor(state));
  if (state.status === "error" && state.errorText) showError(state, state.errorText);
  setFieldState(state, state.status, text);
  if (input.value !== state.savedValue && !state.inflight && state.status !== "conflict" && state.status !== "offline") {
    schedule(state, DEBOUNCE_MS);
  }
}

function listen(container, input, state) {
  if (container.tagName === "FORM") {
    container.addEventListener("submit", function (event) { event.preventDefault(); save(state); });
  }
  if (input.dataset.autosaveListening) return; // a node kept through a swap keeps its listeners
  input.dataset.autosaveListening = "1";
  input.addEventListener("input", function () {
    removeError(state);
    if (state.status === "error") state.status = "idle";
    storeDraft(state);
    sendDraft(state);
    if (state.status !== "conflict" && state.status !== "offline") {
      setFieldState(state, "dirty", "Editing…");
    }
    schedule(state, DEBOUNCE_MS);
  });
  input.addEventListener("blur", function () { if (state.status !== "offline") save(state); });
  input.addEventListener("change", function () { if (state.status !== "offline") save(state); });
}

// Bind every autosaved field under `root`. `sentAt`: when the request that rendered them left
// the browser (0 for the page itself), so a save answered after it is not taken as outdated.
export function bindFields(root, sentAt) {
  if (!saveUrl) return; // not the editor: nothing saves here
  renderSentAt = sentAt || 0;
  try {
    root.querySelectorAll("[data-autosave]").forEach(bindField);
  } finally {
    renderSentAt = 0;
  }
}

// The editor starts saving: `editor` carries the journey id and the autosave URL.
export function startAutosave(editor) {
  journeyId = editor.dataset.journey;
  saveUrl = editor.dataset.autosaveUrl;
  statusEl = document.getElementById("save-status");
  window.addEventListener("beforeunload", function (event) {
    let unsaved = false;
    fields.forEach(function (s) { if (counts(s) && isDirty(s)) unsaved = true; });
    if (unsaved) { event.preventDefault(); event.returnValue = ""; }
  });
  window.addEventListener("online", function () {
    fields.forEach(function (s) { if (s.status === "offline") { clearTimeout(s.retryTimer); s.status = "retrying"; save(s); } });
  });
  // For the browser tests and for debugging a live session: which fields hold text the server
  // does not have (document.dispatchEvent(new CustomEvent("cvj:autosave-unsaved", {detail: {}}))).
  document.addEventListener("cvj:autosave-unsaved", function (event) {
    if (!event.detail) return;
    event.detail.fields = Array.from(fields.values())
      .filter(function (s) { return s.input.value !== s.savedValue; })
      .map(function (s) { return { target: s.target, field: s.field }; });
  });
}
