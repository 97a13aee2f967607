// The S3 writer's part buffers (issue 11: memory does not grow with file size): bytes come out as
// parts in order, whatever the chunk sizes, no more than `most` part buffers are ever allocated,
// however long the parts take to upload, and the source is told to pause as soon as all are full.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OVERLAP_BYTES, PartBuffers } from '../../../server/storage/s3/s3-part-buffers.js';

const PART = 256 * 1024;

function feed(most: number, data: Buffer, chunkSizes: () => number) {
  const parts: Buffer[] = [];
  const uploading: Buffer[] = [];
  const distinct = new Set<ArrayBufferLike>();
  let pausedOnce = false;
  const buffers = new PartBuffers(PART, most, (part) => {
    distinct.add(part.buffer);
    parts.push(Buffer.from(part));
    uploading.push(part);
  });
  for (let at = 0; at < data.length; ) {
    const n = Math.min(chunkSizes(), data.length - at);
    buffers.take(data.subarray(at, at + n));
    at += n;
    // The source pauses when told to; the writer's uploads finish one at a time.
    while (buffers.saturated || uploading.length === most) {
      pausedOnce ||= buffers.saturated;
      buffers.free(uploading.shift()!);
    }
  }
  while (uploading.length > 0) buffers.free(uploading.shift()!);
  return { parts, rest: Buffer.from(buffers.rest()), distinct, pausedOnce };
}

describe('S3 part buffers', () => {
  it('puts every byte into parts in order, and the rest is what is short of a part', () => {
    const data = randomBytes(10 * PART + 12_345);
    const { parts, rest } = feed(1, data, () => 1 + Math.floor(Math.random() * 100_000));
    expect(parts).toHaveLength(10);
    expect(Buffer.concat([...parts, rest]).equals(data)).toBe(true);
  });

  it('never allocates more than `most` part buffers, however many parts go through', () => {
    for (const most of [1, 2]) {
      const { parts, distinct } = feed(most, randomBytes(20 * PART), () => 64 * 1024);
      expect(parts).toHaveLength(20);
      expect(distinct.size).toBe(most);
    }
  });

  it('says pause once every buffer is full; what still arrives is held and comes out in order', () => {
    for (const most of [1, 2]) {
      const data = randomBytes((most + 1) * PART + OVERLAP_BYTES + 777);
      const parts: Buffer[] = [];
      const uploading: Buffer[] = [];
      const buffers = new PartBuffers(PART, most, (part) => {
        parts.push(Buffer.from(part));
        uploading.push(part);
      });
      buffers.take(data.subarray(0, most * PART - 1));
      expect(buffers.saturated).toBe(false);
      buffers.take(data.subarray(most * PART - 1, most * PART + 10)); // the last buffer fills
      expect(buffers.saturated).toBe(true);
      // Bytes already on their way when the source paused: more than the overlap, still taken.
      buffers.take(data.subarray(most * PART + 10));
      buffers.free(uploading.shift()!);
      expect(buffers.saturated).toBe(true); // the held bytes (over a part) filled the freed buffer again
      while (uploading.length > 0) buffers.free(uploading.shift()!);
      expect(buffers.saturated).toBe(false);
      expect(Buffer.concat([...parts, buffers.rest()]).equals(data)).toBe(true);
    }
  });

  it('a pausing source loses nothing across many uploads (chunks larger than a part and the overlap)', () => {
    const data = randomBytes(8 * PART + 5);
    const { parts, rest, pausedOnce } = feed(1, data, () => PART + OVERLAP_BYTES + 1);
    expect(pausedOnce).toBe(true);
    expect(Buffer.concat([...parts, rest]).equals(data)).toBe(true);
  });
});
