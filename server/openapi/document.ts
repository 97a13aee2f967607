// The OpenAPI 3.1 document, built from the route table (routes.ts) and the error table: each route's
// error codes become its error responses under their statuses, and the errors of the app-wide hooks
// (token, origin, shutdown) are added where those hooks apply, as app.ts, auth.ts and cors.ts decide.
import { isScopedRoute, requiresToken } from '../auth.js';
import { type ErrorCode, errors } from '../errors.js';
import { packageVersion } from '../package-version.js';
import { type Parameter, type ResponseDescription, type RouteDescription, routes } from './routes.js';
import { pathParameters, ref, type Schema, schemas } from './schemas.js';

export const statusOf = (code: ErrorCode): number => new errors[code]().statusCode!;

/** Methods the origin check of cors.ts lets through: browsers cannot be made to send them cross-site with effect. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** auth.ts lets CORS preflights (and tus's OPTIONS) through without a token: Fetch §4.8. */
const needsToken = (method: string, path: string) => method !== 'OPTIONS' && requiresToken(path);

/** The errors answered by hooks that run before the route (app.ts, auth.ts, cors.ts). */
function hookErrors(method: string, path: string): ErrorCode[] {
  const codes: ErrorCode[] = [];
  if (needsToken(method, path)) {
    // A scoped upload token is checked there too: it may create uploads from its origin, nothing else.
    codes.push('AUTH_REQUIRED', 'UPLOAD_TOKEN_EXPIRED');
    codes.push(isScopedRoute(method, path) ? 'UPLOAD_TOKEN_ORIGIN' : 'UPLOAD_TOKEN_SCOPE');
  }
  if (!SAFE_METHODS.has(method)) codes.push('ORIGIN_NOT_ALLOWED');
  if (method === 'POST') codes.push('SHUTTING_DOWN');
  return codes;
}

/** "GET /api/uploads/:id" → ["GET", "/api/uploads/:id"]. */
export function splitRouteKey(key: string): [method: string, path: string] {
  const space = key.indexOf(' ');
  return [key.slice(0, space), key.slice(space + 1)];
}

/** Fastify's `/api/uploads/:id` is OpenAPI's `/api/uploads/{id}`. */
export const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

const parameterList = (where: 'query' | 'header', params: Record<string, Parameter> = {}) =>
  Object.entries(params).map(([name, p]) => ({ name, in: where, required: p.required ?? false, ...p }));

function errorResponses(codes: ErrorCode[]): Record<string, ResponseDescription> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(statusOf(code), [...(byStatus.get(statusOf(code)) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      status,
      {
        description: list.map((code) => `\`${code}\``).join(', '),
        content: {
          'application/json': {
            allOf: [ref('Error')],
            properties: { statusCode: { const: status }, code: { enum: list } },
          } satisfies Schema,
        },
      },
    ]),
  );
}

function operation(method: string, path: string, route: RouteDescription, { head = false } = {}) {
  const pathParams = [...path.matchAll(/:(\w+)/g)].map(([, name]) => {
    const param = pathParameters[name!];
    if (!param) throw new Error(`openapi: path parameter :${name} of ${path} is not in schemas.ts`);
    return { name, in: 'path', required: true, ...param };
  });
  const codes = [...route.errors, ...hookErrors(method, path)];
  const responses: Record<string, ResponseDescription> = { ...route.responses };
  // A status both the route and its errors answer (400: a bad query, or a bad WebSocket handshake).
  for (const [status, response] of Object.entries(errorResponses(codes))) {
    const own = responses[status];
    responses[status] = own
      ? {
          ...own,
          description: `${own.description}; ${response.description}`,
          content: { ...own.content, ...response.content },
        }
      : response;
  }
  return {
    operationId: `${head ? 'head' : method.toLowerCase()}${path
      .split(/[/.:]/)
      .filter((part) => part && part !== 'api')
      .map((part) => part[0]!.toUpperCase() + part.slice(1))
      .join('')}`,
    tags: [route.tag],
    summary: head ? `${route.summary} (headers only)` : route.summary,
    ...(route.description && { description: route.description }),
    parameters: [
      ...pathParams,
      ...parameterList('query', route.query),
      ...parameterList('header', route.headers),
    ],
    ...(route.body &&
      !head && {
        requestBody: {
          required: true,
          description: route.body.description,
          content: Object.fromEntries(
            Object.entries(route.body.content).map(([type, schema]) => [type, { schema }]),
          ),
        },
      }),
    responses: Object.fromEntries(
      Object.entries(responses).map(([status, response]) => [
        status,
        {
          description: response.description,
          ...(response.content &&
            !head && {
              content: Object.fromEntries(
                Object.entries(response.content).map(([type, schema]) => [type, { schema }]),
              ),
            }),
          ...(response.headers && {
            headers: Object.fromEntries(
              Object.entries(response.headers).map(([name, description]) => [
                name,
                { description, schema: { type: 'string' } },
              ]),
            ),
          }),
        },
      ]),
    ),
    security: route.security
      ? [{ [route.security]: [] }]
      : !needsToken(method, path)
        ? []
        : SAFE_METHODS.has(method)
          ? [{ bearerToken: [] }, { tokenQuery: [] }]
          : [{ bearerToken: [] }],
    ...(route.unanswered && { 'x-unanswered-error-codes': route.unanswered }),
  };
}

export function buildOpenApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  const table: Record<string, RouteDescription> = routes;
  for (const [key, route] of Object.entries(table)) {
    const [method, path] = splitRouteKey(key);
    paths[openApiPath(path)] ??= {};
    const item = paths[openApiPath(path)]!;
    item[method.toLowerCase()] = operation(method, path, route);
    // Fastify answers HEAD for every GET (exposeHeadRoutes): the same answer without its body.
    if (method === 'GET' && !(`HEAD ${path}` in table))
      item.head ??= operation('HEAD', path, route, { head: true });
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'livedrop',
      version: packageVersion(),
      description:
        'Self-hosted file uploads with a live feed. Errors use the shape of `Error`; every code is in docs/errors.md.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags: [
      { name: 'uploads', description: 'storing, listing, downloading and deleting files' },
      { name: 'events', description: 'the live feeds (docs/events.md)' },
      { name: 'service', description: 'health, client configuration, this document' },
    ],
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer', description: 'AUTH_TOKEN, when the server sets one' },
        metricsToken: {
          type: 'http',
          scheme: 'bearer',
          description:
            'METRICS_TOKEN, when the server sets one (GET /metrics only; AUTH_TOKEN does not open it)',
        },
        tokenQuery: {
          type: 'apiKey',
          in: 'query',
          name: 'token',
          description:
            'AUTH_TOKEN on GET/HEAD (download links, EventSource and WebSocket cannot set headers)',
        },
      },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
