// A Hono app served by Hono's own AWS Lambda adapter, unchanged from what
// Hono's "AWS Lambda" guide deploys. The same handler serves an HTTP API
// (payload format 2.0) and a REST API (payload format 1.0).
import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import { getCookie, setCookie } from 'hono/cookie';

// A 1x1 transparent PNG.
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

const app = new Hono();

app.get('/users/:id', (c) => c.json({
  id: c.req.param('id'),
  path: c.req.path,
  url: c.req.url,
  query: c.req.queries(),
}));

app.post('/echo', async (c) => c.json({ body: await c.req.json(), contentType: c.req.header('content-type') }, 201));

app.post('/form', async (c) => c.json(await c.req.parseBody({ all: true })));

app.post('/upload', async (c) => {
  const bytes = Buffer.from(await c.req.arrayBuffer());
  return c.json({ bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
});

app.get('/login', (c) => {
  setCookie(c, 'session', 'abc123', { path: '/', httpOnly: true });
  setCookie(c, 'theme', 'dark mode', { path: '/', maxAge: 3600, sameSite: 'Lax' });
  return c.json({ ok: true });
});

app.get('/whoami', (c) => c.json({ cookies: getCookie(c), header: c.req.header('cookie') ?? null }));

app.get('/headers', (c) => {
  c.header('X-Custom', 'hono');
  c.header('Cache-Control', 'no-store');
  return c.json({ trace: c.req.header('x-trace'), userAgent: c.req.header('user-agent') });
});

app.get('/pixel.png', (c) => c.body(PIXEL, 200, { 'Content-Type': 'image/png' }));

app.get('/old', (c) => c.redirect('/users/42'));
app.get('/moved', (c) => c.redirect('https://example.com/new', 301));

app.delete('/users/:id', (c) => c.body(null, 204));

// What the function itself sees: Hono hands the adapter's event and the
// Lambda context to handlers as c.env.
app.get('/lambda', (c) => {
  const { event, lambdaContext: ctx } = c.env;
  return c.json({
    version: event.version ?? null,
    stage: event.requestContext.stage,
    domainName: event.requestContext.domainName,
    functionName: ctx.functionName,
    memoryLimitInMB: ctx.memoryLimitInMB,
    invokedFunctionArn: ctx.invokedFunctionArn,
    awsRequestId: ctx.awsRequestId,
    remaining: ctx.getRemainingTimeInMillis() > 0,
  });
});

app.onError((err, c) => c.json({ error: err.message }, 500));

export const handler = handle(app);
