// The workshop on every participant's screen: the guest's name remembered on this device,
// the idea form opened at the stage in view. Markup contract (templates/workshop/panel.html):
//   [data-workshop-name-form]  the guest has no name yet: filled and sent from localStorage
//   [data-workshop-name]       the guest's name: kept in localStorage, copied to the question form
//   [data-workshop-stage]      the idea form's stage select: set to the stage in view
//   [data-room-clock]          the room's clock (below)
import { formatElapsed } from "./clock.js";

const NAME_KEY = "cvj-guest-name";
let announced = false;

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
    if (remembered() !== name || !announced) {
      // live.js reads the name with every stage message: one now, so the others see it at
      // once rather than at the next heartbeat.
      announced = true;
      setTimeout(function () { window.dispatchEvent(new HashChangeEvent("hashchange")); }, 0);
    }
    remember(name);
    document.querySelectorAll("input[name=name][data-live-guest-name]").forEach(function (input) {
      if (!input.value) input.value = name;
    });
  });
  scope.querySelectorAll("[data-workshop-stage]").forEach(function (select) {
    if (select.dataset.workshopStageSet) return; // once: never undo what someone picked
    select.dataset.workshopStageSet = "1";
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

// --- One clock for the room: [data-room-clock] carries the session's elapsed seconds at
// render, whether it runs, the agenda's slots (a JSON script: [{name, end}]) and the sound
// switch. It ticks here; when a timebox ends while it runs, every screen says so (and beeps).
let lastSlot = null;
const clockSeen = new WeakMap(); // clock element -> when this page rendered it

function slotsOf(clock) {
  const data = clock.querySelector('script[type="application/json"]');
  try { return data ? JSON.parse(data.textContent) : []; } catch (e) { return []; }
}

function beep() {
  try {
    const audio = new (window.AudioContext || window.webkitAudioContext)();
    [0, 0.3].forEach(function (at) {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.2, audio.currentTime + at);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + at + 0.25);
      tone.connect(gain).connect(audio.destination);
      tone.start(audio.currentTime + at);
      tone.stop(audio.currentTime + at + 0.25);
    });
  } catch (e) { /* no audio here: the notice still shows */ }
}

function tickClock() {
  const clock = document.querySelector("[data-room-clock]");
  if (!clock) return;
  if (!clockSeen.has(clock)) clockSeen.set(clock, Date.now());
  const running = clock.dataset.running === "1";
  const elapsed = Number(clock.dataset.elapsed) + (running ? Math.floor((Date.now() - clockSeen.get(clock)) / 1000) : 0);
  const slots = slotsOf(clock);
  const index = slots.findIndex(function (slot) { return elapsed < slot.end; });
  const face = clock.querySelector("[data-clock]");
  if (face) face.textContent = formatElapsed(elapsed);
  const item = clock.querySelector("[data-room-clock-item]");
  if (item) item.textContent = index >= 0 ? slots[index].name : "Wrap-up";
  const left = clock.querySelector("[data-room-clock-left]");
  if (left) {
    const seconds = index >= 0 ? slots[index].end - elapsed : 0;
    left.textContent = index < 0 ? "" : seconds < 60 ? "· " + seconds + " s left" : "· " + Math.ceil(seconds / 60) + " min left";
  }
  // Forward only: "+5 min" moves the clock back into a timebox, which is no time's up.
  const moved = lastSlot !== null && lastSlot >= 0 && (index < 0 || index > lastSlot);
  if (running && moved && slots[lastSlot]) {
    const alert = clock.querySelector("[data-room-clock-alert]");
    if (alert) {
      alert.textContent = "Time's up: " + slots[lastSlot].name + (index >= 0 ? " — next: " + slots[index].name : "");
      alert.hidden = false;
      clock.dataset.timeUp = slots[lastSlot].name;
      setTimeout(function () { alert.hidden = true; }, 20000);
    }
    if (clock.dataset.sound === "1") beep();
  }
  lastSlot = index;
}
setInterval(tickClock, 1000);
tickClock();
document.addEventListener("htmx:load", tickClock);

// Present's join box steps aside when the strategist wants the whole board.
document.addEventListener("click", function (event) {
  const hide = event.target.closest && event.target.closest("[data-join-hide]");
  if (!hide) return;
  const box = hide.closest("[data-workshop-join]");
  if (box) box.hidden = true;
});

// An idea was added: clear its name and note for the next one (stage and kind stay).
document.addEventListener("workshop-idea-added", function () {
  document.querySelectorAll("[data-workshop-idea-form]").forEach(function (form) {
    form.querySelectorAll("input[name=name], textarea[name=note]").forEach(function (field) { field.value = ""; });
  });
});
