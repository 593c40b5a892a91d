// A room's WebSocket connection that comes back by itself.
//
// It connects to `${webSocketUrl}?roomId=…&name=…` ($connect, as in seed
// 004), asks for the history once open ({"action":"joinRoom"}), and after a
// dropped connection reconnects with exponential backoff and jitter,
// rejoining the room. A connection refused before it opened may mean the room
// closed (everyone left): checkRoom then decides whether to keep trying.

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 15000;
// API Gateway closes a connection idle for 10 minutes; a ping every 5 keeps
// a quiet room open (the $default route ignores it).
const PING_INTERVAL_MS = 5 * 60 * 1000;

/**
 * @typedef {"connecting"|"connected"|"reconnecting"|"closed"} SocketState
 * @typedef {{
 *   url: string, roomId: string, name: string,
 *   onFrame: (frame: any) => void,
 *   onState: (state: SocketState, detail?: {delayMs?: number, reason?: string}) => void,
 *   checkRoom: () => Promise<boolean>,
 * }} SocketOptions
 */

export class ChatSocket {
  /** @param {SocketOptions} opts */
  constructor(opts) {
    this.opts = opts;
    this.ws = null;
    this.attempts = 0;
    this.timer = 0;
    this.pinger = 0;
    this.stopped = false;
    this.onOnline = () => this.retryNow();
    this.onVisible = () => {
      if (document.visibilityState === "visible") this.retryNow();
    };
  }

  start() {
    window.addEventListener("online", this.onOnline);
    document.addEventListener("visibilitychange", this.onVisible);
    this.open();
  }

  /** stop closes the socket for good (leaving the room). */
  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.pinger);
    window.removeEventListener("online", this.onOnline);
    document.removeEventListener("visibilitychange", this.onVisible);
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) this.ws.close(1000, "left the room");
    this.ws = null;
  }

  get connected() {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** send sends a chat message; false when not connected. */
  send(text) {
    if (!this.connected) return false;
    this.ws.send(JSON.stringify({ action: "sendMessage", data: { message: text } }));
    return true;
  }

  open() {
    if (this.stopped) return;
    const { url, roomId, name } = this.opts;
    const target = `${url}?roomId=${encodeURIComponent(roomId)}&name=${encodeURIComponent(name)}`;
    this.opts.onState(this.attempts === 0 ? "connecting" : "reconnecting");
    let opened = false;
    let ws;
    try {
      ws = new WebSocket(target);
    } catch (err) {
      this.opts.onState("closed", { reason: `Cannot open the WebSocket: ${err.message}` });
      this.stopped = true;
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      opened = true;
      this.attempts = 0;
      this.opts.onState("connected");
      ws.send(JSON.stringify({ action: "joinRoom" }));
      clearInterval(this.pinger);
      this.pinger = setInterval(() => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ action: "ping" }));
      }, PING_INTERVAL_MS);
    };
    ws.onmessage = (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame?.message?.type) this.opts.onFrame(frame.message);
    };
    ws.onclose = () => {
      if (this.ws !== ws || this.stopped) return;
      clearInterval(this.pinger);
      this.ws = null;
      this.afterClose(opened);
    };
  }

  async afterClose(wasOpen) {
    if (!wasOpen) {
      // Refused at $connect: a closed room is final, anything else is retried.
      const exists = await this.opts.checkRoom().catch(() => true);
      if (this.stopped) return;
      if (!exists) {
        this.stopped = true;
        this.opts.onState("closed", { reason: "room-closed" });
        return;
      }
    }
    const delayMs = Math.round(
      Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** this.attempts) * (0.75 + Math.random() * 0.5),
    );
    this.attempts++;
    this.opts.onState("reconnecting", { delayMs });
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.open(), delayMs);
  }

  /** retryNow skips the backoff wait (the browser came back online). */
  retryNow() {
    if (this.stopped || this.ws) return;
    clearTimeout(this.timer);
    this.open();
  }
}
