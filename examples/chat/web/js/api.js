// The REST API: GET /rooms (getAllRooms) and POST /rooms (createRoom).
//
// Its integrations are non-proxy, as in seed 004, so every response body is
// the function's own {statusCode, headers, body} object and the data is
// JSON.parse(res.body), exactly what the seed's page does.

/** readSeedResponse unwraps {statusCode, headers, body} into body's data. */
export async function readSeedResponse(res) {
  let payload;
  try {
    payload = await res.json();
  } catch {
    throw new Error(`The server answered HTTP ${res.status} without JSON.`);
  }
  if (payload && typeof payload.body === "string") {
    let data;
    try {
      data = JSON.parse(payload.body);
    } catch {
      throw new Error("The server's body field is not JSON.");
    }
    const status = payload.statusCode ?? res.status;
    if (status >= 400) {
      const err = new Error(data.message || `Request failed (${status}).`);
      err.field = data.field;
      err.status = status;
      throw err;
    }
    return data;
  }
  // No {statusCode, body} envelope: an API Gateway error or a function
  // failure mapped by the integration response.
  const err = new Error(payload?.message || `Request failed (HTTP ${res.status}).`);
  err.status = res.status;
  throw err;
}

/** listRooms returns [{room_id, name, created_at}], newest first. */
export async function listRooms(restUrl) {
  const res = await fetch(`${restUrl}/rooms`, { cache: "no-store" });
  const data = await readSeedResponse(res);
  return Array.isArray(data.rooms) ? data.rooms : [];
}

/** createRoom creates a room and returns {roomId, room}. */
export async function createRoom(restUrl, roomName) {
  const res = await fetch(`${restUrl}/rooms`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ roomName }),
  });
  return readSeedResponse(res);
}
