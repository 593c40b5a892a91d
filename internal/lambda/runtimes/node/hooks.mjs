// Module resolution hooks for ES module handlers: a bare specifier that the
// handler's own node_modules cannot satisfy is looked up in the NODE_PATH
// folders (layers, the shared AWS SDK cache), as on Lambda.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

let dirs = [];

export async function initialize(data) {
  dirs = data?.dirs ?? [];
}

function isBare(specifier) {
  return !/^(\.{0,2}\/|[a-z][a-z0-9+.-]*:)/i.test(specifier);
}

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !isBare(specifier)) throw err;
    for (const dir of dirs) {
      const parentURL = pathToFileURL(path.join(path.dirname(dir), '__nimbus_resolve__.mjs')).href;
      try {
        return await nextResolve(specifier, { ...context, parentURL });
      } catch {
        // try the next folder
      }
    }
    throw err;
  }
}
