// Where the `ws` library (8.23) does not pass a case the way our core does, and why. The
// conformance test asserts that ws behaves exactly like this, so a change in either shows up.
import type { Verdict } from './driver.js';

const nonStrictUtf8 = {
  verdict: 'NON-STRICT',
  why: 'ws validates UTF-8 only once the whole message is in, so it fails with 1007 after the rest arrives',
} as const;
const fragmentCap = {
  verdict: 'FAILED',
  why: 'ws servers cap fragments per message (maxFragments, default 16,384) and close with 1008 before 65,536',
} as const;

export const knownWsDifferences: Readonly<Record<string, { verdict: Verdict; why: string }>> = {
  '6.4.1': nonStrictUtf8,
  '6.4.2': nonStrictUtf8,
  '6.4.3': nonStrictUtf8,
  '6.4.4': nonStrictUtf8,
  '9.3.1': fragmentCap,
  '9.4.1': fragmentCap,
};
