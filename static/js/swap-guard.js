// Swaps never take text from the user.
// htmx replaces a region by removing the old nodes; the focused field would go with them and
// htmx would focus a fresh copy holding the server's (older) text. So, synchronously around
// the swap (no keystroke can land in between): the focused text field is moved out of the
// region before the swap and put in place of its new copy after it — the same node, with its
// live value, selection, undo history and listeners. `moveBefore` keeps it focused while it
// moves; without it, focus and selection are put back by hand in the same task.
const canMove = typeof Element.prototype.moveBefore === "function";
let guards = [];
const focusAtRequest = new WeakMap(); // xhr -> the element focused when it started
const sentAt = new WeakMap(); // xhr -> when it left the browser

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

export function guardSwap(target, oob, xhr) {
  if (!target || !target.contains) return;
  const active = document.activeElement;
  const guard = { oob: oob, target: target, targetId: target.id, hadFocus: !!(active && active !== document.body && target.contains(active)), kept: null, focusId: "" };
  const before = xhr && focusAtRequest.get(xhr);
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
export function settleGuards(onlyOob) {
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

// When an htmx request left the browser (0 if unknown): what it renders may miss saves
// answered after that moment.
export function requestSentAt(xhr) {
  return (xhr && sentAt.get(xhr)) || 0;
}

export function startSwapGuard() {
  // Where the focus was when a request started: disabling a clicked button during the request
  // (data-hx-disabled-elt) drops the focus to <body> before the answer is swapped in.
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.xhr) focusAtRequest.set(event.detail.xhr, document.activeElement);
  });
  document.body.addEventListener("htmx:beforeSend", function (event) {
    if (event.detail.xhr) sentAt.set(event.detail.xhr, Date.now());
  });
}

