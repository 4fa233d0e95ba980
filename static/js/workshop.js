// The workshop on every participant's screen: the guest's name remembered on this device,
// the idea form opened at the stage in view. Markup contract (templates/workshop/panel.html):
//   [data-workshop-name-form]  the guest has no name yet: filled and sent from localStorage
//   [data-workshop-name]       the guest's name: kept in localStorage, copied to the question form
//   [data-workshop-stage]      the idea form's stage select: set to the stage in view
const NAME_KEY = "cvj-guest-name";

function remembered() {
  try { return localStorage.getItem(NAME_KEY) || ""; } catch (e) { return ""; }
}

function remember(name) {
  try { localStorage.setItem(NAME_KEY, name); } catch (e) { /* private mode: the cookie still holds it */ }
}

function stageInView() {
  const panel = document.getElementById("stage-panel");
  if (panel && panel.dataset.stage) return panel.dataset.stage;
  const root = document.querySelector("[data-live-socket]");
  if (root && root.dataset.liveFollowed) return root.dataset.liveFollowed;
  const hash = location.hash.match(/^#stage-([a-z]+)$/);
  if (hash) return hash[1];
  return root ? root.dataset.liveStage || "" : "";
}

function setUp(scope) {
  scope.querySelectorAll("[data-workshop-name-form]").forEach(function (form) {
    const input = form.querySelector("[data-workshop-name-input]");
    form.addEventListener("submit", function () { if (input.value.trim()) remember(input.value.trim()); });
    const name = remembered();
    if (name && input && !input.value) { // the cookie is gone but this device knows the name
      input.value = name;
      form.requestSubmit();
    }
  });
  scope.querySelectorAll("[data-workshop-name]").forEach(function (el) {
    const name = el.dataset.workshopName;
    if (!name) return;
    remember(name);
    document.querySelectorAll("input[name=name][data-live-guest-name]").forEach(function (input) {
      if (!input.value) input.value = name;
    });
  });
  scope.querySelectorAll("[data-workshop-stage]").forEach(function (select) {
    const stage = stageInView();
    if (stage && select.querySelector('option[value="' + stage + '"]')) select.value = stage;
  });
}

setUp(document);
document.addEventListener("htmx:load", function (event) {
  const el = event.detail && event.detail.elt;
  if (el && el.querySelectorAll) setUp(el.parentElement || el);
});

// The board's dots after a vote closes: [data-workshop-dots] holds {stage tactic id: dots}
// (a live part, redrawn on "vote"); each board tactic with dots gets a badge.
function paintDots() {
  const holder = document.querySelector("[data-workshop-dots]");
  if (!holder) return;
  let dots = {};
  try { dots = JSON.parse(holder.dataset.workshopDots || "{}"); } catch (e) { return; }
  document.querySelectorAll(".board-tactic[data-id]").forEach(function (item) {
    const count = dots[item.dataset.id] || 0;
    let badge = item.querySelector(".board-dots");
    if (!count) { if (badge) badge.remove(); return; }
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "board-dots";
      const name = item.querySelector(".board-tactic-name"); // inside the name: never clipped
      if (name) name.prepend(badge); else item.append(badge);
    }
    badge.dataset.boardDots = String(count);
    badge.title = count + (count === 1 ? " dot" : " dots") + " in the team's vote";
    badge.textContent = "● " + count;
  });
}
paintDots();
document.addEventListener("htmx:load", paintDots);
document.addEventListener("cvj:live-swapped", paintDots);

// An idea accepted from this page changed the map here too: live.js leaves a page's own
// changes to the page, so the stage's board column and lists are redrawn from their sources.
// (On htmx:beforeSwap: the answer is in; the swap's target, still in the page, bubbles it.)
document.addEventListener("htmx:beforeSwap", function (event) {
  const config = event.detail && event.detail.requestConfig;
  const form = config && config.elt; // (detail.elt is the swap's target here)
  if (!form || !form.dataset || !form.dataset.workshopRedraw || event.detail.xhr.status >= 400) return;
  const parts = form.dataset.workshopRedraw.split(" ");
  setTimeout(function () { parts.forEach(redraw); }, 0);
});

function redraw(part) {
  document.querySelectorAll('[data-live-part="' + part + '"][data-live-src]').forEach(function (el) {
    if (el.id && window.htmx) htmx.ajax("GET", el.dataset.liveSrc, { target: "#" + el.id, swap: "outerHTML" });
  });
}
