// The chat page: a room list with a create form (#/) and a room (#/room/ID).

import { loadConfig } from "./config.js";
import { createRoom, listRooms } from "./api.js";
import { ChatSocket } from "./socket.js";

const $ = (id) => document.getElementById(id);

const els = {
  configError: $("config-error"),
  name: $("name"),
  nameError: $("name-error"),
  roomsView: $("rooms-view"),
  roomsHeading: $("rooms-heading"),
  rooms: $("rooms"),
  roomsStatus: $("rooms-status"),
  refresh: $("refresh-rooms"),
  createForm: $("create-form"),
  roomName: $("room-name"),
  createButton: $("create-room"),
  createError: $("create-error"),
  roomView: $("room-view"),
  roomTitle: $("room-title"),
  members: $("members"),
  status: $("status"),
  log: $("log"),
  closed: $("room-closed"),
  composer: $("composer"),
  message: $("message"),
  send: $("send"),
  composerError: $("composer-error"),
};

const NAME_KEY = "chat.name";
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

let config = null;
let socket = null;
let room = null; // {id, name, you, entries: Map<id, entry>}
let roomsTimer = 0;
let roomsSignature = "";
let pendingRoomId = null; // a room link opened before a name was given

// ---------------------------------------------------------------- helpers

function setFieldError(input, errorEl, message) {
  errorEl.textContent = message || "";
  if (message) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

function currentName() {
  return els.name.value.trim().replace(/\s+/g, " ");
}

/** requireName returns the name, or focuses the field and explains. */
function requireName() {
  const name = currentName();
  if (!name) {
    setFieldError(els.name, els.nameError, "Enter your name first.");
    els.name.focus();
    return null;
  }
  setFieldError(els.name, els.nameError, "");
  return name;
}

function formatTime(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : timeFormat.format(d);
}

// ---------------------------------------------------------------- routing

/** route shows the view the hash names; on a navigation (not the first
 * load) it also moves the focus to that view. */
function route(event) {
  const match = location.hash.match(/^#\/room\/([^/?#]+)/);
  if (match) showRoom(decodeURIComponent(match[1]));
  else showRooms({ focus: Boolean(event) });
}

function leaveRoom() {
  els.name.readOnly = false;
  socket?.stop();
  socket = null;
  room = null;
}

// ------------------------------------------------------------------ rooms

async function showRooms({ focus = false } = {}) {
  leaveRoom();
  document.title = "Chat — Rooms";
  els.roomView.hidden = true;
  els.roomsView.hidden = false;
  if (focus) els.roomsHeading.focus({ preventScroll: true });
  await refreshRooms();
  clearInterval(roomsTimer);
  roomsTimer = setInterval(() => {
    if (!els.roomsView.hidden && document.visibilityState === "visible") refreshRooms({ quiet: true });
  }, 5000);
}

async function refreshRooms({ quiet = false } = {}) {
  if (!config) return;
  if (!quiet) els.roomsStatus.textContent = "Loading rooms…";
  try {
    const rooms = await listRooms(config.restUrl);
    renderRooms(rooms);
    els.roomsStatus.textContent = rooms.length
      ? `${rooms.length} room${rooms.length === 1 ? "" : "s"}.`
      : "No rooms yet: create one.";
  } catch (err) {
    els.roomsStatus.textContent = `Could not load rooms: ${err.message}`;
  }
}

/** renderRooms updates the list in place: a refresh that changes nothing
 * touches nothing, and a kept room keeps its button, so a refresh can never
 * swallow a click or move the keyboard focus. */
function renderRooms(rooms) {
  const signature = JSON.stringify(rooms.map((r) => [r.room_id, r.name]));
  if (signature === roomsSignature) return;
  roomsSignature = signature;
  const existing = new Map([...els.rooms.children].map((li) => [li.dataset.roomId, li]));
  const items = rooms.map((r) => {
    let li = existing.get(r.room_id);
    if (!li) {
      li = document.createElement("li");
      li.dataset.roomId = r.room_id;
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.roomId = r.room_id;
      const name = document.createElement("span");
      name.className = "room-name";
      const meta = document.createElement("span");
      meta.className = "room-meta";
      meta.textContent = "Join →";
      button.append(name, meta);
      button.addEventListener("click", () => joinRoom(r.room_id));
      li.append(button);
    }
    li.querySelector(".room-name").textContent = r.name;
    li.querySelector("button").setAttribute("aria-label", `Join ${r.name}`);
    return li;
  });
  const focused = document.activeElement;
  existing.forEach((li, id) => {
    if (!rooms.some((r) => r.room_id === id)) li.remove();
  });
  items.forEach((li, i) => {
    if (els.rooms.children[i] !== li) els.rooms.insertBefore(li, els.rooms.children[i] ?? null);
  });
  if (focused && !document.contains(focused)) els.roomsHeading.focus({ preventScroll: true });
}

function joinRoom(roomId) {
  if (!requireName()) return;
  location.hash = `#/room/${encodeURIComponent(roomId)}`;
}

async function onCreate(event) {
  event.preventDefault();
  if (!config) return;
  const roomName = els.roomName.value.trim();
  if (!roomName) {
    setFieldError(els.roomName, els.createError, "Enter a room name.");
    els.roomName.focus();
    return;
  }
  if (!requireName()) return;
  setFieldError(els.roomName, els.createError, "");
  els.createButton.disabled = true;
  try {
    const data = await createRoom(config.restUrl, roomName);
    els.roomName.value = "";
    joinRoom(data.roomId);
  } catch (err) {
    setFieldError(els.roomName, els.createError, err.message);
    els.roomName.focus();
  } finally {
    els.createButton.disabled = false;
  }
}

// ------------------------------------------------------------------- room

function showRoom(roomId) {
  clearInterval(roomsTimer);
  const name = requireNameForRoom(roomId);
  if (!name) return;
  pendingRoomId = null;
  if (room?.id === roomId && socket) return;
  leaveRoom();
  els.name.readOnly = true; // the name is fixed while in a room
  room = { id: roomId, name: "", you: name, entries: new Map() };
  els.roomsView.hidden = true;
  els.roomView.hidden = false;
  els.closed.hidden = true;
  els.composer.hidden = false;
  els.roomTitle.textContent = "Joining…";
  els.members.textContent = "";
  els.log.replaceChildren();
  setFieldError(els.message, els.composerError, "");
  document.title = "Chat — Joining…";
  if (!config) return;
  socket = new ChatSocket({
    url: config.webSocketUrl,
    roomId,
    name,
    onFrame,
    onState,
    checkRoom: async () => (await listRooms(config.restUrl)).some((r) => r.room_id === roomId),
  });
  socket.start();
  els.message.focus();
}

/** requireNameForRoom asks someone who opened a room link without a name
 * for one first; submitting the name then joins that room. */
function requireNameForRoom(roomId) {
  const name = currentName();
  if (name) return name;
  pendingRoomId = roomId;
  history.replaceState(null, "", "#/");
  showRooms().then(() => {
    setFieldError(els.name, els.nameError, "Enter your name, then press Enter to join the room.");
    els.name.focus();
  });
  return null;
}

function onState(state, detail = {}) {
  els.status.dataset.state = state;
  switch (state) {
    case "connecting":
      els.status.textContent = "Connecting…";
      break;
    case "connected":
      els.status.textContent = "Connected";
      break;
    case "reconnecting":
      els.status.textContent = detail.delayMs
        ? `Reconnecting in ${Math.max(1, Math.round(detail.delayMs / 1000))}s…`
        : "Reconnecting…";
      break;
    case "closed":
      els.status.textContent = "Closed";
      if (detail.reason === "room-closed") {
        els.roomTitle.textContent = room?.name || "Room closed";
        document.title = "Chat — Room closed";
        els.closed.hidden = false;
        els.composer.hidden = true;
        els.closed.querySelector("a").focus();
      } else if (detail.reason) {
        addNotice({ id: `local-${Date.now()}`, type: "error", message: detail.reason });
      }
      break;
  }
}

function onFrame(frame) {
  if (!room) return;
  switch (frame.type) {
    case "history":
      room.name = frame.roomName || room.name;
      room.you = frame.you || room.you;
      els.roomTitle.textContent = room.name || "Untitled room";
      document.title = `Chat — ${room.name}`;
      setMembers(frame.members);
      els.log.setAttribute("aria-busy", "true");
      for (const entry of frame.messages ?? []) addEntry(entry, { animate: false });
      els.log.removeAttribute("aria-busy");
      scrollToEnd(true);
      break;
    case "message":
    case "join":
    case "leave":
      if (frame.members) setMembers(frame.members);
      addEntry(frame, { animate: true });
      break;
    case "error":
      setFieldError(els.message, els.composerError, frame.message);
      break;
  }
}

function setMembers(members) {
  if (!Array.isArray(members)) return;
  els.members.textContent = members.length ? `${members.length} here: ${members.join(", ")}` : "";
}

/** addEntry inserts an entry in id (time) order, once. */
function addEntry(entry, { animate }) {
  if (!entry?.id || room.entries.has(entry.id)) return;
  room.entries.set(entry.id, entry);
  const li = renderEntry(entry);
  if (animate) li.classList.add("new");
  const stick = isNearEnd();
  let before = null;
  for (let node = els.log.lastElementChild; node; node = node.previousElementSibling) {
    if (node.dataset.id <= entry.id) break;
    before = node;
  }
  els.log.insertBefore(li, before);
  scrollToEnd(stick || entry.sender === room.you);
}

function addNotice(entry) {
  els.log.append(renderEntry(entry));
  scrollToEnd(true);
}

function renderEntry(entry) {
  const li = document.createElement("li");
  li.dataset.id = entry.id;
  li.dataset.type = entry.type;
  if (entry.type === "message") {
    const mine = entry.sender === room.you;
    li.className = `msg${mine ? " mine" : ""}`;
    const meta = document.createElement("p");
    meta.className = "meta";
    const sender = document.createElement("span");
    sender.className = "sender";
    sender.textContent = entry.sender;
    const time = document.createElement("time");
    time.dateTime = entry.sentAt;
    time.textContent = formatTime(entry.sentAt);
    meta.append(sender, time);
    const bubble = document.createElement("p");
    bubble.className = "bubble";
    bubble.textContent = entry.message;
    const label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = mine ? "You said: " : `${entry.sender} said: `;
    bubble.prepend(label);
    li.append(meta, bubble);
  } else {
    li.className = `notice${entry.type === "error" ? " error" : ""}`;
    li.textContent = entry.message;
    if (entry.sentAt) {
      const time = document.createElement("time");
      time.dateTime = entry.sentAt;
      time.textContent = ` · ${formatTime(entry.sentAt)}`;
      li.append(time);
    }
  }
  return li;
}

function isNearEnd() {
  const log = els.log;
  return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
}

function scrollToEnd(force) {
  if (force) els.log.scrollTop = els.log.scrollHeight;
}

function onComposerKeydown(event) {
  // Enter sends; Shift+Enter is a new line. While an IME is composing
  // (Japanese, Chinese, Korean input), Enter confirms the conversion and
  // must not send (isComposing, or keyCode 229 in some browsers).
  if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
  event.preventDefault();
  els.composer.requestSubmit();
}

function onSend(event) {
  event.preventDefault();
  const text = els.message.value.trim();
  if (!text) {
    setFieldError(els.message, els.composerError, "Write a message first.");
    return;
  }
  if ([...text].length > 1000) {
    setFieldError(els.message, els.composerError, "The message is too long: at most 1000 characters.");
    return;
  }
  if (!socket?.send(text)) {
    setFieldError(els.message, els.composerError, "Not connected: your message was kept, send it again once reconnected.");
    return;
  }
  setFieldError(els.message, els.composerError, "");
  els.message.value = "";
  els.message.focus();
}

// ------------------------------------------------------------------ start

async function main() {
  els.name.value = sessionStorage.getItem(NAME_KEY) ?? localStorage.getItem(NAME_KEY) ?? "";
  els.name.addEventListener("input", () => {
    const name = currentName();
    sessionStorage.setItem(NAME_KEY, name);
    localStorage.setItem(NAME_KEY, name);
    if (name) setFieldError(els.name, els.nameError, "");
  });
  $("identity-form").addEventListener("submit", (e) => {
    e.preventDefault();
    if (!requireName()) return;
    if (pendingRoomId) joinRoom(pendingRoomId);
    else els.roomName.focus();
  });
  els.createForm.addEventListener("submit", onCreate);
  els.refresh.addEventListener("click", () => refreshRooms());
  els.composer.addEventListener("submit", onSend);
  els.message.addEventListener("keydown", onComposerKeydown);
  els.message.addEventListener("input", () => {
    if (els.message.value.trim()) setFieldError(els.message, els.composerError, "");
  });
  window.addEventListener("hashchange", route);

  try {
    config = await loadConfig();
  } catch (err) {
    els.configError.textContent = err.message;
    els.configError.hidden = false;
  }
  document.body.dataset.ready = config ? "true" : "error";
  route();
}

main();
