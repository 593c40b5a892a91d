// The Express app every wrapper in this folder serves: one ordinary
// Express 4 app, written as for a server, that knows nothing of Lambda.
"use strict";

const crypto = require("node:crypto");
const express = require("express");

// A 1×1 transparent PNG (67 bytes), served as binary.
const PIXEL = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64"
);

const app = express();
app.use(express.json());
app.use(express.urlencoded({ extended: false }));

// Path parameters and query strings (repeated keys become arrays).
app.get("/users/:id", (req, res) => {
  res.json({ id: req.params.id, query: req.query, path: req.path, url: req.originalUrl });
});

// A JSON body echoed back with what Express parsed.
app.post("/echo", (req, res) => {
  res.status(201).json({
    body: req.body,
    contentType: req.get("content-type"),
    length: req.get("content-length"),
  });
});

// An HTML form post (application/x-www-form-urlencoded).
app.post("/form", (req, res) => {
  res.json(req.body);
});

// A binary upload: its size and SHA-256 as Express received it.
app.post("/upload", express.raw({ type: "image/png" }), (req, res) => {
  res.json({
    bytes: req.body.length,
    sha256: crypto.createHash("sha256").update(req.body).digest("hex"),
  });
});

// Two cookies from res.cookie: two Set-Cookie headers.
app.get("/login", (req, res) => {
  res.cookie("session", "abc123", { httpOnly: true, path: "/" });
  res.cookie("theme", "dark mode", { maxAge: 3600 * 1000, path: "/" });
  res.json({ ok: true });
});

// The cookies the client sent, as the Cookie header Express sees.
app.get("/whoami", (req, res) => {
  res.json({ cookie: req.get("cookie") || null });
});

// Custom headers, one of them with two values, and a request header echoed.
app.get("/headers", (req, res) => {
  res.set("X-Custom", "nimbus");
  res.set("X-Multi", ["one", "two"]);
  res.set("Cache-Control", "no-store");
  res.json({ trace: req.get("x-trace") || null, userAgent: req.get("user-agent") || null });
});

// A binary body.
app.get("/pixel.png", (req, res) => {
  res.type("png").send(PIXEL);
});

// Redirects: Express's default 302 and an explicit 301.
app.get("/old", (req, res) => res.redirect("/users/42"));
app.get("/moved", (req, res) => res.redirect(301, "https://example.com/new"));

// An error with a status: Express's error handler answers it.
app.get("/teapot", (req, res) => res.status(418).type("text").send("short and stout"));

module.exports = { app, PIXEL };
