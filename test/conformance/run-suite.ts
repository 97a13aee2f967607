// Runs every case against one server URL, a few cases at a time, in case order.
import { conformanceCases } from './cases.js';
import { type CaseResult, runCase } from './driver.js';

const PARALLEL = 4;

export async function runSuite(url: string): Promise<CaseResult[]> {
  const results: CaseResult[] = new Array(conformanceCases.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < conformanceCases.length) {
      const index = next++;
      const testCase = conformanceCases[index]!;
      results[index] = await runCase(url, testCase).catch((error: Error) => ({
        id: testCase.id,
        verdict: 'FAILED' as const,
        detail: error.message,
      }));
    }
  }
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return results;
}
