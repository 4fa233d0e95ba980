// What a field shows when its save did not go through: the conflict box ("theirs" and "yours",
// keep mine or use theirs) and the error line for a final refusal. Only the DOM lives here;
// what each choice does to the save queue is autosave.js's (passed in as callbacks).

function button(text, className, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = className;
  b.textContent = text;
  b.addEventListener("click", onClick);
  return b;
}

export function removeConflict(state) {
  if (state.conflictEl) { state.conflictEl.remove(); state.conflictEl = null; }
}

export function showConflict(state, theirs, yours, quiet, choices) {
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
  const keepMine = button("Keep mine", "btn btn-sm btn-primary", function () { choices.keepMine(theirs); });
  const useTheirs = button("Use theirs", "btn btn-sm", function () { choices.useTheirs(theirs); });
  const hint = document.createElement("span");
  hint.className = "small muted";
  hint.textContent = "Or merge both into the field, then choose Keep mine.";
  actions.append(keepMine, useTheirs, hint);
  box.append(title, versions, actions);
  state.container.appendChild(box);
  state.conflictEl = box;
  if (!quiet) keepMine.focus({ preventScroll: true });
}

export function removeError(state) {
  if (state.errorEl) { state.errorEl.remove(); state.errorEl = null; }
}

export function showError(state, message) {
  removeError(state);
  const el = document.createElement("div");
  el.className = "field-error";
  el.setAttribute("role", "alert");
  el.textContent = message;
  state.container.appendChild(el);
  state.errorEl = el;
  state.errorText = message;
}
