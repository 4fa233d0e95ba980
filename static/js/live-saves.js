// Autosave over the live socket: while the page's socket is open and greeted (and the viewer
// may edit), autosave.js hands its saves and drafts to it; each save is answered by a
// "save.ack" matched by id. A save not acknowledged within SAVE_ACK_MS, or pending when the
// socket closes, is rejected, and autosave sends it over HTTP at once.
import { useSocket } from "./autosave.js";

const SAVE_ACK_MS = 4000;

// `send(message)` sends on the open socket (false when it is not open); `clientId` names this
// page, so its own saved change is not redrawn when it comes back.
export function createSocketSaves(send, clientId) {
  const pending = new Map(); // id -> {resolve, reject, timer}
  let sequence = 0;

  function save(message) {
    return new Promise(function (resolve, reject) {
      const id = ++sequence;
      if (!send(Object.assign({ type: "save", id: id, client: clientId }, message))) {
        reject(new Error("socket closed"));
        return;
      }
      const timer = setTimeout(function () {
        pending.delete(id);
        reject(new Error("no acknowledgement"));
      }, SAVE_ACK_MS);
      pending.set(id, { resolve: resolve, reject: reject, timer: timer });
    });
  }

  return {
    // The socket is greeted: offer it to autosave if this viewer may edit.
    offer: function (canSave) {
      if (!canSave) return;
      useSocket({
        save: save,
        draft: function (key, text) { send({ type: "draft", field: key, text: text }); },
      });
    },
    // The socket closed: autosave goes back to HTTP, and what was pending goes there too.
    withdraw: function () {
      useSocket(null);
      pending.forEach(function (entry) {
        clearTimeout(entry.timer);
        entry.reject(new Error("socket closed"));
      });
      pending.clear();
    },
    // A "save.ack": the answer autosave reads, as HTTP would have given it.
    acknowledged: function (message) {
      const entry = pending.get(message.id);
      if (!entry) return;
      pending.delete(message.id);
      clearTimeout(entry.timer);
      entry.resolve({ http: message.status, payload: message.body, text: "", redirected: false, retryAfter: 0 });
    },
  };
}
