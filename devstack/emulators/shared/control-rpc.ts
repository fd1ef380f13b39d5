/**
 * Exposes an emulator's in-process control object over HTTP so that `npm run emulators` users,
 * scripts and benchmarks can drive it the way tests do, with no per-method route to keep in sync:
 *
 *   GET  <base>                 → `{ methods: [...], usage: { method: "method(arg, …)" } }`
 *   GET  <base>/<method>        → calls a method without arguments (e.g. `outbox`, `callCounts`)
 *   POST <base>/<method>        → body: a JSON array of positional arguments (or one object, passed
 *                                 as the single argument); answers `{ result }`
 *
 * Errors thrown by the method answer `400 { error }` (or the error's own `status` when it has one).
 */
import express from 'express';

export function controlRpcRouter(target: object, methods: readonly string[]): express.Router {
  const router = express.Router();
  const allowed = new Set(methods);
  router.use(express.json({ limit: '10mb' }));
  router.get('/', (_request, response) => {
    const names = [...allowed].sort();
    const usage = Object.fromEntries(names.map((name) => [name, `${name}(${parameterNames((target as Record<string, unknown>)[name]).join(', ')})`]));
    response.json({ methods: names, usage });
  });
  router.all('/:method', async (request, response) => {
    const method = request.params.method as string;
    const fn = (target as Record<string, unknown>)[method];
    if (!allowed.has(method) || typeof fn !== 'function' || (request.method !== 'GET' && request.method !== 'POST')) {
      response.status(404).json({ error: `unknown control method ${request.method} ${method}` });
      return;
    }
    const body: unknown = request.method === 'POST' ? request.body : undefined;
    const args = Array.isArray(body) ? body : body === undefined || (typeof body === 'object' && body !== null && Object.keys(body).length === 0) ? [] : [body];
    try {
      const result = await (fn as (...a: unknown[]) => unknown).apply(target, args);
      response.json({ result: result ?? null });
    } catch (error) {
      const status = Number((error as { status?: number }).status);
      response.status(status >= 400 && status < 600 ? status : 400).json({ error: (error as Error).message });
    }
  });
  return router;
}

/** A control class's callable methods, inherited ones included, minus its private `helpers`. */
export function controlMethods(control: abstract new (...args: never[]) => object, helpers: string[]): string[] {
  const names = new Set<string>();
  for (let proto = control.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) if (name !== 'constructor' && !helpers.includes(name)) names.add(name);
  }
  return [...names];
}

/**
 * A method's parameter names, read from its source (types are gone at run time): enough for a
 * person at the control API to know what to send. `name?` has a default; `{…}` is an object.
 */
export function parameterNames(fn: unknown): string[] {
  if (typeof fn !== 'function') return [];
  const source = fn.toString();
  const open = source.indexOf('(');
  let depth = 0;
  let current = '';
  const parts: string[] = [];
  for (let i = open + 1; i < source.length; i++) {
    const c = source[i]!;
    if ('([{'.includes(c)) depth++;
    if (')]}'.includes(c)) {
      if (depth === 0) break;
      depth--;
    }
    if (c === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => (part.startsWith('{') ? '{…}' : part.includes('=') ? `${part.slice(0, part.indexOf('=')).trim()}?` : part));
}
