// CVJ Mapper live: what others change appears here after it commits, who is here and where,
// "Sam is typing…", and "Everyone follow me". The contract with the page (LIVE-CONTRACT):
//   [data-live-socket]  the root: socket path, data-live-version (the version rendered),
//                       data-live-can-edit="1" for strategists, data-live-view (editor|present|…)
//   [data-live-field="<target>.<field>"]  shows or edits one autosaved value
//   [data-live-part][data-live-src]       a region re-rendered (outerHTML) when that part changes
//   [data-live-optional]                  around a shown value: hidden while the value is empty
// A field being typed in is never replaced ("Changed by Sam — show"; autosave's three-way rule
// decides on save), and a region holding the focus is swapped only once the focus leaves it.
// While the socket is open and greeted, the root carries data-live-connected (for the browser
// tests and for debugging a live session).
import { endDrafts, showDraft } from "./live-drafts.js";
import { applyFields, cssEscape, reapplySince, remember } from "./live-fields.js";
import { createSocketSaves } from "./live-saves.js";

const liveRoot = document.querySelector("[data-live-socket]");
if (liveRoot && window.WebSocket) startLive(liveRoot);

function startLive(root) {

  const canEdit = root.dataset.liveCanEdit === "1";
  const view = root.dataset.liveView || "";
  const clientId = Math.random().toString(36).slice(2, 12);
  const HEARTBEAT_MS = 10000;
  const SILENCE_MS = 25000; // no message for this long: the socket is dead, reconnect
  const TYPING_SHOW_MS = 3000;
  const TYPING_THROTTLE_MS = 1000;

  let lastVersion = Number(root.dataset.liveVersion || 0);
  let socket = null;
  let attempt = 0;
  let everConnected = false;
  let refused = false;
  let me = null;
  let lastHeard = 0;
  let reconnectTimer = null;
  let followState = null; // the presenter's {id, name, stage, slide, view}, or null
  let following = true; // a follower may step out and back in
  let leading = false; // this page asked everyone to follow it
  const roster = new Map();
  const partSeq = new Map();
  const typingTimers = new Map();
  const lastTypingSent = new Map();

  // --- The bar: paused notice, who is here, follow controls
  const bar = document.createElement("div");
  bar.className = "live-bar";
  bar.setAttribute("data-live-bar", "");
  const notice = document.createElement("span");
  notice.className = "live-notice";
  notice.setAttribute("role", "status");
  notice.hidden = true;
  notice.textContent = "Live updates paused — reconnecting…";
  const people = document.createElement("ul");
  people.className = "live-people";
  people.setAttribute("aria-label", "Who is in this journey");
  const followBox = document.createElement("span");
  followBox.className = "live-follow";
  bar.append(people, followBox, notice);
  root.prepend(bar);

  // Open and greeted: the page is live (a stable hook for the browser tests).
  function markConnected() {
    if (socket && socket.readyState === WebSocket.OPEN && me) root.dataset.liveConnected = "1";
    else delete root.dataset.liveConnected;
  }

  function setPaused(paused, text) {
    notice.hidden = !paused;
    if (text) notice.textContent = text;
    bar.dataset.state = paused ? "paused" : "live";
  }

  function currentStage() {
    const panel = document.getElementById("stage-panel");
    if (panel && panel.dataset.stage) return panel.dataset.stage;
    const hash = location.hash.match(/^#stage-([a-z]+)$/);
    return hash ? hash[1] : root.dataset.liveStage || "";
  }

  function stageName(slug) {
    const tab = document.querySelector(".stage-tab.s-" + slug + " .name");
    return tab ? tab.textContent.trim() : slug;
  }

  function renderPeople() {
    people.replaceChildren();
    document.querySelectorAll(".live-tab-people").forEach(function (el) { el.remove(); });
    roster.forEach(function (entry) {
      if (me && entry.id === me.id) return;
      const li = document.createElement("li");
      li.className = "live-person" + (entry.guest ? " guest" : "");
      li.dataset.livePerson = entry.id;
      li.dataset.stage = entry.stage || "";
      li.title = entry.name + " · " + entry.role + (entry.stage ? " · on " + stageName(entry.stage) : "");
      const avatar = document.createElement("span");
      avatar.className = "live-avatar";
      avatar.textContent = entry.initials;
      const where = document.createElement("span");
      where.className = "live-where";
      where.textContent = entry.name + (entry.stage ? " · " + stageName(entry.stage) : "");
      li.append(avatar, where);
      people.appendChild(li);
      if (entry.stage) {
        document.querySelectorAll(".stage-tab.s-" + entry.stage).forEach(function (tab) {
          let holder = tab.querySelector(".live-tab-people");
          if (!holder) {
            holder = document.createElement("span");
            holder.className = "live-tab-people";
            holder.setAttribute("aria-hidden", "true");
            tab.appendChild(holder);
          }
          const dot = document.createElement("span");
          dot.className = "live-avatar small";
          dot.textContent = entry.initials;
          holder.appendChild(dot);
        });
      }
    });
    renderFollow();
  }

  function renderFollow() {
    followBox.replaceChildren();
    if (canEdit) {
      const lead = document.createElement("button");
      lead.type = "button";
      lead.className = "btn btn-sm" + (leading ? " btn-primary" : "");
      lead.dataset.liveLead = leading ? "on" : "off";
      lead.textContent = leading ? "Stop leading" : "Everyone follow me";
      lead.addEventListener("click", function () {
        leading = !leading;
        sendFollow();
        renderFollow();
      });
      followBox.appendChild(lead);
    }
    if (followState && (!me || followState.id !== me.id)) {
      const text = document.createElement("span");
      text.className = "small";
      text.textContent = following ? "Following " + followState.name : followState.name + " is presenting";
      const toggle = document.createElement("button");
      toggle.type = "button";
      toggle.className = "linkish";
      toggle.dataset.liveFollowToggle = following ? "on" : "off";
      toggle.textContent = following ? "Stop following" : "Follow";
      toggle.addEventListener("click", function () {
        following = !following;
        if (following) applyFollow();
        renderFollow();
      });
      followBox.append(text, " ", toggle);
    }
  }

  // --- The socket
  function socketUrl() {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + root.dataset.liveSocket;
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  // --- Saves and drafts over the socket (live-saves.js; autosave falls back to HTTP)
  const socketSaves = createSocketSaves(send, clientId);

  function connect() {
    clearTimeout(reconnectTimer);
    if (refused) return;
    try {
      socket = new WebSocket(socketUrl());
    } catch (e) {
      scheduleReconnect();
      return;
    }
    const mine = socket;
    mine.addEventListener("open", function () { lastHeard = Date.now(); });
    mine.addEventListener("message", function (event) {
      if (mine !== socket) return;
      lastHeard = Date.now();
      let message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      handle(message);
    });
    mine.addEventListener("close", function (event) {
      if (mine !== socket) return;
      socket = null;
      me = null;
      socketSaves.withdraw();
      markConnected();
      if (event.code === 4403) {
        refused = true;
        setPaused(true, "Live updates are not available for this page (the link may have been switched off).");
        return;
      }
      if (event.code === 4429) { // this link is open on too many screens (or the page flooded)
        attempt = Math.max(attempt, 4);
        scheduleReconnect("Live updates paused — this live link is open on too many screens. Retrying…");
        return;
      }
      scheduleReconnect();
    });
  }

  function scheduleReconnect(why) {
    setPaused(true, why || "Live updates paused — reconnecting…");
    const delay = Math.min(10000, 500 * Math.pow(2, attempt)) * (0.75 + Math.random() * 0.5);
    attempt++;
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(connect, delay);
  }

  function reconnectNow() {
    if (refused) return;
    if (socket) { const old = socket; socket = null; try { old.close(); } catch (e) { /* gone */ } }
    socketSaves.withdraw();
    markConnected();
    attempt = 0;
    connect();
  }

  function guestName() {
    const input = document.querySelector("[data-live-guest-name]");
    return (input && input.value.trim()) || "";
  }

  function heartbeat() {
    if (socket && socket.readyState === WebSocket.OPEN && Date.now() - lastHeard > SILENCE_MS) {
      reconnectNow(); // the connection died without telling us (a sleeping laptop, a proxy)
      return;
    }
    send({ type: "heartbeat", stage: currentStage(), name: guestName() });
  }
  setInterval(heartbeat, HEARTBEAT_MS);

  function handle(message) {
    switch (message.type) {
      case "live.hello": {
        const reconnected = everConnected;
        everConnected = true;
        attempt = 0;
        me = message.you;
        socketSaves.offer(message.can_edit && canEdit);
        markConnected();
        setPaused(false);
        roster.clear();
        (message.presence || []).forEach(function (e) { roster.set(e.id, e); });
        if (message.version !== lastVersion || reconnected) send({ type: "since", version: lastVersion });
        send({ type: "stage", stage: currentStage(), name: guestName() });
        if (leading) sendFollow();
        followState = message.follow || null;
        if (followState && followState.id === me.id && !leading) { // our lead, resumed after a reload
          leading = true;
          sendFollow(); // from where this page is now
        }
        if (followState && following && followState.id !== me.id) applyFollow();
        renderPeople();
        break;
      }
      case "journey.changed": {
        const stale = message.version < lastVersion;
        const gap = lastVersion && message.version > lastVersion + 1;
        const from = lastVersion;
        const own = message.by && message.by.client && message.by.client === clientId;
        endDrafts((message.fields || []).map(function (f) { return f.key; }), false);
        if (!stale) {
          remember(message.fields || [], message.by, message.version);
          applyFields(message.fields || [], message.by);
        }
        if (!own) applyParts(message.parts || []);
        lastVersion = Math.max(lastVersion, message.version);
        if (gap) send({ type: "since", version: from });
        break;
      }
      case "journey.parts": // not an edit (no version): an export finished, say
        applyParts(message.parts || []);
        break;
      case "journey.catchup":
        endDrafts((message.fields || []).map(function (f) { return f.key; }), false);
        remember(message.fields || [], null, message.version);
        applyFields(message.fields || [], null);
        applyParts(message.parts || []);
        lastVersion = Math.max(lastVersion, message.version);
        break;
      case "presence.roster":
        roster.clear();
        (message.presence || []).forEach(function (e) { roster.set(e.id, e); });
        renderPeople();
        break;
      case "presence.update": // the joins and moves of a short window, in one frame
        (message.entries || []).forEach(function (e) { roster.set(e.id, e); });
        renderPeople();
        break;
      case "presence.leave":
        (message.ids || []).forEach(function (id) { roster.delete(id); });
        renderPeople();
        break;
      case "presence.typing":
        showTyping(message);
        break;
      case "live.draft":
        showDraft(message);
        break;
      case "save.ack":
        socketSaves.acknowledged(message);
        break;
      case "live.follow":
        followState = message.follow;
        if (followState && following && (!me || followState.id !== me.id)) applyFollow();
        if (followState && me && followState.id !== me.id) leading = false;
        renderFollow();
        break;
      default:
        break;
    }
  }

  // --- Parts
  function applyParts(parts) {
    parts.forEach(function (part) {
      document.querySelectorAll('[data-live-part="' + cssEscape(part) + '"]').forEach(refreshPart);
    });
  }

  function refreshPart(el) {
    if (!el.dataset.liveSrc) return;
    if (el.contains(document.activeElement) && document.activeElement !== document.body) {
      // Never pull a region from under the cursor: redraw once the focus leaves it.
      if (!el.dataset.liveDeferred) {
        el.dataset.liveDeferred = "1";
        el.addEventListener("focusout", function later() {
          setTimeout(function () {
            if (el.contains(document.activeElement)) return;
            el.removeEventListener("focusout", later);
            delete el.dataset.liveDeferred;
            refreshPart(el);
          }, 0);
        });
      }
      return;
    }
    const key = el.dataset.livePart + "|" + el.dataset.liveSrc;
    const seq = (partSeq.get(key) || 0) + 1;
    partSeq.set(key, seq);
    const from = lastVersion;
    fetch(el.dataset.liveSrc, {
      credentials: "same-origin",
      headers: { "HX-Request": "true", Accept: "text/html" },
    })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null || partSeq.get(key) !== seq || !el.isConnected) return;
        if (el.contains(document.activeElement) && document.activeElement !== document.body) {
          refreshPart(el);
          return;
        }
        const template = document.createElement("template");
        template.innerHTML = html.trim();
        const fresh = template.content.firstElementChild;
        if (!fresh) return;
        if (!fresh.dataset.livePart) fresh.dataset.livePart = el.dataset.livePart;
        if (!fresh.dataset.liveSrc) fresh.dataset.liveSrc = el.dataset.liveSrc;
        el.replaceWith(fresh);
        if (window.htmx) htmx.process(fresh);
        fresh.dispatchEvent(new CustomEvent("htmx:load", { bubbles: true, detail: { elt: fresh } }));
        reapplySince(fresh, from);
        fresh.dispatchEvent(new CustomEvent("cvj:live-swapped", { bubbles: true, detail: { part: fresh.dataset.livePart } }));
        renderPeople();
      })
      .catch(function () { /* offline: the catch-up after reconnecting redraws it */ });
  }

  // --- Typing
  // "Sam is typing…" above every copy of the field.
  function showTyping(message) {
    const id = message.field + "|" + message.id;
    document.querySelectorAll('[data-live-field="' + cssEscape(message.field) + '"]').forEach(function (el) {
      let tag = null;
      for (let s = el.previousElementSibling; s && s.classList.contains("live-typing"); s = s.previousElementSibling) {
        if (s.dataset.liveTyping === id) { tag = s; break; }
      }
      if (!tag) {
        tag = document.createElement("div");
        tag.className = "live-typing small";
        tag.dataset.liveTyping = id;
        tag.setAttribute("aria-live", "polite");
        el.insertAdjacentElement("beforebegin", tag);
      }
      tag.textContent = message.name + " is typing…";
      const shown = tag;
      clearTimeout(typingTimers.get(shown));
      typingTimers.set(shown, setTimeout(function () { shown.remove(); typingTimers.delete(shown); }, TYPING_SHOW_MS));
    });
  }

  if (canEdit) {
    document.addEventListener("input", function (event) {
      const el = event.target;
      if (!el.dataset || !el.dataset.liveField) return;
      const key = el.dataset.liveField;
      const now = Date.now();
      if (now - (lastTypingSent.get(key) || 0) < TYPING_THROTTLE_MS) return;
      lastTypingSent.set(key, now);
      send({ type: "typing", field: key });
    });
  }

  // --- Follow the presenter
  function sendFollow() {
    send({ type: "follow", on: leading, stage: currentStage(), slide: null, view: view });
  }

  function applyFollow() {
    if (!followState) return;
    const detail = { stage: followState.stage, slide: followState.slide, view: followState.view, by: followState.name };
    const event = new CustomEvent("cvj:follow", { detail: detail, cancelable: true });
    document.dispatchEvent(event);
    if (event.defaultPrevented || !detail.stage) return; // the board moved itself
    if (currentStage() === detail.stage && document.getElementById("stage-panel")) return;
    const section = document.getElementById("stage-" + detail.stage);
    if (section) { // the read-only pages: every stage is on the page
      history.replaceState(null, "", "#stage-" + detail.stage);
      section.scrollIntoView({ block: "start" });
      root.dataset.liveFollowed = detail.stage;
      send({ type: "stage", stage: detail.stage, name: guestName() });
      return;
    }
    const tab = document.querySelector('.stage-tab.s-' + detail.stage + '[data-hx-get]');
    if (tab && window.htmx) tab.click();
    else location.search = "?stage=" + encodeURIComponent(detail.stage);
  }

  // The presenter's own moves: tell the group where we are (and lead them there).
  document.body.addEventListener("htmx:afterSettle", function () {
    const stage = currentStage();
    if (stage && stage !== root.dataset.liveStage) {
      root.dataset.liveStage = stage;
      send({ type: "stage", stage: stage, name: guestName() });
      if (leading) sendFollow();
    }
  });
  window.addEventListener("hashchange", function () { send({ type: "stage", stage: currentStage(), name: guestName() }); });

  // Our own htmx requests carry this page's id, so our own change is not redrawn twice.
  document.body.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CVJ-Live-Client"] = clientId;
  });

  window.addEventListener("offline", function () {
    if (socket) { const old = socket; socket = null; try { old.close(); } catch (e) { /* gone */ } }
    socketSaves.withdraw();
    markConnected();
    setPaused(true, "Live updates paused — reconnecting…");
    clearTimeout(reconnectTimer);
  });
  window.addEventListener("online", reconnectNow);
  window.addEventListener("pagehide", function () { if (socket) socket.close(); });

  renderFollow();
  connect();
}
