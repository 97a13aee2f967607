// The OpenAPI document against the server it describes: valid OpenAPI 3.1 (checked by a validator
// package against the official schema), and complete: every route in Fastify's route table, every
// status the server's code sets, every code of the error table. A route added without an entry in
// server/openapi/routes.ts fails here.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { type ErrorCode, errors } from '../../server/errors.js';
import { buildOpenApiDocument, openApiPath, statusOf } from '../../server/openapi/document.js';
import { routesOutsideTheApi } from '../../server/openapi/routes.js';

const document = buildOpenApiDocument();

type Operation = {
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
};
const operations = Object.entries(document.paths).flatMap(([path, item]) =>
  Object.entries(item as Record<string, Operation>).map(([method, op]) => ({ method, path, op })),
);

/** Every setting that turns on an optional route, so the route table holds all of them. */
const EVERY_ROUTE_ON = { AUTH_TOKEN: 'secret', CORS_ORIGINS: 'https://app.example' };

let dir: string;
let fastifyRoutes: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'livedrop-openapi-'));
  const seen = new Set<string>();
  const app = await buildApp(loadConfig({ LOG_LEVEL: 'silent', UPLOAD_DIR: dir, ...EVERY_ROUTE_ON }), {
    onRoute: (route) => {
      for (const method of [route.method].flat()) seen.add(`${method} ${route.url}`);
    },
  });
  await app.ready();
  await app.close();
  fastifyRoutes = [...seen];
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('OpenAPI document', () => {
  it('validates as OpenAPI 3.1', async () => {
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    // The validator picks the official schema by the document's `openapi` field.
    expect(validator.version).toBe('3.1');
  });

  it("describes every route in Fastify's route table", () => {
    expect(fastifyRoutes.length).toBeGreaterThan(10);
    const missing = fastifyRoutes.filter((route) => {
      if (route in routesOutsideTheApi) return false;
      const [method, url] = route.split(' ') as [string, string];
      return !(document.paths as Record<string, Record<string, unknown>>)[openApiPath(url)]?.[
        method.toLowerCase()
      ];
    });
    expect(missing, 'add these to server/openapi/routes.ts').toEqual([]);
  });

  it('describes no route the server does not have', () => {
    const served = new Set(fastifyRoutes.map((route) => openApiPath(route).toLowerCase()));
    const stale = operations
      .map(({ method, path }) => `${method} ${path}`)
      .filter((operation) => !served.has(operation.toLowerCase()));
    expect(stale).toEqual([]);
  });

  it('names every error code of server/errors.ts under its status', () => {
    const documented = new Map<string, Set<number>>();
    for (const { op } of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        const schema = response.content?.['application/json']?.schema as
          | { properties?: { code?: { enum?: string[] } } }
          | undefined;
        for (const code of schema?.properties?.code?.enum ?? []) {
          documented.set(code, (documented.get(code) ?? new Set()).add(Number(status)));
        }
      }
      for (const code of (op as { 'x-unanswered-error-codes'?: string[] })['x-unanswered-error-codes'] ??
        []) {
        documented.set(code, (documented.get(code) ?? new Set()).add(statusOf(code as ErrorCode)));
      }
    }
    for (const code of Object.keys(errors) as ErrorCode[]) {
      expect(documented.get(code), `${code} is in no operation of the document`).toBeDefined();
      expect([...documented.get(code)!], code).toEqual([statusOf(code)]);
    }
  });

  it('has every status the server code sets among its responses', async () => {
    const documentedStatuses = new Set(operations.flatMap(({ op }) => Object.keys(op.responses).map(Number)));
    const setInCode = await statusesSetIn('server');
    expect(setInCode.size).toBeGreaterThan(4);
    const missing = [...setInCode].filter(([status]) => !documentedStatuses.has(status));
    expect(missing, 'statuses answered by server code but in no response of the document').toEqual([]);
  });
});

/** Not part of the API: the WebSocket core's stand-alone demo servers (npm run ws:echo / ws:chat). */
const NOT_THE_API = new Set(['ws/demo-server.ts']);

/** Literal statuses in `reply.code(201)`, `res.writeHead(200`, `refuse(426`, `HTTP/1.1 101` in server/. */
async function statusesSetIn(root: string): Promise<Map<number, string>> {
  const found = new Map<number, string>();
  const files = (await readdir(root, { recursive: true })).filter((file) => file.endsWith('.ts'));
  for (const file of files) {
    if (NOT_THE_API.has(file)) continue;
    const source = await readFile(join(root, file), 'utf8');
    for (const match of source.matchAll(
      /(?:\.code|writeHead|refuse|\.status)\((\d{3})\b|HTTP\/1\.1 (\d{3})/g,
    )) {
      found.set(Number(match[1] ?? match[2]), file);
    }
  }
  return found;
}
