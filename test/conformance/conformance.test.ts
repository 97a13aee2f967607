// The Autobahn-style suite against our ws:echo and, for comparison, against a `ws` echo server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/ws/demo-server.js';
import { startEchoServer } from '../../server/ws/echo-server.js';
import { conformanceCases } from './cases.js';
import type { CaseResult } from './driver.js';
import { knownWsDifferences } from './known-ws-differences.js';
import { startWsEchoServer } from './reference-server.js';
import { runSuite } from './run-suite.js';

describe('conformance: our core (ws:echo)', () => {
  let server: RunningServer;
  let results: CaseResult[];
  beforeAll(async () => {
    server = await startEchoServer();
    results = await runSuite(server.url);
  }, 120_000);
  afterAll(() => server.close());

  it('covers Autobahn categories 1–7, 9 and 10, including 6.4.x, 9.1.6 (16 MiB), 9.3.1 and 9.5.1', () => {
    const categories = new Set(conformanceCases.map((c) => c.id.split('.')[0]));
    expect([...categories]).toEqual(['1', '2', '3', '4', '5', '6', '7', '9', '10']);
    const ids = conformanceCases.map((c) => c.id);
    for (const id of ['6.4.1', '6.4.2', '6.4.3', '6.4.4', '9.1.6', '9.2.6', '9.3.1', '9.5.1'])
      expect(ids).toContain(id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('passes every case strictly', () => {
    const notOk = results.filter((r) => r.verdict !== 'OK').map((r) => `${r.id}: ${r.verdict} (${r.detail})`);
    expect(notOk).toEqual([]);
    expect(results).toHaveLength(conformanceCases.length);
  });

  it('fails the connection with the exact close code each fail case names (never a bare TCP drop)', () => {
    for (const [i, testCase] of conformanceCases.entries()) {
      if (testCase.expect.outcome === 'fail')
        expect(results[i]!.detail, testCase.id).toBe(`close ${testCase.expect.code}`);
    }
  });
});

describe('conformance: the ws library, for comparison', () => {
  let server: RunningServer;
  let results: CaseResult[];
  beforeAll(async () => {
    server = await startWsEchoServer();
    results = await runSuite(server.url);
  }, 120_000);
  afterAll(() => server.close());

  it('differs from a clean pass exactly where the known-differences list says', () => {
    const differences = Object.fromEntries(
      results.filter((r) => r.verdict !== 'OK').map((r) => [r.id, r.verdict]),
    );
    const expected = Object.fromEntries(Object.entries(knownWsDifferences).map(([id, d]) => [id, d.verdict]));
    expect(differences).toEqual(expected);
  });
});
