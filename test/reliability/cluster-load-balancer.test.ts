// HAProxy and nginx (Debian's binaries, deploy/*.cfg|conf) in front of three nodes: WebSocket
// upgrades pass, SSE and upload bodies stream unbuffered, no stickiness is needed, and forwarded
// headers count only with TRUST_PROXY.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BalancerKind } from '../../deploy/load-balancer.js';
import { type Cluster, slowUpload, startCluster } from '../fixtures/cluster.js';
import { eventually } from '../fixtures/upload-server.js';
import {
  type EventLog,
  type FeedEvent,
  openSseReader,
  openWsWatcher,
} from '../integration/events-clients.js';

const idOf = (event: FeedEvent) => (event.upload as { id: string }).id;
const sizeOf = (event: FeedEvent) => (event.upload as { size: number }).size;
const snapshotOf = (log: EventLog) => log.waitFor((e) => e.type === 'snapshot', 'snapshot');

describe.each(['haproxy', 'nginx'] as BalancerKind[])('behind %s', (kind) => {
  let cluster: Cluster;
  let lb: string;
  beforeAll(async () => {
    cluster = await startCluster({
      nodes: 3,
      balancer: kind,
      env: { TRUST_PROXY: 'true', PROGRESS_INTERVAL_MS: '20' },
    });
    lb = cluster.balancer!.url;
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('passes the WebSocket upgrade and streams SSE unbuffered: both see an upload live while it streams', async () => {
    const ws = await openWsWatcher(`${lb.replace('http', 'ws')}/api/events`);
    const sse = await openSseReader(`${lb}/api/events`);
    await Promise.all([snapshotOf(ws), snapshotOf(sse)]);
    expect(sse.status).toBe(200);
    // The upload, through the balancer too, is held half-sent: whatever arrives now was not buffered
    // until the end of the request (proxy_request_buffering off) or of the response (SSE).
    const upload = slowUpload(lb, randomBytes(512 * 1024));
    upload.send(256 * 1024);
    for (const log of [ws, sse]) {
      await log.waitFor((e) => e.type === 'upload.progress' && sizeOf(e) >= 128 * 1024, 'progress mid-body');
    }
    const answer = await upload.finish();
    expect(answer.status).toBe(201);
    const id = answer.body.uploads[0]!.id;
    for (const log of [ws, sse]) await log.waitFor((e) => e.type === 'upload.completed' && idOf(e) === id);
    ws.socket.close();
    sse.close();
  });

  it('needs no sticky sessions: requests spread over the nodes, and `since` resumes wherever the next one lands', async () => {
    const requestsPerNode = () =>
      cluster.nodes.map((node) => node.logs.filter((l) => l.msg === 'incoming request').length);
    const before = requestsPerNode();
    for (let i = 0; i < 9; i++) expect((await fetch(`${lb}/api/health`)).status).toBe(200);
    const served = requestsPerNode().map((n, i) => n - before[i]!);
    expect(served.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);

    const reference = await openWsWatcher(`${lb.replace('http', 'ws')}/api/events`);
    await snapshotOf(reference);
    const first = await openWsWatcher(`${lb.replace('http', 'ws')}/api/events`);
    await snapshotOf(first);
    await eventually(() => expect(first.events.at(-1)?.type).toBe('watchers'));
    const lastSeen = first.events.at(-1)!.seq;
    first.socket.close();
    const upload = slowUpload(lb, randomBytes(64 * 1024));
    const { body } = await upload.finish();
    const done = await reference.waitFor(
      (e) => e.type === 'upload.completed' && idOf(e) === body.uploads[0]!.id,
    );
    const again = await openWsWatcher(`${lb.replace('http', 'ws')}/api/events?since=${lastSeen}`);
    await again.waitFor((e) => e.seq === done.seq);
    expect(again.events[0]!.type).not.toBe('snapshot');
    expect(again.events.filter((e) => e.seq <= done.seq)).toEqual(
      reference.events.filter((e) => e.seq > lastSeen && e.seq <= done.seq),
    );
    reference.socket.close();
    again.socket.close();
  });

  it('honours X-Forwarded-For from the balancer with TRUST_PROXY=true', async () => {
    await fetch(`${lb}/api/config`, { headers: { 'x-forwarded-for': '203.0.113.7' } });
    await eventually(() => {
      const seen = cluster.nodes.flatMap((node) =>
        node.logs.filter(
          (l) => l.msg === 'incoming request' && (l.req as { url: string }).url === '/api/config',
        ),
      );
      expect(seen.map((l) => (l.req as { remoteAddress: string }).remoteAddress)).toContain('203.0.113.7');
    });
  });
});
