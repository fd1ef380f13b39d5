/**
 * Route registration: a router declares each operation once — method, path, the zod schemas its
 * request is validated with, and what it answers — and the same declaration both serves the route
 * and documents it (api/openapi.ts builds the OpenAPI document from the registry). So what the API
 * validates is what it documents, and no route is served undocumented.
 */
import { Router, type Request, type RequestHandler, type Response, type RouterOptions } from 'express';
import type { z } from 'zod';
import { parse } from './validation';

export type Method = 'get' | 'post' | 'patch' | 'delete';
/** Who may call it: an account's API key, the operators' admin token, or anyone (authenticated otherwise, if at all). */
export type Security = 'apiKey' | 'adminToken' | 'none';

export interface ResponseSpec {
  description: string;
  /** The body's schema; none for an empty answer. */
  schema?: z.ZodType;
  /** The body's media type when it is not JSON (`text/plain`, `text/html`). */
  contentType?: string;
  /** Response headers worth knowing (`Retry-After`). */
  headers?: z.ZodObject;
}

export interface OperationSpec<P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined> {
  /** Unique across the API (checked by test/api/openapi.test.ts). */
  operationId: string;
  summary: string;
  description?: string;
  /** The router's tags when absent. */
  tags?: string[];
  /** The router's security when absent. */
  security?: Security;
  params?: P;
  query?: Q;
  /** A JSON body, required. */
  body?: B;
  /** Request headers, documented only: middleware reads them (`Idempotency-Key`). */
  headers?: z.ZodObject;
  responses: Record<number, ResponseSpec>;
  /** Runs before validation (e.g. `idempotent`, which must see every attempt). */
  before?: RequestHandler[];
  /**
   * `false`: the handler checks its inputs itself, because a bad one must not answer the API's 400
   * (a provider's webhook is refused with 401, the OAuth callback answers a page for a person).
   */
  validate?: boolean;
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface OperationInput<P, Q, B> {
  params: Parsed<P>;
  query: Parsed<Q>;
  body: Parsed<B>;
}

export type OperationHandler<P, Q, B> = (input: OperationInput<P, Q, B>, req: Request, res: Response) => Promise<void> | void;

/** One registered operation, its path in the router's own Express syntax (`/:id/retry`). */
export interface RouteOperation extends OperationSpec<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined> {
  method: Method;
  path: string;
}

/** One operation of the whole API, its path an OpenAPI template (`/v1/meetings/{id}/retry`). */
export interface ApiOperation extends RouteOperation {
  security: Security;
  tags: string[];
}

export interface RoutesDefaults {
  tags: string[];
  security: Security;
}

/** An Express router whose routes are registered with their specs. */
export class ApiRoutes {
  readonly router: Router;
  readonly operations: RouteOperation[] = [];

  constructor(
    readonly defaults: RoutesDefaults,
    options: RouterOptions = {},
  ) {
    this.router = Router(options);
  }

  get<P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined>(path: string, spec: OperationSpec<P, Q, undefined>, handler: OperationHandler<P, Q, undefined>): this {
    return this.add('get', path, spec, handler);
  }

  post<P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined>(path: string, spec: OperationSpec<P, Q, B>, handler: OperationHandler<P, Q, B>): this {
    return this.add('post', path, spec, handler);
  }

  patch<P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined>(path: string, spec: OperationSpec<P, Q, B>, handler: OperationHandler<P, Q, B>): this {
    return this.add('patch', path, spec, handler);
  }

  delete<P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined>(path: string, spec: OperationSpec<P, Q, undefined>, handler: OperationHandler<P, Q, undefined>): this {
    return this.add('delete', path, spec, handler);
  }

  private add<P extends z.ZodType | undefined, Q extends z.ZodType | undefined, B extends z.ZodType | undefined>(method: Method, path: string, spec: OperationSpec<P, Q, B>, handler: OperationHandler<P, Q, B>): this {
    this.operations.push({ ...(spec as RouteOperation), method, path });
    const validate = spec.validate !== false;
    // Path, then query, then body: a request wrong in several places hears about the first.
    const input = (req: Request) =>
      ({
        params: validate && spec.params ? parse(spec.params, req.params, 'params') : undefined,
        query: validate && spec.query ? parse(spec.query, req.query, 'query') : undefined,
        body: validate && spec.body ? parse(spec.body, req.body, 'body') : undefined,
      }) as OperationInput<P, Q, B>;
    this.router[method](path, ...(spec.before ?? []), async (req: Request, res: Response) => handler(input(req), req, res));
    return this;
  }
}

/** `/users/:userId` → `/users/{userId}`; no trailing slash (a router's `/` is its mount path). */
export function openApiPath(expressPath: string): string {
  const template = expressPath.replace(/:(\w+)/g, '{$1}').replace(/\/+/g, '/');
  return template.length > 1 && template.endsWith('/') ? template.slice(0, -1) : template;
}

/** Every operation of the app, gathered as routers are mounted: what the document is built from. */
export class ApiRegistry {
  private readonly all: ApiOperation[] = [];

  /** Registers `routes` as mounted at `mountPath` (Express syntax, `''` for the app itself). */
  add(mountPath: string, routes: ApiRoutes): void {
    for (const operation of routes.operations) {
      this.all.push({
        ...operation,
        path: openApiPath(`${mountPath}${operation.path}`),
        tags: operation.tags ?? routes.defaults.tags,
        security: operation.security ?? routes.defaults.security,
      });
    }
  }

  operations(): readonly ApiOperation[] {
    return this.all;
  }
}
