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
      .then(function (result) { handleResult(state, value, result); })
      .catch(function () { handleNetworkError(state, 0); })
      .finally(function () {
        clearTimeout(timeout);
        state.inflight = false;
        if (state.status === "offline" || state.status === "conflict" || state.status === "error") return;
        if (state.pending || state.input.value !== state.savedValue) schedule(state, 0);
        renderPageStatus();
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
      showConflict(state, payload.theirs, state.input.value, document.activeElement === state.input);
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

  function showError(state, message) {
    removeError(state);
    const el = document.createElement("div");
    el.className = "field-error";
    el.setAttribute("role", "alert");
    el.textContent = message;
    state.container.appendChild(el);
    state.errorEl = el;
    state.errorText = message;
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
    if (state.status === "conflict") showConflict(state, state.theirs, input.value, true);
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

  // --- The library search is a combobox: the focus stays in the search field, ↑/↓ move the
  // marked option (aria-activedescendant), Enter adds the marked one — with no library match,
  // that is the typed text as a custom tactic — and Esc or an empty field closes the list.
  const library = { browsing: false, markedId: "", dismissed: false, committed: null };

  function libraryParts() {
    const input = document.querySelector("[data-library-input]");
    const results = document.getElementById("library-results");
    const listbox = document.getElementById("lib-listbox");
    return { input: input, results: results, listbox: listbox };
  }

  function libraryOptions(listbox) {
    return listbox ? Array.from(listbox.querySelectorAll("[role=option]")) : [];
  }

  function markOption(parts, option) {
    libraryOptions(parts.listbox).forEach(function (o) {
      o.setAttribute("aria-selected", o === option ? "true" : "false");
      o.classList.toggle("is-active", o === option);
    });
    if (option) {
      parts.input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      parts.input.removeAttribute("aria-activedescendant");
    }
  }

  function syncLibrary() {
    const parts = libraryParts();
    if (!parts.input || !parts.results) return;
    const options = libraryOptions(parts.listbox);
    options.forEach(function (o) { o.tabIndex = -1; }); // options are not Tab stops
    const open = options.length > 0 && !library.dismissed && (parts.input.value.trim() !== "" || library.browsing);
    if (parts.listbox) parts.listbox.hidden = !open;
    parts.input.setAttribute("aria-expanded", open ? "true" : "false");
    // An option the user moved to stays marked when the results refresh under it.
    const active = (library.markedId && options.find(function (o) { return o.id === library.markedId; })) ||
      options.find(function (o) { return o.getAttribute("aria-selected") === "true"; }) || options[0];
    markOption(parts, open ? active : null);
    const status = document.getElementById("lib-status");
    if (status) status.textContent = open ? parts.results.dataset.summary || "" : "";
  }

  function closeLibrary() {
    library.browsing = false;
    syncLibrary();
  }

  function searchNow(parts) {
    if (window.htmx) htmx.trigger(parts.input, "search-now");
  }

  function addMarked(parts) {
    const option = parts.input.getAttribute("aria-activedescendant") && document.getElementById(parts.input.getAttribute("aria-activedescendant"));
    const form = option && option.form;
    if (!form || option.disabled) return;
    if (form.matches("[data-clears-search]")) {
      // The typed text is used up: clear the field (and so close the list) for the next one.
      parts.input.value = "";
      library.browsing = false;
    } else {
      // Enter again adds the next match; typing replaces the search for the next tactic.
      parts.input.select();
    }
    if (window.htmx) {
      // Results may have arrived a moment ago: make sure htmx owns the form before
      // submitting, or the browser would post it natively and reload the page.
      htmx.process(form);
      htmx.trigger(form, "submit");
    } else {
      form.requestSubmit(option);
    }
    if (!parts.input.value) syncLibrary();
  }

  function onLibraryKey(event, parts) {
    const options = libraryOptions(parts.listbox);
    const open = parts.input.getAttribute("aria-expanded") === "true";
    if (event.key === "Enter") {
      event.preventDefault();
      if (!parts.input.value.trim()) return;
      if (!parts.results || parts.results.dataset.query !== parts.input.value.trim()) {
        // The list shows an older search: the server adds what the fresh list would have
        // marked (the first match, else the text as a custom tactic). The text is selected,
        // so the next tactic typed at once replaces it.
        if (window.htmx && parts.input.dataset.addUrl) {
          htmx.ajax("POST", parts.input.dataset.addUrl, {
            target: "#tactics", swap: "outerHTML", values: { query: parts.input.value.trim() },
          });
          parts.input.select();
          library.committed = parts.input.value.trim();
        }
        return;
      }
      addMarked(parts);
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!open) {
        library.browsing = true;
        library.dismissed = false;
        if (options.length && parts.results.dataset.query === parts.input.value.trim()) syncLibrary();
        else searchNow(parts);
        return;
      }
      const current = options.indexOf(document.getElementById(parts.input.getAttribute("aria-activedescendant")));
      const step = event.key === "ArrowDown" ? 1 : -1;
      const next = options[(current + step + options.length) % options.length];
      library.markedId = next ? next.id : "";
      markOption(parts, next);
    } else if (event.key === "Escape") {
      if (open) { event.preventDefault(); library.dismissed = true; closeLibrary(); }
      else if (parts.input.value) { event.preventDefault(); parts.input.value = ""; syncLibrary(); }
    }
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("[data-library-input]")) {
      library.markedId = ""; // new text, new results: the first one is marked again
      library.dismissed = false;
      if (!event.target.value.trim()) closeLibrary();
    }
  });

  function libraryArrived(event) {
    syncLibrary();
    const target = event && event.detail && event.detail.target;
    if (library.committed === null || !target || target.id !== "tactics") return;
    // Added by Enter before the results came: if it became a custom tactic, its text is used
    // up (as with the "Add … as a custom tactic" option); a library match keeps the search.
    const parts = libraryParts();
    const name = library.committed.toLowerCase();
    library.committed = null;
    if (!parts.input || parts.input.value.trim().toLowerCase() !== name) return; // typing on
    const custom = Array.from(document.querySelectorAll("#tactics .tactic-item")).some(function (li) {
      const title = li.querySelector(".tactic-name");
      return li.querySelector(".tactic-channel") && title && title.textContent.trim().toLowerCase() === name;
    });
    if (custom) { parts.input.value = ""; closeLibrary(); }
  }

  document.addEventListener("keydown", function (event) {
    const target = event.target;
    if (target.matches && target.matches("[data-library-input]") && !event.altKey) {
      onLibraryKey(event, libraryParts());
      return;
    }
    // Enter on the offer picker attaches the chosen offer (a select has no Enter of its own).
    if (target.matches && target.matches("select[data-submit-on-enter]") && event.key === "Enter") {
      event.preventDefault();
      const form = target.form;
      if (form && window.htmx) { htmx.process(form); htmx.trigger(form, "submit"); }
      else if (form) form.requestSubmit();
      return;
    }
    // Enter while the stage is still opening, after Alt+T / Alt+O: kept for when it arrives.
    if (typeahead && typeahead.next && target === typeahead.next.holder && event.key === "Enter") {
      event.preventDefault();
      const next = typeahead.next;
      if (next.kind === "offers") next.entered = true;
      else if (next.holder.value.trim()) { next.adds.push(next.holder.value.trim()); next.holder.value = ""; }
      return;
    }
    // Alt+T: add a tactic (the library search); Alt+O: the stage's offers.
    if (event.altKey && !event.ctrlKey && !event.metaKey && (event.code === "KeyT" || event.code === "KeyO")) {
      if (typeahead) { event.preventDefault(); typeaheadNext(event.code === "KeyT" ? "search" : "offers"); return; }
      const el = event.code === "KeyT"
        ? document.querySelector("#stage-panel [data-library-input]")
        : document.querySelector("#stage-panel #attach-offer, #stage-panel #offers details > summary");
      if (el) { event.preventDefault(); el.focus(); }
      return;
    }
    // Alt+1..8 opens a stage; Alt+Left/Right walks the stages.
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    const tabs = Array.from(document.querySelectorAll("#stage-rail .stage-tab"));
    let tab = null;
    if (/^Digit[1-8]$/.test(event.code)) tab = tabs[Number(event.code.slice(5)) - 1];
    if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      const current = tabs.findIndex(function (t) { return t.getAttribute("aria-current") === "true"; });
      tab = tabs[current + (event.key === "ArrowRight" ? 1 : -1)];
    }
    if (tab) { event.preventDefault(); openStage(tab); }
  });

  // --- Swaps never take text from the user.
  // htmx replaces a region by removing the old nodes; the focused field would go with them and
  // htmx would focus a fresh copy holding the server's (older) text. So, synchronously around
  // the swap (no keystroke can land in between): the focused text field is moved out of the
  // region before the swap and put in place of its new copy after it — the same node, with its
  // live value, selection, undo history and listeners. `moveBefore` keeps it focused while it
  // moves; without it, focus and selection are put back by hand in the same task.
  const canMove = typeof Element.prototype.moveBefore === "function";
  let guards = [];

  function isTextEntry(el) {
    return el && (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && /^(text|search|email|url|tel|number|)$/.test(el.type || "")));
  }

  // Which field a node is, across renders: its autosave key, else its id within its stage.
  function identity(el) {
    const box = el.closest("[data-autosave]");
    if (box && box.querySelector("[data-autosave-input]") === el) return "autosave:" + box.dataset.target + "|" + box.dataset.field;
    if (!el.id) return "";
    const stage = el.closest("[data-stage]");
    return "id:" + el.id + "|" + (stage ? stage.dataset.stage : "");
  }

  function twinOf(ident, node) {
    const candidates = ident.indexOf("autosave:") === 0
      ? document.querySelectorAll("[data-autosave] [data-autosave-input]")
      : document.querySelectorAll("#" + CSS.escape(ident.slice(3, ident.indexOf("|"))));
    for (const el of candidates) if (el !== node && identity(el) === ident) return el;
    return null;
  }

  function move(parent, node, before) {
    if (canMove && node.isConnected && parent.isConnected) parent.moveBefore(node, before);
    else parent.insertBefore(node, before);
  }

  function guardSwap(target, oob, xhr) {
    if (!target || !target.contains) return;
    const active = document.activeElement;
    const guard = { oob: oob, target: target, targetId: target.id, hadFocus: !!(active && active !== document.body && target.contains(active)), kept: null, focusId: "" };
    const before = xhr && xhr.cvjFocus;
    if ((!active || active === document.body) && before && before !== document.body && target.contains(before)) {
      guard.hadFocus = true;
      guard.focusId = before.id || "";
    }
    if (guard.hadFocus && isTextEntry(active) && identity(active)) {
      guard.kept = {
        node: active,
        ident: identity(active),
        start: active.selectionStart,
        end: active.selectionEnd,
        direction: active.selectionDirection,
        scrollTop: active.scrollTop,
        home: active.parentNode,
        next: active.nextSibling,
      };
      move(document.body, active, null); // out of harm's way while the region is replaced
    }
    guards.push(guard);
    // A swap that was cancelled or failed still gives the node back (after this task).
    queueMicrotask(function () { settleGuards(false); });
  }

  // An out-of-band swap gives its node back at once; the main swap (which comes after the
  // out-of-band ones) settles everything, focus included, once the whole page is in place.
  function settleGuards(onlyOob) {
    guards.forEach(function (guard) { if (!onlyOob || guard.oob) restoreKept(guard); });
    if (onlyOob) return;
    const pending = guards;
    guards = [];
    pending.forEach(function (guard) {
      const active = document.activeElement;
      if (guard.hadFocus && (!active || active === document.body || !active.isConnected)) focusAfterSwap(guard);
    });
  }

  function restoreKept(guard) {
    const kept = guard.kept;
    if (kept && kept.node.parentNode === document.body) {
      const node = kept.node;
      const twin = twinOf(kept.ident, node);
      if (twin) {
        move(twin.parentNode, node, twin);
        twin.remove();
      } else if (kept.home && kept.home.isConnected) {
        move(kept.home, node, kept.next && kept.next.parentNode === kept.home ? kept.next : null);
      } else {
        node.remove(); // its part of the page is gone (another stage opened)
      }
      if (node.isConnected && document.activeElement !== node) {
        node.focus({ preventScroll: true });
        try { node.setSelectionRange(kept.start, kept.end, kept.direction); } catch (e) { /* not a text field */ }
        node.scrollTop = kept.scrollTop;
      }
    }
  }

  // Focus lost with the replaced region goes to the control the server marked, or the region's
  // stated fallback, so the keyboard user carries on from a sensible place.
  const FOCUS_FALLBACK = {
    "stage-panel": "#f-goal",
    "editor-view": "#f-goal",
    tactics: "#lib-q",
    "library-results": "#lib-q",
    offers: "#attach-offer, #offers details > summary",
  };

  function focusAfterSwap(guard) {
    const region = (guard.targetId && document.getElementById(guard.targetId)) || null;
    const same = guard.focusId && document.getElementById(guard.focusId);
    let el = same && !same.disabled ? same : null;
    if (!el && region) {
      el = region.querySelector("[data-focus-after-swap]");
      // A move that reached the top (or bottom) disabled its own button: the other one is next.
      if (el && el.disabled) el = el.closest("li") && el.closest("li").querySelector("[data-move]:not([disabled])");
    }
    if (!el && region && FOCUS_FALLBACK[region.id]) el = document.querySelector(FOCUS_FALLBACK[region.id]);
    if (!el) el = document.querySelector("#stage-panel [data-focus-after-swap]:not([disabled])");
    if (el) {
      el.focus({ preventScroll: false });
      el.removeAttribute("data-focus-after-swap"); // it meant "after this swap" only
    }
  }

  // Where the focus was when a request started: disabling a clicked button during the request
  // (data-hx-disabled-elt) drops the focus to <body> before the answer is swapped in.
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.xhr) event.detail.xhr.cvjFocus = document.activeElement;
  });
  document.body.addEventListener("htmx:beforeSend", function (event) {
    if (event.detail.xhr) event.detail.xhr.cvjSentAt = Date.now();
  });
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    // Flush pending saves before htmx replaces a section.
    fields.forEach(function (s) { if (s.input.isConnected && s.input.value !== s.savedValue) save(s); });
    if (event.detail.shouldSwap) guardSwap(event.detail.target, false, event.detail.xhr);
  });
  document.body.addEventListener("htmx:oobBeforeSwap", function (event) {
    if (event.detail.shouldSwap !== false) guardSwap(event.detail.target, true);
  });
  function afterSwap(event) {
    // `autofocus` in swapped content means "the focus goes here after this swap" — if the swap
    // took the focus away. htmx would focus it at settle, whatever the user did meanwhile.
    document.querySelectorAll("#editor [autofocus]").forEach(function (el) {
      el.removeAttribute("autofocus");
      el.setAttribute("data-focus-after-swap", "");
    });
    settleGuards(event.type === "htmx:oobAfterSwap");
    // Bind the new fields now, before htmx's settle: a keystroke in between would otherwise be
    // taken for the saved text, or overwritten. (base.html sets the settle delay to 0 so that
    // swapped-in forms are wired by htmx in the same task: a press before would reload the page.)
    const xhr = event.detail && event.detail.xhr;
    renderSentAt = (xhr && xhr.cvjSentAt) || 0;
    bindAll(document);
    renderSentAt = 0;
    typeaheadArrived();
    libraryArrived(event);
  }
  document.body.addEventListener("htmx:afterSwap", afterSwap);
  document.body.addEventListener("htmx:oobAfterSwap", afterSwap);
  document.body.addEventListener("htmx:afterRequest", function (event) {
    const form = event.detail.elt;
    if (event.detail.successful && form && form.matches && form.matches("[data-reset-on-success]")) {
      form.reset();
      const first = form.querySelector("input:not([type=hidden]), textarea");
      if (first && (!document.activeElement || document.activeElement === document.body || form.contains(document.activeElement))) first.focus();
    }
    if (!event.detail.successful) typeaheadFailed();
    if (event.detail.successful && form && form.matches && form.matches("[data-clears-search]")) {
      const parts = libraryParts();
      if (parts.input) {
        parts.input.value = "";
        closeLibrary();
        parts.input.focus();
      }
    }
  });
  document.body.addEventListener("htmx:load", function (event) { bindAll(event.detail.elt); });

  // Re-clicking the stage that is already open does nothing: no request, no swap.
  document.addEventListener("click", function (event) {
    const tab = event.target.closest && event.target.closest(".stage-tab");
    if (tab && tab.getAttribute("aria-current") === "true" && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  // --- Alt+1…8 / Alt+←→: open a stage with the focus on its goal.
  // Until the stage arrives, keystrokes go into a holding field and are put at the end of the
  // goal when it does, so "Alt+3, type" at full speed loses nothing.
  let typeahead = null;

  function goalOf(slug) {
    const panel = document.getElementById("stage-panel");
    if (!panel || panel.dataset.stage !== slug) return null;
    return panel.querySelector("[data-autosave][data-field='goal'] [data-autosave-input]");
  }

  function focusEnd(input) {
    input.focus();
    const end = input.value.length;
    try { input.setSelectionRange(end, end); } catch (e) { /* not a text field */ }
  }

  function openStage(tab) {
    const slug = tab.dataset.stageSlug;
    const goal = goalOf(slug);
    if (goal) { focusEnd(goal); return; }
    if (!typeahead) {
      const holder = document.createElement("textarea");
      holder.className = "typeahead";
      holder.setAttribute("aria-label", "Goal for " + (tab.dataset.stageName || "the stage") + " (opening…)");
      (document.getElementById("editor") || document.body).appendChild(holder);
      typeahead = { holder: holder, slug: slug };
    }
    typeahead.slug = slug;
    typeahead.holder.focus();
    tab.click();
  }

  // Alt+T / Alt+O before the stage has arrived mean that stage's search and offers, not the
  // ones on screen (which are about to go): what is typed, and each Enter, waits in holding
  // fields (one a shortcut) and is played into the new stage, in order, when it arrives.
  function typeaheadNext(kind) {
    const steps = typeahead.steps || (typeahead.steps = []);
    let next = steps[steps.length - 1];
    if (!next || next.kind !== kind) {
      const holder = document.createElement("input");
      holder.type = "text";
      holder.className = "typeahead";
      holder.setAttribute("aria-label", (kind === "search" ? "Add a tactic" : "Offers") + " (opening…)");
      (document.getElementById("editor") || document.body).appendChild(holder);
      next = { kind: kind, holder: holder, adds: [], entered: false };
      steps.push(next);
    }
    typeahead.next = next;
    next.holder.focus();
  }

  function typeaheadArrived() {
    if (!typeahead) return;
    const goal = goalOf(typeahead.slug);
    if (!goal) return;
    const holder = typeahead.holder;
    const steps = typeahead.steps || [];
    const hadFocus = document.activeElement === holder;
    typeahead = null;
    const text = holder.value;
    holder.remove();
    if (text) {
      goal.value = goal.value + text;
      goal.dispatchEvent(new Event("input", { bubbles: true }));
    }
    if (hadFocus) focusEnd(goal);
    let chain = Promise.resolve();
    steps.forEach(function (step) { chain = chain.then(function () { return playStep(step); }); });
  }

  // One shortcut's worth of what was typed while the stage opened. Each Enter in the search adds
  // what the server would mark for that text (as an Enter before the results arrive does);
  // what was typed after the last Enter stays in the search.
  function playStep(step) {
    const hadFocus = document.activeElement === step.holder;
    const rest = step.holder.value;
    step.holder.remove();
    if (step.kind === "offers") {
      const picker = document.querySelector("#stage-panel #attach-offer, #stage-panel #offers details > summary");
      if (!picker) return null;
      if (hadFocus) picker.focus();
      if (step.entered) picker.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true }));
      return null;
    }
    const input = document.querySelector("#stage-panel [data-library-input]");
    if (!input) return null;
    if (hadFocus) focusEnd(input);
    let chain = Promise.resolve();
    step.adds.forEach(function (query) {
      chain = chain.then(function () {
        return window.htmx && htmx.ajax("POST", input.dataset.addUrl, { target: "#tactics", swap: "outerHTML", values: { query: query } });
      });
    });
    return chain.then(function () {
      const search = document.querySelector("#stage-panel [data-library-input]");
      if (!search || !rest) return;
      search.value = rest + search.value;
      search.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  function typeaheadFailed() {
    if (!typeahead) return;
    // The stage did not open: show what was typed so it can be copied, instead of losing it.
    [typeahead.holder].concat((typeahead.steps || []).map(function (step) { return step.holder; })).forEach(function (holder) {
      holder.classList.add("typeahead-failed");
      holder.setAttribute("aria-label", "Not opened — your text");
    });
    typeahead = null;
  }

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
  syncLibrary();
  // Exposed for the browser tests and for debugging a live session.
  window.cvjAutosave = { fields: fields, status: renderPageStatus };
})();
