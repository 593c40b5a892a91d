// Nimbus's Node.js runtime: loads the handler named by _HANDLER from
// LAMBDA_TASK_ROOT (CommonJS or ES module) and serves invocations through
// the Lambda Runtime API, with Lambda's context object, error format and
// log format.
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import module from 'node:module';
import { pathToFileURL } from 'node:url';

const RUNTIME_PATH = '/2018-06-01/runtime';
const [apiHost, apiPort] = splitHostPort(process.env.AWS_LAMBDA_RUNTIME_API || '127.0.0.1:9001');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
// httpRequest is http.request as Node defines it, taken before the
// function's code loads: libraries that patch http.request to trace
// outgoing calls (the X-Ray SDK under Powertools' Tracer, OpenTelemetry)
// must not see the runtime's own Runtime API calls, as on Lambda, whose
// runtime client does not use the http module.
const httpRequest = http.request;
let currentRequestId;
// jsonLogs is Lambda's JSON log format (LoggingConfig.LogFormat JSON):
// Lambda sets AWS_LAMBDA_LOG_FORMAT=JSON and the application log level in
// AWS_LAMBDA_LOG_LEVEL.
const jsonLogs = (process.env.AWS_LAMBDA_LOG_FORMAT || '').toUpperCase() === 'JSON';
const LOG_PRIORITY = { TRACE: 1, DEBUG: 2, INFO: 3, WARN: 4, ERROR: 5, FATAL: 6 };

redirectAwsHosts();
patchConsole();

function splitHostPort(addr) {
  const i = addr.lastIndexOf(':');
  return [addr.slice(0, i).replace(/^\[|\]$/g, ''), Number(addr.slice(i + 1))];
}

// redirectAwsHosts sends connections for the AWS endpoints Nimbus serves
// to its edge (NIMBUS_EDGE_ADDR): TLS ones keep their server name so the
// edge presents a certificate for it, plain HTTP ones (port 80, e.g. an
// explicit http://dynamodb.{region}.amazonaws.com endpoint) keep their Host
// header. Code that builds https://{api}.execute-api.{region}.amazonaws.com
// works unchanged even though Node's SDK ignores HTTPS_PROXY.
function redirectAwsHosts() {
  const edge = process.env.NIMBUS_EDGE_ADDR;
  if (!edge) return;
  const [edgeHost, edgePort] = splitHostPort(edge);
  const served = /^([a-z0-9]+\.execute-api|dynamodb|lambda|apigateway|execute-api)\.[a-z0-9-]+\.amazonaws\.com$/;
  const hostOf = (options) => String(options.servername || options.host || options.hostname || '').toLowerCase().replace(/\.$/, '');

  const tlsConnect = tls.connect;
  tls.connect = function nimbusTLSConnect(...args) {
    const [options, callback] = normalizeConnectArgs(args);
    const name = hostOf(options);
    if (options.socket || options.path || !served.test(name)) {
      return tlsConnect.apply(this, args);
    }
    const redirected = { ...options, host: edgeHost, port: edgePort, servername: name };
    return callback ? tlsConnect.call(this, redirected, callback) : tlsConnect.call(this, redirected);
  };

  const netConnect = net.createConnection;
  const plainConnect = function nimbusConnect(...args) {
    const [options, callback] = normalizeConnectArgs(args);
    const port = Number(options.port || 80);
    if (options.path || port !== 80 || !served.test(hostOf(options))) {
      return netConnect.apply(this, args);
    }
    const redirected = { ...options, host: edgeHost, port: edgePort };
    return callback ? netConnect.call(this, redirected, callback) : netConnect.call(this, redirected);
  };
  net.connect = net.createConnection = plainConnect;
  // http.Agent captured net.createConnection when it loaded.
  http.Agent.prototype.createConnection = plainConnect;
}

function normalizeConnectArgs(args) {
  let options = {};
  let i = 0;
  if (args[0] !== null && typeof args[0] === 'object') {
    options = { ...args[0] };
    i = 1;
  } else {
    if (typeof args[i] === 'number' || (typeof args[i] === 'string' && /^\d+$/.test(args[i]))) options.port = Number(args[i++]);
    if (typeof args[i] === 'string') options.host = args[i++];
    if (args[i] !== null && typeof args[i] === 'object') options = { ...args[i++], ...options };
  }
  const callback = typeof args[i] === 'function' ? args[i] : undefined;
  return [options, callback];
}

// patchConsole writes console output as Lambda does. Text:
// "<timestamp>\t<requestId>\t<LEVEL>\t<message>", one record per call.
// JSON: one {"timestamp","level","requestId","message"} object per call,
// for methods at or above AWS_LAMBDA_LOG_LEVEL (the others write nothing),
// with console.fatal added as Lambda's runtime adds it.
function patchConsole() {
  const levels = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', log: 'INFO', warn: 'WARN', error: 'ERROR' };
  if (!jsonLogs) {
    for (const [method, level] of Object.entries(levels)) {
      console[method] = (...args) => {
        let message = util.format(...args);
        if (method === 'trace') message += '\n' + new Error().stack.split('\n').slice(2).join('\n');
        process.stdout.write(`${new Date().toISOString()}\t${currentRequestId}\t${level}\t${message.replace(/\n/g, '\r')}\n`);
      };
    }
    return;
  }
  const min = LOG_PRIORITY[(process.env.AWS_LAMBDA_LOG_LEVEL || '').toUpperCase()] ?? LOG_PRIORITY.TRACE;
  levels.fatal = 'FATAL';
  for (const [method, level] of Object.entries(levels)) {
    console[method] = LOG_PRIORITY[level] < min ? () => {} : (...args) => {
      process.stdout.write(jsonRecord(level, args) + '\n');
    };
  }
}

// errorFields are the errorType, errorMessage and stackTrace of an Error in
// JSON log records.
function errorFields(err) {
  return {
    errorType: err?.constructor?.name ?? 'UnknownError',
    errorMessage: err.message,
    stackTrace: typeof err.stack === 'string' ? err.stack.split('\n') : err.stack,
  };
}

// jsonRecord is one JSON log record. A single argument is the message as
// is (objects stay objects, an Error becomes its error fields); several are
// formatted as console.log formats them, and the first Error among them
// adds its error fields to the record.
function jsonRecord(level, args) {
  const record = { timestamp: new Date().toISOString(), level, requestId: currentRequestId };
  if (args.length === 1) {
    record.message = args[0];
    try {
      return JSON.stringify(record, (_, v) => (v instanceof Error ? { ...errorFields(v), ...v } : v));
    } catch {
      record.message = util.format(args[0]);
      return JSON.stringify(record);
    }
  }
  record.message = util.format(...args);
  const err = args.find((a) => a instanceof Error);
  if (err) Object.assign(record, errorFields(err));
  return JSON.stringify(record);
}

function call(method, p, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: apiHost, port: apiPort, method, path: RUNTIME_PATH + p, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function errorObject(err) {
  if (err instanceof Error) {
    return {
      errorType: err.name && err.name !== 'Error' ? err.name : (err.constructor?.name || 'Error'),
      errorMessage: err.message,
      trace: String(err.stack || '').split('\n'),
    };
  }
  let message;
  try { message = typeof err === 'string' ? err : JSON.stringify(err); } catch { message = String(err); }
  return { errorType: typeof err, errorMessage: message, trace: [] };
}

// postError reports an error to the Runtime API and logs it as Lambda's
// Node.js runtime does: "Invoke Error \t{errorType, errorMessage, stack}"
// for an invocation, "Uncaught Exception \t{...}" during init.
async function postError(p, err, type, label) {
  const obj = errorObject(err);
  if (type) obj.errorType = type;
  const body = JSON.stringify(obj);
  const heading = label || (p === '/init/error' ? 'Uncaught Exception' : 'Invoke Error');
  if (jsonLogs) {
    const record = { timestamp: new Date().toISOString(), level: 'ERROR', requestId: currentRequestId, message: heading,
      errorType: obj.errorType, errorMessage: obj.errorMessage, stackTrace: obj.trace };
    process.stdout.write(JSON.stringify(record) + '\n');
  } else {
    console.error(heading, `\t${JSON.stringify({ errorType: obj.errorType, errorMessage: obj.errorMessage, stack: obj.trace })}`);
  }
  await call('POST', p, body, {
    'Content-Type': 'application/json',
    'Lambda-Runtime-Function-Error-Type': obj.errorType,
  });
}

class UserError extends Error {
  constructor(type, message, cause) {
    super(message);
    this.name = type;
    if (cause?.stack) this.stack = `${type}: ${message}\n${cause.stack}`;
  }
}

function isModuleType(file) {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try { return JSON.parse(fs.readFileSync(pkg, 'utf8')).type === 'module'; } catch { return false; }
    }
    if (path.dirname(dir) === dir) return false;
  }
}

// registerSearchPaths lets ES modules import packages from NODE_PATH (the
// layers' nodejs/node_modules and the shared SDK cache), as Lambda's own
// runtime resolves them; CommonJS reads NODE_PATH itself. Nimbus sets
// NIMBUS_NODE_ESM_HOOKS only when the code needs it (the hooks run in a
// worker thread whose start costs cold-start time).
let hooksRegistered = false;
function registerSearchPaths() {
  if (hooksRegistered || !process.env.NIMBUS_NODE_ESM_HOOKS || typeof module.register !== 'function') return;
  hooksRegistered = true;
  const dirs = (process.env.NODE_PATH || '').split(path.delimiter).filter(Boolean);
  if (dirs.length === 0) return;
  const hooks = new URL('./hooks.mjs', import.meta.url);
  module.register(hooks, { data: { dirs } });
}

async function loadHandler() {
  const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
  const spec = process.env._HANDLER || '';
  const slash = spec.lastIndexOf('/');
  const dot = spec.indexOf('.', slash + 1);
  if (dot < 0) throw new UserError('Runtime.MalformedHandlerName', `Bad handler ${spec}`);
  const modulePath = spec.slice(0, dot);
  const handlerPath = spec.slice(dot + 1);
  const base = path.resolve(root, modulePath);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((f) => fs.existsSync(f));
  if (!file) {
    throw new UserError('Runtime.ImportModuleError', `Error: Cannot find module '${path.basename(modulePath)}'\nRequire stack:\n- ${root}`);
  }
  let mod;
  try {
    const esm = file.endsWith('.mjs') || (file.endsWith('.js') && isModuleType(file));
    if (esm) {
      registerSearchPaths();
      mod = await import(pathToFileURL(file).href);
    } else {
      try {
        mod = module.createRequire(file)(file);
      } catch (err) {
        if (err?.code !== 'ERR_REQUIRE_ESM') throw err;
        registerSearchPaths();
        mod = await import(pathToFileURL(file).href);
      }
    }
  } catch (err) {
    if (err instanceof SyntaxError) throw new UserError('Runtime.UserCodeSyntaxError', `${err.name}: ${err.message}`, err);
    if (err?.code === 'MODULE_NOT_FOUND' || err?.code === 'ERR_MODULE_NOT_FOUND') {
      throw new UserError('Runtime.ImportModuleError', `Error: ${err.message}`, err);
    }
    throw err;
  }
  let fn = handlerPath.split('.').reduce((o, k) => (o == null ? undefined : o[k]), mod);
  if (fn === undefined && mod?.default) fn = handlerPath.split('.').reduce((o, k) => (o == null ? undefined : o[k]), mod.default);
  if (fn === undefined) {
    throw new UserError('Runtime.HandlerNotFound', `${path.basename(modulePath)}.${handlerPath} is undefined or not exported`);
  }
  if (typeof fn !== 'function') {
    throw new UserError('Runtime.HandlerNotFound', `${path.basename(modulePath)}.${handlerPath} is not a function`);
  }
  return fn;
}

function makeContext(headers, settle) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: (err, result) => settle(err, result, true),
    succeed: (result) => settle(null, result, true),
    fail: (err) => settle(err ?? 'handled', undefined, true),
  };
  if (headers['lambda-runtime-cognito-identity']) {
    try { context.identity = JSON.parse(headers['lambda-runtime-cognito-identity']); } catch { /* not JSON: left out */ }
  }
  if (headers['lambda-runtime-client-context']) {
    try { context.clientContext = JSON.parse(headers['lambda-runtime-client-context']); } catch { /* not JSON: left out */ }
  }
  return context;
}

// invoke runs the handler once. An async handler's promise settles the
// invocation; a callback settles it when the event loop is empty
// (callbackWaitsForEmptyEventLoop) or at once.
function invoke(handler, event, headers) {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (err, result) => {
      if (settled) return;
      settled = true;
      process.removeListener('beforeExit', onEmpty);
      resolve({ err, result });
    };
    let pending = null;
    const onEmpty = () => { if (pending) finish(pending.err, pending.result); else finish(null, null); };
    const settle = (err, result, viaCallback) => {
      if (settled || pending) return;
      if (viaCallback && context.callbackWaitsForEmptyEventLoop) {
        pending = { err, result };
        return;
      }
      finish(err, result);
    };
    const context = makeContext(headers, settle);
    process.on('beforeExit', onEmpty);
    try {
      const ret = handler(event, context, (err, result) => settle(err, result, true));
      if (ret && typeof ret.then === 'function') {
        ret.then((v) => finish(null, v), (e) => finish(e ?? new Error('Promise rejected with ' + e), undefined));
      }
    } catch (err) {
      finish(err);
    }
  });
}

process.on('unhandledRejection', async (reason) => {
  const err = reason instanceof Error ? reason : new Error(String(reason));
  const type = 'Runtime.UnhandledPromiseRejection';
  await report(err, type, 'Unhandled Promise Rejection');
  process.exit(128);
});
process.on('uncaughtException', async (err) => {
  await report(err, undefined, 'Uncaught Exception');
  process.exit(129);
});

async function report(err, type, label) {
  try {
    if (currentRequestId) await postError(`/invocation/${currentRequestId}/error`, err, type, label);
    else await postError('/init/error', err, type, label);
  } catch { /* the runtime is exiting anyway */ }
}

async function main() {
  let handler;
  try {
    handler = await loadHandler();
  } catch (err) {
    await postError('/init/error', err);
    process.exit(1);
  }
  for (;;) {
    const next = await call('GET', '/invocation/next');
    const headers = next.headers;
    const id = headers['lambda-runtime-aws-request-id'];
    currentRequestId = id;
    if (headers['lambda-runtime-trace-id']) process.env._X_AMZN_TRACE_ID = headers['lambda-runtime-trace-id'];
    let event;
    try {
      event = JSON.parse(next.body.toString('utf8') || 'null');
    } catch (err) {
      await postError(`/invocation/${id}/error`, err, 'Runtime.UnmarshalError');
      continue;
    }
    const { err, result } = await invoke(handler, event, headers);
    if (err !== null && err !== undefined) {
      await postError(`/invocation/${id}/error`, err);
    } else {
      let body;
      try {
        body = JSON.stringify(result === undefined ? null : result);
      } catch (e) {
        await postError(`/invocation/${id}/error`, new UserError('Runtime.MarshalError', `Unable to stringify response body: ${e.message}`));
        continue;
      }
      const res = await call('POST', `/invocation/${id}/response`, body, { 'Content-Type': 'application/json' });
      if (res.status === 413) console.error(res.body.toString());
    }
    currentRequestId = undefined;
  }
}

main();
