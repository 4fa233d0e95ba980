// Inline set-up forms (client page): a form the user opens starts with its first field focused,
// and on a new client the first form is ready to type into.
function firstField(root) {
  return root.querySelector("input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])");
}

document.addEventListener("toggle", function (event) {
  const details = event.target;
  if (details.matches && details.matches("details[data-focus-on-open]") && details.open) {
    const field = firstField(details);
    if (field) field.focus();
  }
}, true); // toggle does not bubble

// After an inline add, the section is swapped in again: keep the user in its form.
document.body.addEventListener("htmx:afterSwap", function (event) {
  const section = event.detail.target && document.getElementById(event.detail.target.id);
  if (!section || document.activeElement && document.activeElement !== document.body) return;
  const invalid = section.querySelector(".has-error");
  const root = invalid || section.querySelector("[data-focus-first]");
  const field = root && firstField(root);
  if (field) field.focus();
});

const start = document.querySelector("[data-focus-first]");
if (start && (!document.activeElement || document.activeElement === document.body)) {
  const field = firstField(start);
  if (field) field.focus();
}
