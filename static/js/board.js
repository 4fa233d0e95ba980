// CVJ Mapper board: edit a goal in place (the autosave itself is editor.js's, on the same
// data-autosave form the stage view uses), keep the board/stage switch in step, and run
// Present: slides, keys, text that fits its box. No inline script (CSP 'self').
import { startClock } from "./clock.js";

// --- Board: goals edited in place -------------------------------------------------------
function markBoards(root) {
  (root.matches && root.matches("[data-board]") ? [root] : [])
    .concat(Array.from((root.querySelectorAll ? root : document).querySelectorAll("[data-board]")))
    .forEach(function (board) { board.classList.add("board-js"); });
}

function goalParts(col) {
  return {
    text: col.querySelector("[data-board-edit]"),
    form: col.querySelector(".board-goal-form"),
    input: col.querySelector(".board-goal-form [data-autosave-input]"),
  };
}

function startGoalEdit(col) {
  const parts = goalParts(col);
  if (!parts.input) return;
  col.classList.add("is-editing-goal");
  parts.input.focus({ preventScroll: true });
  const end = parts.input.value.length;
  parts.input.setSelectionRange(end, end);
}

function endGoalEdit(col) {
  const parts = goalParts(col);
  if (!parts.text || !parts.input) return;
  const value = parts.input.value.trim();
  parts.text.textContent = value || parts.text.dataset.liveEmpty || "";
  parts.text.classList.toggle("is-empty", !value);
  col.classList.remove("is-editing-goal");
}

document.addEventListener("click", function (event) {
  const goal = event.target.closest && event.target.closest("[data-board-edit]");
  if (goal) startGoalEdit(goal.closest(".board-col"));
});

document.addEventListener("keydown", function (event) {
  const target = event.target;
  if (!target.closest) return;
  if (target.matches("[data-board-edit]") && (event.key === "Enter" || event.key === " ")) {
    event.preventDefault();
    startGoalEdit(target.closest(".board-col"));
    return;
  }
  const form = target.closest(".board-goal-form");
  if (form && (event.key === "Escape" || (event.key === "Enter" && !event.shiftKey))) {
    // Enter finishes the goal (Shift+Enter for a new line); leaving the field saves it.
    event.preventDefault();
    const col = form.closest(".board-col");
    const text = col.querySelector("[data-board-edit]");
    target.blur();
    endGoalEdit(col);
    if (text) text.focus({ preventScroll: true });
  }
});

document.addEventListener("focusout", function (event) {
  const form = event.target.closest && event.target.closest(".board-goal-form");
  if (!form) return;
  const col = form.closest(".board-col");
  // Runs after editor.js's own blur handler has queued the save.
  setTimeout(function () { if (!form.contains(document.activeElement)) endGoalEdit(col); }, 0);
});

// --- The editor's board/stage switch follows whatever #editor-view now holds -------------
function syncViewSwitch() {
  const view = document.getElementById("editor-view");
  const links = document.querySelectorAll("[data-view-link]");
  if (!view || !links.length) return;
  const onBoard = !!view.querySelector("[data-board]");
  const panel = view.querySelector("#stage-panel");
  links.forEach(function (link) {
    const isBoard = link.dataset.viewLink === "board";
    if (isBoard === onBoard) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
    if (!isBoard && panel && window.htmx) {
      const slug = panel.dataset.stage;
      const url = link.getAttribute("data-hx-get").replace(/\/stages\/[^/]+\/$/, "/stages/" + slug + "/");
      if (link.getAttribute("data-hx-get") !== url) {
        link.setAttribute("data-hx-get", url);
        link.setAttribute("href", "?stage=" + slug);
        link.setAttribute("data-hx-push-url", "?stage=" + slug);
        htmx.process(link);
      }
    }
  });
  document.body.classList.toggle("on-board", onBoard);
  // Present starts where the strategist is: the whole board, or the open stage's slide.
  const presentLink = document.querySelector(".editor-head a[href*='/present/']");
  if (presentLink) {
    const base = presentLink.getAttribute("href").split("?")[0];
    presentLink.setAttribute("href", onBoard || !panel ? base : base + "?stage=" + panel.dataset.stage);
  }
}

document.body.addEventListener("htmx:afterSettle", function () { syncViewSwitch(); fitAll(); });
document.body.addEventListener("htmx:load", function (event) { markBoards(event.detail.elt); });

// --- Present ------------------------------------------------------------------------------
const present = document.querySelector("[data-present]");
const slides = present ? present.dataset.slides.split(" ") : [];

function show(slide, push) {
  if (!present || slides.indexOf(slide) < 0) return;
  present.dataset.slide = slide;
  const url = new URL(window.location.href);
  url.searchParams.delete("stage");
  url.searchParams.delete("slide");
  if (slide !== "board") url.searchParams.set(slides.indexOf(slide) <= 8 ? "stage" : "slide", slide);
  if (push !== false) history.replaceState(null, "", url);
  present.querySelectorAll("[data-goto]").forEach(function (link) {
    if (link.dataset.goto === slide) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  });
  fitAll();
}

if (present) {
  present.addEventListener("click", function (event) {
    const link = event.target.closest("[data-goto]");
    if (link) { event.preventDefault(); show(link.dataset.goto); return; }
    const col = event.target.closest(".slide-board .board-col");
    if (col) show(col.dataset.stage);
  });
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const at = slides.indexOf(present.dataset.slide);
    let next = null;
    if (/^[1-8]$/.test(event.key)) next = slides[Number(event.key)];
    else if (event.key === "ArrowRight" || event.key === "PageDown" || event.key === " ") next = slides[Math.min(at + 1, slides.length - 1)];
    else if (event.key === "ArrowLeft" || event.key === "PageUp") next = slides[Math.max(at - 1, 0)];
    else if (event.key === "Escape" || event.key === "Home" || event.key === "0") next = "board";
    if (next) { event.preventDefault(); show(next); }
  });
  // From the keyboard a column is reached by its name, a real link (data-goto, above).

  const clock = present.querySelector("[data-present-clock]");
  if (clock) {
    try { if (localStorage.getItem("cvj:present:clock") === "hidden") clock.classList.add("is-hidden"); } catch (e) { /* ignore */ }
    clock.addEventListener("click", function () {
      clock.classList.toggle("is-hidden");
      try { localStorage.setItem("cvj:present:clock", clock.classList.contains("is-hidden") ? "hidden" : "shown"); } catch (e) { /* ignore */ }
    });
    if (clock.dataset.running === "1") startClock(function () { return clock; });
  }
}

// --- Text that fits its box: the largest font size at which nothing overflows ----------
function overflows(box) {
  return box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1;
}

function fitSize(scope, boxes, min, max) {
  let lo = min, hi = max;
  scope.style.setProperty("--fit-fs", hi + "px");
  if (!boxes.some(overflows)) return hi;
  for (let i = 0; i < 7; i++) {
    const mid = (lo + hi) / 2;
    scope.style.setProperty("--fit-fs", mid + "px");
    if (boxes.some(overflows)) hi = mid; else lo = mid;
  }
  scope.style.setProperty("--fit-fs", lo + "px");
  // Still too much at the smallest size: let the box scroll rather than clip.
  scope.classList.toggle("fit-overflow", boxes.some(overflows));
  return lo;
}

function fitAll() {
  if (!present) return;
  const current = present.querySelector('[data-slide-id="' + present.dataset.slide + '"]');
  if (!current) return;
  const board = current.querySelector(".board-present");
  if (board) {
    fitSize(board, Array.from(board.querySelectorAll(".board-body")), 9, 17);
  } else {
    current.querySelectorAll("[data-fit=grow]").forEach(function (box) { fitSize(box, [box], 14, 30); });
  }
}

let resizeTimer = null;
window.addEventListener("resize", function () { clearTimeout(resizeTimer); resizeTimer = setTimeout(fitAll, 100); });

markBoards(document);
syncViewSwitch();
if (present) {
  show(present.dataset.slide, false);
  if (document.fonts && document.fonts.ready) {
    document.fonts.ready.then(fitAll);
    // `ready` can resolve before the page has asked for its web fonts; each weight of Inter
    // that arrives later changes the metrics (font-display: swap), so fit again.
    document.fonts.addEventListener("loadingdone", fitAll);
  }
}
