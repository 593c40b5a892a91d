// Finds the REST and WebSocket URLs without hand edits.
//
// On Nimbus, GET /_nimbus/app on the page's own origin describes the running
// app; the APIs are picked by their logical ids in template.yaml. After a
// deployment to AWS, a config.json beside index.html gives the stack's
// outputs instead (see README.md).

const REST_API_ID = "ChatRestApi";
const WEBSOCKET_API_ID = "ChatWebSocketApi";

/** @typedef {{restUrl: string, webSocketUrl: string, source: string}} ChatConfig */

function trimSlash(url) {
  return url.replace(/\/+$/, "");
}

/** pickApis chooses the chat's APIs from a /_nimbus/app document. */
export function pickApis(app) {
  const apis = Array.isArray(app?.apis) ? app.apis : [];
  const pick = (id, protocol) =>
    apis.find((a) => a.logicalId === id) ?? apis.find((a) => a.protocol === protocol);
  const rest = pick(REST_API_ID, "REST");
  const ws = pick(WEBSOCKET_API_ID, "WEBSOCKET");
  if (!rest?.url || !ws?.url) return null;
  return { restUrl: trimSlash(rest.url), webSocketUrl: trimSlash(ws.url), source: "/_nimbus/app" };
}

async function fetchJSON(url) {
  const res = await fetch(url, { cache: "no-store", headers: { Accept: "application/json" } });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

/** loadConfig resolves the API URLs, or throws an Error saying what to do. */
export async function loadConfig() {
  const problems = [];
  try {
    const found = pickApis(await fetchJSON("/_nimbus/app"));
    if (found) return found;
    problems.push("/_nimbus/app lists no REST and WebSocket API");
  } catch (err) {
    problems.push(err.message);
  }
  try {
    const cfg = await fetchJSON(new URL("config.json", document.baseURI).href);
    const restUrl = cfg.restApiUrl ?? cfg.RestApiUrl;
    const webSocketUrl = cfg.webSocketUrl ?? cfg.WebSocketUrl;
    if (restUrl && webSocketUrl) {
      return { restUrl: trimSlash(restUrl), webSocketUrl: trimSlash(webSocketUrl), source: "config.json" };
    }
    problems.push("config.json lacks restApiUrl or webSocketUrl");
  } catch (err) {
    problems.push(err.message);
  }
  throw new Error(
    "Cannot find the chat's APIs (" + problems.join("; ") + "). " +
      "Run `nimbus up examples/chat` and open the URL it prints, or put a config.json " +
      'with {"restApiUrl": "…", "webSocketUrl": "…"} beside index.html.',
  );
}
