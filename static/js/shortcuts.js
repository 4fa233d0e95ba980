// Keyboard shortcuts of the editor: Alt+1…8 / Alt+←→ open a stage with the focus on its goal,
// Alt+T the stage's library search, Alt+O its offers, and Enter on the offer picker attaches.
// Until the stage arrives, keystrokes go into holding fields and are played into the new stage,
// in order, when it does (editor.js calls typeaheadArrived after each swap, typeaheadFailed
// after a failed request), so "Alt+3, type" at full speed loses nothing.
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

export function typeaheadArrived() {
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

export function typeaheadFailed() {
  if (!typeahead) return;
  // The stage did not open: show what was typed so it can be copied, instead of losing it.
  [typeahead.holder].concat((typeahead.steps || []).map(function (step) { return step.holder; })).forEach(function (holder) {
    holder.classList.add("typeahead-failed");
    holder.setAttribute("aria-label", "Not opened — your text");
  });
  typeahead = null;
}

export function startShortcuts() {
  document.addEventListener("keydown", function (event) {
    const target = event.target;
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
}
