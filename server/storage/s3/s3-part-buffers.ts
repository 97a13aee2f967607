// The bytes of one S3 part writer (s3-part-writer.ts) on their way into parts: copied into part-sized
// buffers, at most `most` of them, reused from part to part. Once every buffer is full (uploading,
// or waiting to), the writer pauses its source; the few bytes still on their way are copied into a
// small overlap buffer. Memory per writer: `most` parts + OVERLAP_BYTES, whatever the file size.

/**
 * Room for what arrives after the source is told to pause: the rest of the chunk that filled the
 * last buffer and at most one more (the parser may hand a chunk over in two pieces). Anything
 * beyond is kept as it came. The client's bytes wait in the kernel's socket buffers meanwhile.
 */
export const OVERLAP_BYTES = 128 * 1024;

export class PartBuffers {
  /** The buffer being filled, and how many of its bytes are filled. */
  #fill: Buffer | null = null;
  #filled = 0;
  /** Buffers whose upload is done. */
  readonly #spare: Buffer[] = [];
  #allocated = 0;
  /** Held bytes (see #hold): copied into #overlap, and the few that arrive once it is full. */
  #overlap: Buffer | null = null;
  #held = 0;
  #late: Buffer[] = [];

  constructor(
    private readonly partSize: number,
    private readonly most: number,
    /** A buffer is full: it is the body of the next part, and comes back through free(). */
    private readonly full: (part: Buffer) => void,
  ) {}

  /** True while every buffer is full: the source should pause. */
  get saturated(): boolean {
    return this.#fill === null && this.#spare.length === 0 && this.#allocated === this.most;
  }

  /** Copies a chunk in; every buffer that fills goes to `full`. */
  take(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.#fill === null) {
        const free = this.#spare.pop() ?? this.#allocate();
        if (free === null) {
          this.#hold(at === 0 ? chunk : chunk.subarray(at));
          return;
        }
        this.#fill = free;
      }
      const n = Math.min(this.partSize - this.#filled, chunk.length - at);
      chunk.copy(this.#fill, this.#filled, at, at + n);
      this.#filled += n;
      at += n;
      if (this.#filled === this.partSize) {
        const part = this.#fill;
        this.#fill = null;
        this.#filled = 0;
        this.full(part);
      }
    }
  }

  /** A part's upload is done: its buffer takes what is held, and then more. */
  free(part: Buffer): void {
    this.#spare.push(part);
    const held = this.#held;
    const late = this.#late.splice(0);
    this.#held = 0;
    if (held > 0) this.take(this.#overlap!.subarray(0, held));
    for (const chunk of late) this.take(chunk);
  }

  /** The bytes taken but not yet in a full part (nothing is held once every part is back). */
  rest(): Buffer {
    return this.#fill ? this.#fill.subarray(0, this.#filled) : Buffer.alloc(0);
  }

  /** Drops every byte and buffer. */
  clear(): void {
    this.#fill = null;
    this.#filled = 0;
    this.#spare.length = 0;
    this.#overlap = null;
    this.#held = 0;
    this.#late = [];
  }

  #allocate(): Buffer | null {
    if (this.#allocated === this.most) return null;
    this.#allocated++;
    return Buffer.allocUnsafeSlow(this.partSize);
  }

  /**
   * Copies bytes into the overlap buffer (so the request's chunks die young and cheap, never kept
   * alive while a part uploads); only those that arrive once it is full (already on their way when
   * the source was paused) are kept as they are.
   */
  #hold(chunk: Buffer): void {
    this.#overlap ??= Buffer.allocUnsafeSlow(OVERLAP_BYTES);
    const n = this.#late.length > 0 ? 0 : Math.min(chunk.length, OVERLAP_BYTES - this.#held);
    chunk.copy(this.#overlap, this.#held, 0, n);
    this.#held += n;
    if (n < chunk.length) this.#late.push(chunk.subarray(n));
  }
}
