// The CLI on a real terminal, run under a pseudo-terminal (util-linux `script`): `watch` draws a
// table redrawn in place, where an upload paced by the test shows up at 50 %, then at 100 % and
// completed, and Ctrl-C (a real ^C through the terminal) ends it with exit code 0; `upload` draws a
// bar per file with the bytes sent and stored.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { eventually } from '../fixtures/upload-server.js';
import { buildCli, type RecordingServer, startRecordingServer } from './harness.js';

let cli: Awaited<ReturnType<typeof buildCli>>;
let server: RecordingServer;

beforeAll(async () => {
  [cli, server] = await Promise.all([buildCli(), startRecordingServer({ PROGRESS_INTERVAL_MS: '50' })]);
}, 60_000);

afterAll(async () => {
  await Promise.all([cli?.remove(), server?.close()]);
});

/** The screen's text without escape sequences (cursor moves, erases), one frame after another. */
const stripAnsi = (text: string) => text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');

describe('livedrop watch under a terminal', () => {
  it('shows an upload in progress with a bar, redraws it to 100 % and completed, and exits 0 on Ctrl-C', async () => {
    const terminal = spawn(
      'script',
      ['-q', '-e', '-c', `stty cols 150 rows 30; exec "${process.execPath}" "${cli.bin}" watch`, '/dev/null'],
      {
        env: { PATH: process.env.PATH ?? '', LIVEDROP_SERVER: server.url, TERM: 'xterm' },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let screen = '';
    terminal.stdout.setEncoding('utf8').on('data', (text: string) => (screen += text));
    const exited = new Promise<number | null>((resolve) => terminal.on('close', resolve));
    try {
      await eventually(() => expect(stripAnsi(screen)).toContain('no uploads in progress'), 15_000);

      const data = randomBytes(200_000);
      const boundary = 'watchtestboundary';
      const head = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="size"\r\n\r\n${data.length}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="watched.bin"\r\n` +
          'Content-Type: application/octet-stream\r\n\r\n',
      );
      const request = http.request(`${server.url}/api/uploads`, {
        method: 'POST',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      });
      const answered = new Promise<number>((resolve, reject) => {
        request.on('response', (response) => {
          response.resume();
          resolve(response.statusCode!);
        });
        request.on('error', reject);
      });
      request.write(Buffer.concat([head, data.subarray(0, data.length / 2)]));

      // Half the bytes stored: the row is there, a bar half full, at 50 %.
      const row = (text: string) =>
        stripAnsi(text)
          .split(/\r?\n/)
          .filter((line) => line.includes('watched.bin'));
      await eventually(() => expect(row(screen).some((line) => / 50%/.test(line))).toBe(true), 10_000);
      const halfway = row(screen).find((line) => / 50%/.test(line))!;
      expect(halfway).toMatch(/uploading\s+█{10}░{10}\s+50%\s+98 KiB \/ 195 KiB/);

      request.end(Buffer.concat([data.subarray(data.length / 2), Buffer.from(`\r\n--${boundary}--\r\n`)]));
      expect(await answered).toBe(201);
      await eventually(
        () => expect(row(screen).some((line) => /completed\s+█{20}\s+100%/.test(line))).toBe(true),
        10_000,
      );
      // Redrawn in place: the frames erase the previous lines (ESC [2K … ESC [1A) instead of scrolling.
      expect(screen).toMatch(/\u001b\[2K\u001b\[1A/);

      terminal.stdin.write('\u0003');
      expect(await exited).toBe(0);
    } finally {
      terminal.kill();
    }
  });
});

describe('livedrop upload under a terminal', () => {
  it('draws a bar per file with sent and stored bytes reaching 100 %, and the result above it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'livedrop-cli-bar-'));
    const path = join(dir, `bar-${process.pid}.bin`);
    await writeFile(path, randomBytes(3 * 1024 * 1024));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const terminal = spawn(
      'script',
      [
        '-q',
        '-e',
        '-c',
        `stty cols 150 rows 30; exec "${process.execPath}" "${cli.bin}" upload "${path}"`,
        '/dev/null',
      ],
      {
        env: { PATH: process.env.PATH ?? '', LIVEDROP_SERVER: server.url, TERM: 'xterm' },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let screen = '';
    terminal.stdout.setEncoding('utf8').on('data', (text: string) => (screen += text));
    const code = await new Promise<number | null>((resolve) => terminal.on('close', resolve));
    expect(code).toBe(0);
    const text = stripAnsi(screen);
    expect(text).toMatch(
      /bar-\d+\.bin\s+█{20} 100% \| sent 3\.0 MiB \| stored 3\.0 MiB \/ 3\.0 MiB \| [\d.]+ \w+\/s \| ETA/,
    );
    expect(text).toMatch(/uploaded bar-\d+\.bin → [\w-]{22} \(3\.0 MiB\)/);
  });
});
