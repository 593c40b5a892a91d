// A Fastify app and its Lambda entry point, as @fastify/aws-lambda's README
// writes them: the app is built once per execution environment and
// awsLambdaFastify proxies each API Gateway event to it.
'use strict';

const fastify = require('fastify');
const awsLambdaFastify = require('@fastify/aws-lambda');

const app = fastify();

app.addContentTypeParser('image/png', { parseAs: 'buffer' }, (req, body, done) => done(null, body));

app.get('/', async () => ({ hello: 'fastify' }));

app.get('/items/:id', {
  schema: {
    params: { type: 'object', properties: { id: { type: 'integer' } } },
    querystring: { type: 'object', properties: { tag: { type: 'array', items: { type: 'string' } } } },
  },
}, async (req) => ({ id: req.params.id, tag: req.query.tag, url: req.url }));

app.post('/items', {
  schema: {
    body: {
      type: 'object',
      required: ['name'],
      properties: { name: { type: 'string' }, price: { type: 'number' } },
    },
  },
}, async (req, reply) => {
  reply.code(201).header('Location', '/items/9');
  return { created: req.body };
});

app.post('/upload', async (req) => ({ bytes: req.body.length, first: req.body.subarray(0, 4).toString('hex') }));

app.get('/session', async (req, reply) => {
  reply.header('Set-Cookie', ['a=1; Path=/', 'b=2; Path=/; HttpOnly']);
  return { cookie: req.headers.cookie ?? null };
});

// What the function sees, through the adapter's request decoration.
app.get('/lambda', async (req) => ({
  stage: req.awsLambda.event.requestContext.stage,
  path: req.awsLambda.event.path,
  resource: req.awsLambda.event.resource,
  functionName: req.awsLambda.context.functionName,
  awsRequestId: req.awsLambda.context.awsRequestId,
}));

app.get('/boom', async () => {
  throw new Error('kaput');
});

const proxy = awsLambdaFastify(app);

exports.handler = proxy;
