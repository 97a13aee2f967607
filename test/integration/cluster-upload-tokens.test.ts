// A scoped token's maxFiles holds across a cluster (issue 15): two real nodes on one real
// redis-server count the token's files in Redis, so uploads spread over both nodes stop at maxFiles
// in all, not per node; a request that fails after its file was counted gives it back; and with
// Redis gone a node refuses (503 UPLOAD_TOKEN_COUNT_UNAVAILABLE) rather than count alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisTokenFileCounts } from '../../server/cluster/redis-token-counts.js';
import { type Cluster, startCluster } from '../fixtures/cluster.js';
import { metadataValue, OFFSET_STREAM, TUS, tusRequest } from '../fixtures/tus-http.js';
import { eventually, type Part, postMultipart } from '../fixtures/upload-server.js';

const ADMIN = 'cluster-admin';
const SITE = 'https://shop.example';
const admin = { authorization: `Bearer ${ADMIN}` };

const file = (name: string, data = 'hello'): Part => ({
  name: 'file',
  filename: name,
  type: 'text/plain',
  data,
});
const code = async (response: Response) => ((await response.json()) as { code: string }).code;

describe('scoped upload tokens in cluster mode (two nodes, one redis-server)', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2, env: { AUTH_TOKEN: ADMIN, CORS_ORIGINS: SITE } });
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  const node = (n: 0 | 1) => cluster.nodes[n]!.url;

  async function issue(on: string, maxFiles: number): Promise<Record<string, string>> {
    const response = await fetch(`${on}/api/upload-tokens`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ origin: SITE, maxFiles, expiresIn: 600 }),
    });
    expect(response.status).toBe(201);
    const { token } = (await response.json()) as { token: string };
    return { authorization: `Bearer ${token}`, origin: SITE };
  }

  /** tus creation-with-upload: the whole (small) file in the POST, completed at once. */
  const createResumable = (on: string, visitor: Record<string, string>, name: string) =>
    tusRequest(
      `${on}/api/tus`,
      'POST',
      {
        ...TUS,
        ...OFFSET_STREAM,
        ...visitor,
        'Upload-Length': 5,
        'Upload-Metadata': `filename ${metadataValue(name)},filetype ${metadataValue('text/plain')}`,
      },
      [Buffer.from('hello')],
    );

  async function storedNames(on: string): Promise<string[]> {
    const { uploads } = (await (await fetch(`${on}/api/uploads`, { headers: admin })).json()) as {
      uploads: { name: string }[];
    };
    return uploads.map((upload) => upload.name).sort();
  }

  it('maxFiles 2: uploads spread over both nodes stop at two in all; the third is UPLOAD_TOKEN_USED_UP', async () => {
    const visitor = await issue(node(0), 2);
    expect((await postMultipart(node(0), [file('one.txt')], visitor)).status).toBe(201);
    // Counted on node 2, then given back: the size field does not match, nothing is created.
    const mismatch = await postMultipart(node(1), [{ name: 'size', value: '10' }, file('bad.txt')], visitor);
    expect(mismatch.status).toBe(400);
    expect(await code(mismatch)).toBe('UPLOAD_SIZE_MISMATCH');
    expect((await createResumable(node(1), visitor, 'two.txt')).status).toBe(201);

    const third = await postMultipart(node(0), [file('three.txt')], visitor);
    expect(third.status).toBe(413);
    expect(await code(third)).toBe('UPLOAD_TOKEN_USED_UP');
    const fourth = await createResumable(node(1), visitor, 'four.txt');
    expect(fourth.status).toBe(413);
    expect(JSON.parse(fourth.body)).toMatchObject({ code: 'UPLOAD_TOKEN_USED_UP' });
    // Each node's index replica learns of the other's completions shortly after them.
    await eventually(async () => expect(await storedNames(node(0))).toEqual(['one.txt', 'two.txt']));
    await eventually(async () => expect(await storedNames(node(1))).toEqual(['one.txt', 'two.txt']));
  });

  it('reserves atomically: 20 concurrent takes from two nodes for maxFiles 5 get exactly 5; gives back never below zero; expires with the token', async () => {
    const [a, b] = await Promise.all(
      ['a', 'b'].map((id) => RedisTokenFileCounts.open(cluster.redis.url, id, 'count-test:', () => {})),
    );
    try {
      const claims = {
        jti: 'jti-1',
        origin: SITE,
        maxFileSize: 10,
        maxFiles: 5,
        types: [],
        exp: 4_000_000_000,
      };
      const taken = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b)!.take(claims)));
      expect(taken.filter(Boolean)).toHaveLength(5);
      expect(await cluster.redis.command('GET', 'count-test:token-files:jti-1')).toBe('5');
      expect(await cluster.redis.command('EXPIRETIME', 'count-test:token-files:jti-1')).toBe(4_000_000_000);
      await a!.give(claims, 2);
      expect(await b!.take(claims)).toBe(true);
      await b!.give(claims, 10);
      expect(await cluster.redis.command('GET', 'count-test:token-files:jti-1')).toBe('0');
      // An expired (gone) count is not brought back by a late give.
      await a!.give({ ...claims, jti: 'jti-gone' }, 1);
      expect(await cluster.redis.command('EXISTS', 'count-test:token-files:jti-gone')).toBe(0);
    } finally {
      a?.close();
      b?.close();
    }
  });

  it('with Redis down, a node refuses a scoped upload with 503 UPLOAD_TOKEN_COUNT_UNAVAILABLE and keeps nothing', async () => {
    const visitor = await issue(node(1), 5);
    await cluster.redis.stop();
    const refused = await postMultipart(node(1), [file('uncounted.txt')], visitor);
    expect(refused.status).toBe(503);
    expect(await code(refused)).toBe('UPLOAD_TOKEN_COUNT_UNAVAILABLE');
    const resumable = await createResumable(node(0), visitor, 'uncounted-too.txt');
    expect(resumable.status).toBe(503);
    expect(JSON.parse(resumable.body)).toMatchObject({ code: 'UPLOAD_TOKEN_COUNT_UNAVAILABLE' });
    // The admin token needs no count: the node still serves it, and holds no new file.
    expect(await storedNames(node(1))).toEqual(['one.txt', 'two.txt']);
  });
});
