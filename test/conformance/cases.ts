// Every conformance case, in Autobahn order.
import type { ConformanceCase } from './case.js';
import { closeAndLimitCases } from './cases-close-limits.js';
import { framingCases } from './cases-framing.js';
import { utf8Cases } from './cases-utf8.js';

export const conformanceCases: readonly ConformanceCase[] = [
  ...framingCases,
  ...utf8Cases,
  ...closeAndLimitCases,
];
