// Who may use /api/tus: CORS_ORIGINS (preflights for every tus method and header; the exposed
// headers a browser client must read), AUTH_TOKEN, and TRUST_PROXY for Location.
import { afterEach, describe, expect, it } from 'vitest';
import { createTusUpload, headTus, TUS, tusRequest } from '../fixtures/tus-http.js';
import { startServer, type TestServer } from '../fixtures/upload-server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const ORIGIN = 'https://app.example';

describe('tus CORS, auth and proxies', () => {
  it.each(['POST', 'PATCH', 'HEAD', 'DELETE'])(
    '204 preflight for %s with every tus request header from an allowed origin',
    async (method) => {
      server = await startServer({ CORS_ORIGINS: ORIGIN });
      const wanted =
        'tus-resumable, upload-length, upload-offset, upload-metadata, upload-concat, upload-checksum, upload-defer-length, x-http-method-override, content-type, authorization';
      const response = await tusRequest(`${server.url}/api/tus/AAAAAAAAAAAAAAAAAAAAAA`, 'OPTIONS', {
        Origin: ORIGIN,
        'Access-Control-Request-Method': method,
        'Access-Control-Request-Headers': wanted,
      });
      expect(response.status).toBe(204);
      expect(response.headers['access-control-allow-origin']).toBe(ORIGIN);
      if (method !== 'HEAD') expect(response.headers['access-control-allow-methods']).toContain(method);
      const allowed = response.headers['access-control-allow-headers']!.toLowerCase();
      for (const header of wanted.split(', ')) expect(allowed).toContain(header);
    },
  );

  it('exposes Location, Upload-Offset, Upload-Length, Upload-Expires, Upload-Metadata and Tus-* to the allowed origin', async () => {
    server = await startServer({ CORS_ORIGINS: ORIGIN });
    const created = await tusRequest(`${server.url}/api/tus`, 'POST', {
      ...TUS,
      Origin: ORIGIN,
      'Upload-Length': 3,
    });
    expect(created.status).toBe(201);
    expect(created.headers['access-control-allow-origin']).toBe(ORIGIN);
    const exposed = created.headers['access-control-expose-headers']!.toLowerCase();
    for (const header of [
      'location',
      'upload-offset',
      'upload-length',
      'upload-expires',
      'upload-metadata',
      'tus-resumable',
      'tus-version',
      'tus-max-size',
      'tus-extension',
    ]) {
      expect(exposed).toContain(header);
    }
  });

  it('403 ORIGIN_NOT_ALLOWED for a creation from an origin not in CORS_ORIGINS', async () => {
    server = await startServer({ CORS_ORIGINS: ORIGIN });
    const response = await tusRequest(`${server.url}/api/tus`, 'POST', {
      ...TUS,
      Origin: 'https://evil.example',
      'Upload-Length': 3,
    });
    expect(response.status).toBe(403);
  });

  it('401 AUTH_REQUIRED for tus requests without the bearer token; 201 with it', async () => {
    server = await startServer({ AUTH_TOKEN: 'secret' });
    expect((await tusRequest(`${server.url}/api/tus`, 'POST', { ...TUS, 'Upload-Length': 3 })).status).toBe(
      401,
    );
    const url = await createTusUpload(server.url, 3, { Authorization: 'Bearer secret' });
    expect((await headTus(url)).status).toBe(401);
    expect((await headTus(url, { Authorization: 'Bearer secret' })).status).toBe(200);
  });

  it('Location ignores X-Forwarded-Proto/Host unless TRUST_PROXY=true', async () => {
    const forwarded = {
      ...TUS,
      'Upload-Length': 3,
      'X-Forwarded-Proto': 'https',
      'X-Forwarded-Host': 'files.example',
    };
    server = await startServer();
    const untrusted = await tusRequest(`${server.url}/api/tus`, 'POST', forwarded);
    expect(untrusted.headers.location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/tus\//);
    await server.close();
    server = await startServer({ TRUST_PROXY: 'true' });
    const trusted = await tusRequest(`${server.url}/api/tus`, 'POST', forwarded);
    expect(trusted.headers.location).toMatch(/^https:\/\/files\.example\/api\/tus\/[A-Za-z0-9_-]{22}$/);
  });
});
