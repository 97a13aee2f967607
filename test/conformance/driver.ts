// Runs one conformance case against a server URL and judges the outcome the way Autobahn's
// fuzzing client does: the server must send exactly the expected messages and pongs, then
//  - "echo" cases: answer our close 1000 with close 1000 and close TCP;
//  - "fail" cases: close with the expected code (a bare TCP drop also counts, as in Autobahn), and
//    for fail-fast steps do so before we send the rest ("NON-STRICT" when it only fails later);
//  - "close" cases (we sent a close frame): answer with the expected code and close TCP.
import type { ConformanceCase, Expectation } from './case.js';
import { closePayload } from './client-frames.js';
import { RawClient, type ServerMessage } from './raw-client.js';

export type Verdict = 'OK' | 'NON-STRICT' | 'FAILED';

export interface CaseResult {
  id: string;
  verdict: Verdict;
  /** What happened, e.g. "close 1002" or "events differ: got 0 of 1 messages". */
  detail: string;
}

interface Observation {
  messages: readonly ServerMessage[];
  closeCode: number | 'empty' | undefined;
  tcpClosed: boolean;
  /** A fail-fast step found the connection still open. */
  lateFailure: boolean;
  violations: readonly string[];
}

const MESSAGE_TIMEOUT_MS = 20_000;
const CLOSE_TIMEOUT_MS = 3_000;

export async function runCase(url: string, testCase: ConformanceCase): Promise<CaseResult> {
  const client = await RawClient.connect(url);
  let lateFailure = false;
  try {
    for (const step of testCase.steps) {
      if (client.closed) break;
      if ('send' in step) {
        await client.send(step.send, step.chop);
      } else if ('pause' in step) {
        await new Promise((resolve) => setTimeout(resolve, step.pause));
      } else if ('failFastWithin' in step) {
        if (!(await client.waitFor(() => client.closed, step.failFastWithin))) lateFailure = true;
      } else {
        for (let i = 0; i < step.times && !client.closed; i++) {
          const before = client.messages.length;
          await client.send(step.roundTrip);
          await client.waitFor(() => client.messages.length > before || client.closed, MESSAGE_TIMEOUT_MS);
        }
      }
    }
    const expected = testCase.expect;
    if (expected.outcome === 'echo') {
      await client.waitFor(
        () => client.messages.length >= expected.messages.length || client.closed,
        MESSAGE_TIMEOUT_MS,
      );
      if (!client.closed) client.sendClose(closePayload(1000));
    }
    await client.waitFor(() => client.tcpClosed, CLOSE_TIMEOUT_MS);
  } finally {
    client.destroy();
  }
  return {
    id: testCase.id,
    ...judge(testCase.expect, {
      messages: client.messages,
      closeCode: client.closeCode,
      tcpClosed: client.tcpClosed,
      lateFailure,
      violations: client.violations,
    }),
  };
}

function describeMessage(message: { kind: string; data: Buffer }): string {
  const preview = message.data.length <= 16 ? message.data.toString('hex') : `${message.data.length} bytes`;
  return `${message.kind}(${preview})`;
}

function judge(expected: Expectation, seen: Observation): Omit<CaseResult, 'id'> {
  const closeText = seen.closeCode === undefined ? 'no close frame' : `close ${seen.closeCode}`;
  if (seen.violations.length > 0) return { verdict: 'FAILED', detail: seen.violations.join('; ') };
  const want = expected.messages;
  const mismatch = want.findIndex((message, i) => {
    const got = seen.messages[i];
    return got === undefined || got.kind !== message.kind || !got.data.equals(message.data);
  });
  if (mismatch !== -1 || seen.messages.length !== want.length) {
    const at = mismatch === -1 ? want.length : mismatch;
    const got = seen.messages[at];
    const wanted = want[at];
    return {
      verdict: 'FAILED',
      detail: `message ${at + 1}: expected ${wanted ? describeMessage(wanted) : 'none'}, got ${got ? describeMessage(got) : 'none'} (${seen.messages.length}/${want.length} messages, ${closeText})`,
    };
  }
  if (!seen.tcpClosed) return { verdict: 'FAILED', detail: `${closeText}; the server did not close TCP` };
  if (expected.outcome === 'echo') {
    return seen.closeCode === 1000
      ? { verdict: 'OK', detail: 'close 1000' }
      : { verdict: 'FAILED', detail: `${closeText}, expected close 1000` };
  }
  if (expected.outcome === 'close') {
    return seen.closeCode === expected.code
      ? { verdict: 'OK', detail: closeText }
      : { verdict: 'FAILED', detail: `${closeText}, expected close ${expected.code}` };
  }
  if (seen.closeCode !== undefined && seen.closeCode !== expected.code) {
    return { verdict: 'FAILED', detail: `${closeText}, expected close ${expected.code}` };
  }
  const how = seen.closeCode === undefined ? 'TCP dropped' : closeText;
  if (seen.lateFailure)
    return { verdict: 'NON-STRICT', detail: `${how}, only after the rest of the message` };
  return { verdict: 'OK', detail: how };
}
