// A reference model of what an RFC 6455 server must deliver for a sequence of client frames, written
// to be obviously right rather than fast: frames are plain objects, the rules are checked one by one
// in the order of §5.2–§5.5, UTF-8 is judged with the platform's TextDecoder. The fuzz tests encode the
// same frames to bytes, feed them to the real FrameReceiver and compare what each one delivers.
export interface Frame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  /** The masking key (§5.3), as 32 bits. */
  maskKey: number;
  payload: Uint8Array;
  /** Announce this payload length in the header instead of the real one (only the header is sent). */
  announcedLength?: bigint;
}

export type Delivery =
  | { kind: 'message'; binary: boolean; data: string }
  | { kind: 'ping' | 'pong'; data: string }
  | { kind: 'close'; code: number; reason: string }
  | { kind: 'error'; closeCode: number };

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

const decoder = new TextDecoder('utf-8', { fatal: true });
function isUtf8(bytes: Uint8Array): boolean {
  try {
    decoder.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Could more bytes still make this valid UTF-8? Try every completion of up to 3 bytes drawn from
 * 0x80, 0x90 and 0xA0: every continuation range UTF-8 allows (80–BF, and the narrower A0–BF, 80–9F,
 * 90–BF, 80–8F after E0, ED, F0, F4) contains one of them.
 */
function isUtf8Prefix(bytes: Uint8Array): boolean {
  const candidates = [0x80, 0x90, 0xa0];
  let tails: number[][] = [[]];
  for (let extra = 0; extra <= 3; extra++) {
    for (const tail of tails) if (isUtf8(Uint8Array.from([...bytes, ...tail]))) return true;
    tails = tails.flatMap((tail) => candidates.map((byte) => [...tail, byte]));
  }
  return false;
}

/** §7.4: codes a peer may send. 1004–1006 and 1015 are reserved; 1012–1014 were registered later. */
const isValidCloseCode = (code: number) =>
  (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);

const PROTOCOL_ERROR = { kind: 'error', closeCode: 1002 } as const;
const INVALID_PAYLOAD = { kind: 'error', closeCode: 1007 } as const;
const TOO_BIG = { kind: 'error', closeCode: 1009 } as const;

/** What a server with message limit `maxPayload` delivers for `frames`, in order; it stops at a close or error. */
export function referenceDeliveries(frames: readonly Frame[], maxPayload: number): Delivery[] {
  const out: Delivery[] = [];
  let open: { binary: boolean; bytes: number[] } | null = null;
  for (const frame of frames) {
    const length = frame.announcedLength ?? BigInt(frame.payload.length);
    const isControl = frame.opcode >= 0x8;
    if (frame.rsv !== 0) return [...out, PROTOCOL_ERROR];
    if (![0x0, 0x1, 0x2, 0x8, 0x9, 0xa].includes(frame.opcode)) return [...out, PROTOCOL_ERROR];
    if (isControl && (!frame.fin || length > 125n)) return [...out, PROTOCOL_ERROR];
    if (frame.opcode === 0x0 && open === null) return [...out, PROTOCOL_ERROR];
    if ((frame.opcode === 0x1 || frame.opcode === 0x2) && open !== null) return [...out, PROTOCOL_ERROR];
    if (!frame.masked) return [...out, PROTOCOL_ERROR];
    if (length >= 2n ** 63n) return [...out, PROTOCOL_ERROR];
    if (!isControl && BigInt(open?.bytes.length ?? 0) + length > BigInt(maxPayload)) {
      return [...out, TOO_BIG];
    }

    if (frame.opcode === 0x9 || frame.opcode === 0xa) {
      out.push({ kind: frame.opcode === 0x9 ? 'ping' : 'pong', data: hex(frame.payload) });
      continue;
    }
    if (frame.opcode === 0x8) {
      const p = frame.payload;
      if (p.length === 0) return [...out, { kind: 'close', code: 1005, reason: '' }];
      if (p.length === 1) return [...out, PROTOCOL_ERROR];
      const code = (p[0]! << 8) | p[1]!;
      if (!isValidCloseCode(code)) return [...out, PROTOCOL_ERROR];
      const reason = p.subarray(2);
      if (!isUtf8(reason)) return [...out, INVALID_PAYLOAD];
      return [...out, { kind: 'close', code, reason: Buffer.from(reason).toString('utf8') }];
    }
    open ??= { binary: frame.opcode === 0x2, bytes: [] };
    open.bytes.push(...frame.payload);
    // §8.1: invalid text fails the connection as soon as it can no longer become valid.
    if (!open.binary && !isUtf8Prefix(Uint8Array.from(open.bytes))) return [...out, INVALID_PAYLOAD];
    if (!frame.fin) continue;
    const bytes = Uint8Array.from(open.bytes);
    if (!open.binary && !isUtf8(bytes)) return [...out, INVALID_PAYLOAD];
    out.push({
      kind: 'message',
      binary: open.binary,
      data: open.binary ? hex(bytes) : Buffer.from(bytes).toString(),
    });
    open = null;
  }
  return out;
}

/** The frame on the wire (§5.2): shortest length encoding, masked with `maskKey` when `masked`. */
export function encodeFrame(frame: Frame): Buffer {
  const length = frame.announcedLength ?? BigInt(frame.payload.length);
  const first = (frame.fin ? 0x80 : 0) | (frame.rsv << 4) | frame.opcode;
  const maskBit = frame.masked ? 0x80 : 0;
  let header: Buffer;
  if (length < 126n) {
    header = Buffer.from([first, maskBit | Number(length)]);
  } else if (length < 0x10000n) {
    header = Buffer.alloc(4);
    header.writeUInt16BE(Number(length), 2);
    header[1] = maskBit | 126;
  } else {
    header = Buffer.alloc(10);
    header.writeBigUInt64BE(length, 2);
    header[1] = maskBit | 127;
  }
  header[0] = first;
  const key = Buffer.alloc(frame.masked ? 4 : 0);
  if (frame.masked) key.writeUInt32BE(frame.maskKey >>> 0);
  // A frame that only announces a length is cut after its header: the receiver must decide from it.
  if (frame.announcedLength !== undefined) return Buffer.concat([header, key]);
  if (!frame.masked) return Buffer.concat([header, frame.payload]);
  const masked = Buffer.from(frame.payload.map((byte, i) => byte ^ key[i % 4]!));
  return Buffer.concat([header, key, masked]);
}
