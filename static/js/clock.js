// The session clock ticks locally between server renders: the editor's side panel and
// Present's corner clock. The element carries data-elapsed (seconds at render) and
// data-running="1" while the session runs; the time goes in its [data-clock] child, or in it.

const startedAt = new WeakMap(); // clock element -> when its session started, by this page's clock

function since(clock) {
  if (!startedAt.has(clock)) startedAt.set(clock, Date.now() - Number(clock.dataset.elapsed) * 1000);
  return startedAt.get(clock);
}

export function formatElapsed(seconds) {
  const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
  return h + ":" + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
}

// `find` returns the clock element now on the page (a swap may have replaced it), or null.
export function startClock(find) {
  const first = find();
  if (first) since(first);
  setInterval(function () {
    const clock = find();
    if (!clock || clock.dataset.running !== "1") return;
    const face = clock.querySelector("[data-clock]") || clock;
    face.textContent = formatElapsed(Math.floor((Date.now() - since(clock)) / 1000));
  }, 1000);
}
