// `livedrop upload` of a big file through tus, interrupted and run again: after Ctrl-C, after a
// kill -9 once part of the file is stored, and across a dropped network, each run goes on from the
// server's offset (HEAD, then PATCH from there: no new upload is created) and the stored bytes
// hash exactly like the file. The client's uplink is slowed by a proxy so the test can act halfway.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../fixtures/upload-server.js';
import { buildCli, type RecordingServer, startCli, startRecordingServer, storedSizes } from './harness.js';
import { startThrottleProxy, type ThrottleProxy } from './throttle-proxy.js';

const MiB = 1024 * 1024;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let cli: Awaited<ReturnType<typeof buildCli>>;
let server: RecordingServer;
let proxy: ThrottleProxy;
let work: string;
let feed: ReturnType<typeof storedSizes>;

beforeAll(async () => {
  [cli, server, work] = await Promise.all([
    buildCli(),
    startRecordingServer({ RESUMABLE_THRESHOLD: '1MiB', TUS_CHUNK_SIZE: '2MiB' }),
    mkdtemp(join(tmpdir(), 'livedrop-cli-resume-')),
  ]);
  proxy = await startThrottleProxy(Number(new URL(server.url).port), 4 * MiB);
  feed = storedSizes(server.url);
}, 60_000);

afterAll(async () => {
  feed?.close();
  await Promise.all([
    cli?.remove(),
    proxy?.close(),
    server?.close(),
    work && rm(work, { recursive: true, force: true }),
  ]);
});

const stateFile = () => join(work, 'state', 'livedrop', 'tus-uploads.json');
const env = (serverUrl: string) => ({ LIVEDROP_SERVER: serverUrl, XDG_STATE_HOME: join(work, 'state') });

/** The upload URL the CLI keeps for resuming, once it has one. */
async function storedUploadUrl(): Promise<string> {
  let url = '';
  await eventually(async () => {
    const entries = Object.values(JSON.parse(await readFile(stateFile(), 'utf8'))) as { uploadUrl: string }[];
    expect(entries).toHaveLength(1);
    url = entries[0]!.uploadUrl;
  }, 10_000);
  return url;
}

const idOf = (uploadUrl: string) => new URL(uploadUrl).pathname.split('/').pop()!;

/** Bytes stored so far, from the live feed, while a PATCH runs (a HEAD would stop it). */
const storedNow = (uploadUrl: string) => feed.sizes.get(idOf(uploadUrl)) ?? 0;

/** Upload-Offset as the server reports it (tus HEAD), once no PATCH runs. */
async function serverOffset(uploadUrl: string): Promise<number> {
  const path = new URL(uploadUrl).pathname;
  const response = await fetch(`${server.url}${path}`, {
    method: 'HEAD',
    headers: { 'Tus-Resumable': '1.0.0' },
  });
  return Number(response.headers.get('upload-offset'));
}

const requestsSince = (mark: number) =>
  server.requests.slice(mark).filter((r) => r.url.startsWith('/api/tus'));

describe('livedrop upload through tus, resumed', () => {
  const data = randomBytes(8 * MiB);

  it('Ctrl-C, then kill -9, then a clean run: each run resumes at the offset the server holds', async () => {
    await writeFile(join(work, 'big.bin'), data);

    // Run 1: Ctrl-C once some bytes are stored; the CLI says how to go on and exits 130.
    let mark = server.requests.length;
    const first = startCli(cli.bin, ['upload', 'big.bin'], { env: env(proxy.url), cwd: work });
    const uploadUrl = await storedUploadUrl();
    await eventually(() => expect(storedNow(uploadUrl)).toBeGreaterThan(MiB), 15_000);
    first.child.kill('SIGINT');
    const interrupted = await first.done;
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toContain('run the same command again to resume');
    expect(requestsSince(mark).filter((r) => r.method === 'POST')).toHaveLength(1);
    const afterCtrlC = await serverOffset(uploadUrl);
    expect(afterCtrlC).toBeGreaterThan(MiB);
    expect(afterCtrlC).toBeLessThan(data.length);

    // Run 2: resumes from there (HEAD, then PATCH at that offset, no new POST); killed with SIGKILL
    // once more is stored: nothing gets to clean up.
    mark = server.requests.length;
    const second = startCli(cli.bin, ['upload', 'big.bin'], { env: env(proxy.url), cwd: work });
    await eventually(
      async () => expect(await serverOffset(uploadUrl)).toBeGreaterThan(afterCtrlC + MiB),
      15_000,
    );
    second.child.kill('SIGKILL');
    await second.done;
    const run2 = requestsSince(mark);
    expect(run2.some((r) => r.method === 'POST' && r.url === '/api/tus')).toBe(false);
    expect(run2[0]).toMatchObject({ method: 'HEAD', url: new URL(uploadUrl).pathname });
    expect(run2.find((r) => r.method === 'PATCH')?.headers['upload-offset']).toBe(String(afterCtrlC));
    const afterKill = await serverOffset(uploadUrl);
    expect(afterKill).toBeLessThan(data.length);

    // Run 3, the same command under a terminal: resumes at afterKill and finishes; the bar shows sent and
    // stored reaching 100 %; the stored bytes are exactly the file's.
    mark = server.requests.length;
    const screen = await underTerminal(['upload', 'big.bin'], env(proxy.url));
    expect(screen.code).toBe(0);
    expect(screen.text).toContain(`resuming big.bin at ${afterKill} of ${data.length} bytes`);
    expect(screen.text).toMatch(/big\.bin\s+█{20} 100% \| sent 8\.0 MiB \| stored 8\.0 MiB \/ 8\.0 MiB/);
    const run3 = requestsSince(mark);
    expect(run3.some((r) => r.method === 'POST' && r.url === '/api/tus')).toBe(false);
    expect(run3.find((r) => r.method === 'PATCH')?.headers['upload-offset']).toBe(String(afterKill));

    const id = idOf(uploadUrl);
    const upload = (await (await fetch(`${server.url}/api/uploads/${id}`)).json()) as {
      sha256: string;
      kind: string;
    };
    expect(upload).toMatchObject({ sha256: sha256(data), kind: 'resumable' });
    const content = Buffer.from(await (await fetch(`${server.url}/api/uploads/${id}/content`)).arrayBuffer());
    expect(sha256(content)).toBe(sha256(data));
    // Done: the URL is forgotten, so the same file would start a new upload next time.
    expect(Object.keys(JSON.parse(await readFile(stateFile(), 'utf8')))).toEqual([]);
  }, 90_000);

  it('a network that drops mid-file is retried in the same run, from the server offset', async () => {
    const other = randomBytes(4 * MiB);
    await writeFile(join(work, 'flaky.bin'), other);
    const mark = server.requests.length;
    const run = startCli(cli.bin, ['upload', '--json', 'flaky.bin'], { env: env(proxy.url), cwd: work });
    const uploadUrl = await storedUploadUrl();
    await eventually(() => expect(storedNow(uploadUrl)).toBeGreaterThan(MiB), 15_000);
    proxy.dropAll();
    const result = await run.done;
    expect(result.code).toBe(0);
    const patches = requestsSince(mark).filter((r) => r.method === 'PATCH');
    const resumedAt = patches.map((r) => Number(r.headers['upload-offset']));
    expect(resumedAt.some((offset) => offset > MiB && offset % (2 * MiB) !== 0)).toBe(true);
    expect(JSON.parse(result.stdout)).toMatchObject({ sha256: sha256(other), size: other.length });
    expect(Object.keys(JSON.parse(await readFile(stateFile(), 'utf8')))).toEqual([]);
  }, 60_000);
});

/** Runs the CLI under a pseudo-terminal (util-linux `script`) and returns what the screen got. */
async function underTerminal(
  args: string[],
  cliEnv: Record<string, string>,
): Promise<{ code: number | null; text: string }> {
  const quoted = args.map((arg) => `"${arg}"`).join(' ');
  const terminal = spawn(
    'script',
    [
      '-q',
      '-e',
      '-c',
      `stty cols 160 rows 30; exec "${process.execPath}" "${cli.bin}" ${quoted}`,
      '/dev/null',
    ],
    {
      cwd: work,
      env: { PATH: process.env.PATH ?? '', TERM: 'xterm', ...cliEnv },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let raw = '';
  terminal.stdout.setEncoding('utf8').on('data', (text: string) => (raw += text));
  const code = await new Promise<number | null>((resolve) => terminal.on('close', resolve));
  return { code, text: raw.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '') };
}
