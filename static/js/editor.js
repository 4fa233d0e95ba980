// CVJ Mapper editor: autosave that never loses text, drag-and-drop ordering, shortcuts,
// and the session clock. htmx handles the section swaps; autosave is plain fetch because it
// must never swap the field being typed in, must retry with backoff and keep drafts locally.
(function () {
  "use strict";

  const editor = document.getElementById("editor");
  if (!editor) return;
  const journeyId = editor.dataset.journey;
  const saveUrl = editor.dataset.autosaveUrl;
  const statusEl = document.getElementById("save-status");
  const DEBOUNCE_MS = 600;
  const MAX_BACKOFF_MS = 30000;
  const fields = new Map(); // key -> state
  let lastSavedAt = "";

  function csrfToken() {
    const headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
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

  function renderPageStatus() {
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

  function isDirty(state) {
    return state.input.value !== state.savedValue || state.inflight || state.status === "conflict";
  }

  function schedule(state, delay) {
    clearTimeout(state.timer);
    state.timer = setTimeout(function () { save(state); }, delay);
  }

  function save(state) {
    clearTimeout(state.timer);
    if (state.status === "conflict") return; // waits for the user's choice
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
    const body = new URLSearchParams({ target: state.target, field: state.field, value: value, base: state.base });
    const controller = new AbortController();
    const timeout = setTimeout(function () { controller.abort(); }, 15000);
    fetch(saveUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      signal: controller.signal,
      headers: { "X-CSRFToken": csrfToken(), "X-CVJ-Autosave": "1", Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(
          function (payload) { return { http: response.status, payload: payload }; },
          function () { return { http: response.status, payload: null }; }
        );
      })
      .then(function (result) { handleResult(state, value, result); })
      .catch(function () { handleNetworkError(state); })
      .finally(function () {
        clearTimeout(timeout);
        state.inflight = false;
        if (state.status === "offline" || state.status === "conflict" || state.status === "error") return;
        if (state.pending || state.input.value !== state.savedValue) schedule(state, 0);
        renderPageStatus();
      });
  }

  function handleResult(state, sent, result) {
    const payload = result.payload;
    if (result.http === 200 && payload) {
      // The rail's meters only depend on whether a field is filled: refresh it (which
      // replaces the stage tabs) only when that flips, so clicks on tabs are not lost.
      const shapeChanged = (state.base.trim() === "") !== (payload.value.trim() === "");
      state.backoff = 1000;
      state.base = payload.value;
      state.savedValue = sent;
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
    } else if (result.http === 409 && payload) {
      showConflict(state, payload.theirs, state.input.value);
      setFieldState(state, "conflict", "Conflict");
    } else if (result.http === 422 && payload) {
      showError(state, payload.error);
      setFieldState(state, "error", "Not saved");
    } else if (result.http === 403 || result.http === 404 || result.http === 401) {
      showError(state, "Could not save (your session may have ended). Your text is kept on this device — reload to sign in again.");
      setFieldState(state, "error", "Not saved");
    } else {
      handleNetworkError(state);
    }
  }

  function handleNetworkError(state) {
    storeDraft(state);
    setFieldState(state, "offline", "Offline — will retry");
    const delay = state.backoff;
    state.backoff = Math.min(state.backoff * 2, MAX_BACKOFF_MS);
    clearTimeout(state.retryTimer);
    state.retryTimer = setTimeout(function () {
      state.status = "retrying";
      save(state);
    }, delay);
  }

  function showError(state, message) {
    removeError(state);
    const el = document.createElement("div");
    el.className = "field-error";
    el.setAttribute("role", "alert");
    el.textContent = message;
    state.container.appendChild(el);
    state.errorEl = el;
  }

  function removeError(state) {
    if (state.errorEl) { state.errorEl.remove(); state.errorEl = null; }
  }

  function removeConflict(state) {
    if (state.conflictEl) { state.conflictEl.remove(); state.conflictEl = null; }
  }

  function showConflict(state, theirs, yours, quiet) {
    removeConflict(state);
    state.theirs = theirs;
    const box = document.createElement("div");
    box.className = "conflict";
    box.setAttribute("role", "alert");
    const title = document.createElement("h3");
    title.textContent = "Someone else changed this while you were typing.";
    const versions = document.createElement("div");
    versions.className = "versions";
    [["Their version", theirs], ["Your version", yours]].forEach(function (pair) {
      const col = document.createElement("div");
      const label = document.createElement("div");
      label.className = "small muted";
      label.textContent = pair[0];
      const pre = document.createElement("pre");
      pre.textContent = pair[1] || "(empty)";
      col.append(label, pre);
      versions.appendChild(col);
    });
    const actions = document.createElement("div");
    actions.className = "actions";
    const keepMine = button("Keep mine", "btn btn-sm btn-primary", function () {
      state.base = theirs;
      resolve(state);
    });
    const useTheirs = button("Use theirs", "btn btn-sm", function () {
      state.input.value = theirs;
      state.base = theirs;
      state.savedValue = theirs;
      resolve(state);
      clearDraft(state);
      setFieldState(state, "saved", "Saved");
    });
    const hint = document.createElement("span");
    hint.className = "small muted";
    hint.textContent = "Or merge both into the field, then choose Keep mine.";
    actions.append(keepMine, useTheirs, hint);
    box.append(title, versions, actions);
    state.container.appendChild(box);
    state.conflictEl = box;
    if (!quiet) keepMine.focus({ preventScroll: true });
  }

  function resolve(state) {
    removeConflict(state);
    state.status = "idle";
    if (state.baseInput) state.baseInput.value = state.base;
    save(state);
    state.input.focus({ preventScroll: true });
  }

  function button(text, className, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = className;
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }

  function bindField(container) {
    if (container.dataset.autosaveBound) return;
    const input = container.querySelector("[data-autosave-input]");
    if (!input) return;
    container.dataset.autosaveBound = "1";
    const key = container.dataset.target + "|" + container.dataset.field;
    const previous = fields.get(key);
    const baseInput = container.querySelector("[data-autosave-base]");
    if (previous && previous.input !== input && isDirty(previous) && !previous.input.isConnected) {
      // The stage was reopened while this field's text was unsaved or still saving: the new
      // copy takes over the same state (text, base, queue, retries), so nothing is lost and
      // the next save is not based on the outdated server render.
      const text = previous.stateEl ? previous.stateEl.textContent : "";
      input.value = previous.input.value;
      previous.container = container;
      previous.input = input;
      previous.baseInput = baseInput;
      previous.stateEl = container.querySelector(".field-state");
      previous.conflictEl = null;
      previous.errorEl = null;
      if (baseInput) baseInput.value = previous.base;
      if (previous.status === "conflict") showConflict(previous, previous.theirs, input.value, true);
      listen(container, input, previous);
      setFieldState(previous, previous.status, text);
      return;
    }
    if (previous) { clearTimeout(previous.timer); clearTimeout(previous.retryTimer); }
    const state = {
      key: key,
      container: container,
      input: input,
      baseInput: baseInput,
      stateEl: container.querySelector(".field-state"),
      target: container.dataset.target,
      field: container.dataset.field,
      base: baseInput ? baseInput.value : input.defaultValue,
      savedValue: input.value,
      status: "saved",
      inflight: false,
      pending: false,
      backoff: 1000,
      timer: null,
      retryTimer: null,
    };
    fields.set(key, state);
    listen(container, input, state);
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

  function listen(container, input, state) {
    if (container.tagName === "FORM") {
      container.addEventListener("submit", function (event) { event.preventDefault(); save(state); });
    }
    input.addEventListener("input", function () {
      removeError(state);
      if (state.status === "error") state.status = "idle";
      storeDraft(state);
      if (state.status !== "conflict" && state.status !== "offline") {
        setFieldState(state, "dirty", "Editing…");
      }
      schedule(state, DEBOUNCE_MS);
    });
    input.addEventListener("blur", function () { if (state.status !== "offline") save(state); });
    input.addEventListener("change", function () { if (state.status !== "offline") save(state); });
  }

  function bindAll(root) {
    root.querySelectorAll("[data-autosave]").forEach(bindField);
    root.querySelectorAll("[data-sortable]").forEach(bindSortable);
  }

  // --- Drag-and-drop ordering (buttons are the keyboard alternative)
  function bindSortable(list) {
    if (list.dataset.sortableBound || !window.Sortable) return;
    list.dataset.sortableBound = "1";
    Sortable.create(list, {
      handle: ".drag-handle",
      animation: 150,
      onEnd: function (evt) {
        if (evt.oldIndex === evt.newIndex) return;
        const ids = Array.from(list.children).map(function (li) { return li.dataset.id; });
        htmx.ajax("POST", list.dataset.reorderUrl, {
          target: list.dataset.swapTarget,
          swap: "outerHTML",
          values: { order: ids },
        });
      },
    });
  }

  // --- Library search: Enter adds the first match, arrows move through results.
  document.addEventListener("keydown", function (event) {
    const target = event.target;
    if (target.matches && target.matches("[data-library-input]")) {
      if (event.key === "Enter") {
        event.preventDefault();
        const first = document.querySelector("#library-results [data-library-result]");
        const form = first && first.closest("form");
        if (form && window.htmx) {
          // Results may have arrived a moment ago: make sure htmx owns the form before
          // submitting, or the browser would post it natively and reload the page.
          htmx.process(form);
          htmx.trigger(form, "submit");
        } else if (first) {
          first.click();
        }
      } else if (event.key === "ArrowDown") {
        const first = document.querySelector("#library-results [data-library-result]");
        if (first) { event.preventDefault(); first.focus(); }
      }
      return;
    }
    if (target.matches && target.matches("[data-library-result]") && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      const all = Array.from(document.querySelectorAll("#library-results [data-library-result]"));
      const next = all[all.indexOf(target) + (event.key === "ArrowDown" ? 1 : -1)];
      event.preventDefault();
      (next || document.querySelector("[data-library-input]")).focus();
      return;
    }
    // Alt+1..8 opens a stage; Alt+Left/Right walks the stages.
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    const tabs = Array.from(document.querySelectorAll(".stage-tab"));
    let tab = null;
    if (/^Digit[1-8]$/.test(event.code)) tab = tabs[Number(event.code.slice(5)) - 1];
    if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      const current = tabs.findIndex(function (t) { return t.getAttribute("aria-current") === "true"; });
      tab = tabs[current + (event.key === "ArrowRight" ? 1 : -1)];
    }
    if (tab) { event.preventDefault(); tab.click(); }
  });

  // Flush pending saves before htmx replaces a section, and clear forms that asked for it.
  document.body.addEventListener("htmx:beforeSwap", function () {
    fields.forEach(function (s) { if (s.input.isConnected && s.input.value !== s.savedValue) save(s); });
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    const form = event.detail.elt;
    if (event.detail.successful && form && form.matches && form.matches("[data-reset-on-success]")) form.reset();
  });
  document.body.addEventListener("htmx:load", function (event) { bindAll(event.detail.elt); });

  window.addEventListener("beforeunload", function (event) {
    let unsaved = false;
    fields.forEach(function (s) { if (counts(s) && isDirty(s)) unsaved = true; });
    if (unsaved) { event.preventDefault(); event.returnValue = ""; }
  });
  window.addEventListener("online", function () {
    fields.forEach(function (s) { if (s.status === "offline") { clearTimeout(s.retryTimer); s.status = "retrying"; save(s); } });
  });

  // --- Session clock ticks locally between server updates.
  setInterval(function () {
    const session = document.getElementById("session");
    if (!session || session.dataset.running !== "1") return;
    const startedAt = session._startedAt || (session._startedAt = Date.now() - Number(session.dataset.elapsed) * 1000);
    const seconds = Math.floor((Date.now() - startedAt) / 1000);
    const clock = session.querySelector("[data-clock]");
    const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    clock.textContent = h + ":" + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
  }, 1000);

  bindAll(document);
  renderPageStatus();
  // Exposed for the browser tests and for debugging a live session.
  window.cvjAutosave = { fields: fields, status: renderPageStatus };
})();
