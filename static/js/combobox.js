// The library search is a combobox (WAI-ARIA 1.2 pattern): the focus stays in the search field,
// ↑/↓ move the marked option (aria-activedescendant), Enter adds the marked one — with no
// library match, that is the typed text as a custom tactic — and Esc or an empty field closes
// the list. editor.js tells it when results arrive (libraryArrived) and a request ends.
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

export function syncLibrary() {
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

let adding = Promise.resolve();

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
        const url = parts.input.dataset.addUrl;
        const query = parts.input.value.trim();
        // One add at a time: each answer replaces #tactics whole, so an add sent while another
        // is in flight must target the list that answer brings, not the one it replaced (a
        // swap into the detached old list showed nothing though the tactic was saved).
        adding = adding
          .then(function () {
            return htmx.ajax("POST", url, { target: "#tactics", swap: "outerHTML", values: { query: query } });
          })
          .catch(function () { /* the page shows the failure; the next add still goes */ });
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

// Results (or the tactics) arrived by a swap.
export function libraryArrived(event) {
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

// A form marked data-clears-search was answered: its text is used up, the search starts again.
export function libraryRequestDone(event) {
  const form = event.detail.elt;
  if (event.detail.successful && form && form.matches && form.matches("[data-clears-search]")) {
    const parts = libraryParts();
    if (parts.input) {
      parts.input.value = "";
      closeLibrary();
      parts.input.focus();
    }
  }
}

export function startCombobox() {
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("[data-library-input]")) {
      library.markedId = ""; // new text, new results: the first one is marked again
      library.dismissed = false;
      if (!event.target.value.trim()) closeLibrary();
    }
  });
  document.addEventListener("keydown", function (event) {
    const target = event.target;
    if (target.matches && target.matches("[data-library-input]") && !event.altKey) onLibraryKey(event, libraryParts());
  });
}
