import { execFileSync } from 'node:child_process';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { lazySchemaCompilers } from '../../server/lazy-schema-compilers.js';

describe('lazySchemaCompilers', () => {
  it('still validates request bodies and serializes replies when a route declares schemas', async () => {
    const app = Fastify({ schemaController: { compilersFactory: lazySchemaCompilers } });
    app.post(
      '/echo',
      {
        schema: {
          body: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } },
          response: { 200: { type: 'object', properties: { n: { type: 'integer' } } } },
        },
      },
      async (request) => ({ ...(request.body as object), secret: 'dropped by the serializer' }),
    );
    const bad = await app.inject({ method: 'POST', url: '/echo', payload: { n: 'three' } });
    expect(bad.statusCode).toBe(400);
    const good = await app.inject({ method: 'POST', url: '/echo', payload: { n: 3 } });
    expect(good.statusCode).toBe(200);
    expect(good.json()).toEqual({ n: 3 });
    await app.close();
  });

  it('keeps Ajv unloaded while no schema needs compiling', () => {
    // A fresh process: this test runner may have loaded Ajv itself.
    const script = `
      import Fastify from 'fastify';
      import { createRequire } from 'node:module';
      import { lazySchemaCompilers } from './server/lazy-schema-compilers.ts';
      const app = Fastify({ schemaController: { compilersFactory: lazySchemaCompilers } });
      app.get('/', async () => ({ ok: true }));
      await app.ready();
      const cache = Object.keys(createRequire(import.meta.url).cache);
      console.log(cache.filter((path) => path.includes('/node_modules/ajv/')).length);
      await app.close();
    `;
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(output.trim()).toBe('0');
  });
});
