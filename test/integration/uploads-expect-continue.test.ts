// `Expect: 100-continue` (RFC 9110 §10.1.1): the body is asked for only once the upload would be
// accepted, so a refused upload never has its body sent.
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { multipart, startServer, type TestServer } from '../fixtures/upload-server.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

/** Posts with Expect: 100-continue, sending the body only when the server says "continue". */
function postExpectingContinue(url: string, headers: Record<string, string> = {}) {
  const { body, contentType } = multipart([{ name: 'file', filename: 'f.txt', data: 'hello' }]);
  return new Promise<{ status: number; continued: boolean; body: string }>((resolve, reject) => {
    let continued = false;
    const request = http.request(`${url}/api/uploads`, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'content-length': body.length,
        expect: '100-continue',
        ...headers,
      },
    });
    request.on('continue', () => {
      continued = true;
      request.end(body);
    });
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode!, continued, body: text }));
    });
    request.on('error', reject);
    request.flushHeaders();
  });
}

describe('Expect: 100-continue', () => {
  it('asks for the body of an acceptable upload, then stores it', async () => {
    server = await startServer({});
    const answer = await postExpectingContinue(server.url);
    expect(answer.continued).toBe(true);
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.body).uploads[0].size).toBe(5);
  });

  it('401s without asking for the body when the token is missing', async () => {
    server = await startServer({ AUTH_TOKEN: 'secret' });
    const answer = await postExpectingContinue(server.url);
    expect(answer.status).toBe(401);
    expect(answer.continued).toBe(false);
    expect(JSON.parse(answer.body).code).toBe('AUTH_REQUIRED');
  });

  it('415s a non-multipart body without asking for it', async () => {
    server = await startServer({});
    const answer = await postExpectingContinue(server.url, { 'content-type': 'application/json' });
    expect(answer.status).toBe(415);
    expect(answer.continued).toBe(false);
  });
});
