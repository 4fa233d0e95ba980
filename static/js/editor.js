// The journey editor's page: starts autosave, the combobox, the shortcuts, the swap guard and
// the session clock, and runs them in order around every htmx request and swap (flush the
// saves, guard the focused field, swap, bind the new fields before settle, then let the
// shortcuts and the library search see what arrived). htmx handles the section swaps.
import { bindFields, flushUnsaved, renderPageStatus, startAutosave } from "./autosave.js";
import { libraryArrived, libraryRequestDone, startCombobox, syncLibrary } from "./combobox.js";
import { startClock } from "./clock.js";
import { startShortcuts, typeaheadArrived, typeaheadFailed } from "./shortcuts.js";
import { bindSortables } from "./sortable.js";
import { guardSwap, requestSentAt, settleGuards, startSwapGuard } from "./swap-guard.js";

const editor = document.getElementById("editor");
if (editor) start(editor);

function bindAll(root, sentAt) {
  bindFields(root, sentAt);
  bindSortables(root);
}

function start(editor) {
  startAutosave(editor);
  startCombobox();
  startShortcuts();
  startSwapGuard();

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    flushUnsaved(); // pending saves go out before htmx replaces a section
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
    bindAll(document, requestSentAt(event.detail && event.detail.xhr));
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
    libraryRequestDone(event);
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

  startClock(function () { return document.getElementById("session"); });

  bindAll(document);
  renderPageStatus();
  syncLibrary();
}
