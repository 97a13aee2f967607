// Crash safety: the server is SIGKILLed during 10 concurrent uploads (5 answered 201, 5 half sent),
// then restarted on the same UPLOAD_DIR. Nothing partial may be listed or served, `.tmp/` is swept,
// and every upload that was answered 201 is listed with bytes that match its SHA-256. Commits cut
// short by a crash (data file without sidecar, sidecar whose data is short) are not resurrected.
// Then the same promises with the kill at an arbitrary moment, while files stream and commit.
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, multipart } from '../fixtures/upload-server.js';
import { type ServerProcess, startServerProcess } from './server-process.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

interface Sent {
  data: Buffer;
  request: http.ClientRequest;
  response: Promise<{ status: number; body: string }>;
}

/** Starts an upload and sends the first `fraction` of its body (all of it ends the request). */
function upload(url: string, data: Buffer, fraction: number): Sent {
  const { body, contentType } = multipart([{ name: 'file', filename: 'f.bin', data }]);
  const request = http.request(`${url}/api/uploads`, {
    method: 'POST',
    headers: { 'content-type': contentType, 'content-length': body.length },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    request.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    request.on('error', reject);
  });
  if (fraction >= 1) request.end(body);
  else request.write(body.subarray(0, Math.floor(body.length * fraction)));
  return { data, request, response };
}

async function getJson(url: string): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url);
  return { status: response.status, json: await response.json() };
}

let servers: ServerProcess[] = [];
let dir: string;
afterEach(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
  await rm(dir, { recursive: true, force: true });
});

describe('kill -9 during uploads, then restart on the same UPLOAD_DIR', () => {
  it('keeps every upload answered 201, intact, and nothing of the ones in flight', async () => {
    dir = await mkdtemp(join(tmpdir(), 'livedrop-crash-'));
    const first = await startServerProcess({ UPLOAD_DIR: dir });
    servers.push(first);

    const uploads = Array.from({ length: 10 }, (_, i) =>
      upload(first.url, randomBytes(256 * 1024 + i * 50_000), i < 5 ? 1 : 0.5),
    );
    const completed = await Promise.all(uploads.slice(0, 5).map((u) => u.response));
    const answered = completed.map(({ status, body }, i) => {
      expect(status).toBe(201);
      const [stored] = (JSON.parse(body) as { uploads: { id: string; sha256: string; size: number }[] })
        .uploads;
      expect(stored!.sha256).toBe(sha256(uploads[i]!.data));
      return { ...stored!, data: uploads[i]!.data };
    });
    // The other five are mid-body: each has a temp file with bytes in it when the kill comes.
    let inFlight: string[] = [];
    await eventually(async () => {
      inFlight = await readdir(join(dir, '.tmp'));
      expect(inFlight).toHaveLength(5);
      for (const id of inFlight) expect((await stat(join(dir, '.tmp', id))).size).toBeGreaterThan(0);
    });
    for (const u of uploads.slice(5)) u.response.catch(() => {}); // they end in ECONNRESET

    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    // Two commits a crash could have cut short: bytes renamed into place but no sidecar yet, and a
    // sidecar whose data file is shorter than it says. Neither is a completed upload.
    const orphan = 'AAAAAAAAAAAAAAAAAAAAAA';
    await writeFile(join(dir, orphan), randomBytes(1000));
    const victim = answered[4]!;
    const short = 'BBBBBBBBBBBBBBBBBBBBBB';
    await writeFile(join(dir, short), victim.data);
    await truncate(join(dir, short), 10);
    await writeFile(join(dir, `${short}.json`), JSON.stringify({ ...victim, id: short, data: undefined }));

    const second = await startServerProcess({ UPLOAD_DIR: dir });
    servers.push(second);

    expect(await readdir(join(dir, '.tmp'))).toEqual([]);
    const { json } = await getJson(`${second.url}/api/uploads?limit=100`);
    const listed = (json as { uploads: { id: string; sha256: string; size: number }[] }).uploads;
    expect(listed.map((u) => u.id).sort()).toEqual(answered.map((u) => u.id).sort());
    for (const upload of answered) {
      const content = Buffer.from(
        await (await fetch(`${second.url}/api/uploads/${upload.id}/content`)).arrayBuffer(),
      );
      expect(content.length).toBe(upload.data.length);
      expect(sha256(content)).toBe(upload.sha256);
    }
    for (const id of [...inFlight, orphan, short]) {
      expect((await fetch(`${second.url}/api/uploads/${id}`)).status).toBe(404);
      expect((await fetch(`${second.url}/api/uploads/${id}/content`)).status).toBe(404);
    }
    // The orphaned data file is removed at start-up, not merely hidden.
    expect((await readdir(dir)).includes(orphan)).toBe(false);
  });

  it('keeps the same promises when the kill lands at an arbitrary moment, commits included', async () => {
    dir = await mkdtemp(join(tmpdir(), 'livedrop-crash-'));
    const sent = new Set<string>(); // digests of every file sent, over both rounds
    for (let round = 0; round < 2; round++) {
      const server = await startServerProcess({ UPLOAD_DIR: dir });
      servers.push(server);
      const uploads = Array.from({ length: 10 }, () =>
        upload(server.url, randomBytes(randomInt(1, 4) << 20), 1),
      );
      const answered: { id: string; sha256: string }[] = [];
      for (const u of uploads) {
        u.response.then(
          ({ status, body }) => {
            if (status === 201)
              answered.push(...(JSON.parse(body) as { uploads: { id: string; sha256: string }[] }).uploads);
          },
          () => {}, // cut by the kill
        );
      }
      // Some are answered, the rest are streaming or committing: kill somewhere in there.
      await eventually(() => expect(answered.length).toBeGreaterThan(0));
      await sleep(randomInt(0, 30));
      server.child.kill('SIGKILL');
      await server.exited;
      const answeredBeforeKill = [...answered];

      const restarted = await startServerProcess({ UPLOAD_DIR: dir });
      servers.push(restarted);
      expect(await readdir(join(dir, '.tmp'))).toEqual([]);
      const { json } = await getJson(`${restarted.url}/api/uploads?limit=100`);
      const listed = (json as { uploads: { id: string; sha256: string }[] }).uploads;
      // Every answered upload is there; whatever else is there completed before the kill (its 201
      // was on its way): it is one of the files sent, intact.
      expect(listed.map((u) => u.id)).toEqual(expect.arrayContaining(answeredBeforeKill.map((u) => u.id)));
      for (const u of uploads) sent.add(sha256(u.data));
      for (const upload of listed) {
        const content = Buffer.from(
          await (await fetch(`${restarted.url}/api/uploads/${upload.id}/content`)).arrayBuffer(),
        );
        expect(sha256(content)).toBe(upload.sha256);
        expect(sent.has(upload.sha256)).toBe(true);
      }
      // On disk: exactly a data file and a sidecar per listed upload, nothing half-committed.
      const names = (await readdir(dir)).filter((name) => name !== '.tmp').sort();
      expect(names).toEqual(listed.flatMap((u) => [u.id, `${u.id}.json`]).sort());
      await restarted.stop();
    }
    // Four server processes start in this case; on a loaded 2-core machine each takes seconds.
  }, 90_000);
});
