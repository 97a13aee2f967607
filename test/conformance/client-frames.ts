// Builds client frames by hand (RFC 6455 §5.2): masked by default, any RSV bits, any opcode, any
// length form, so tests can send exactly the bytes a broken or hostile client would.

export interface ClientFrame {
  opcode: number;
  payload?: Buffer | string;
  fin?: boolean;
  /** RSV1..RSV3 as a 3-bit number (4 = RSV1). */
  rsv?: number;
  /** false sends the frame unmasked, which a server must reject (§5.1). */
  masked?: boolean;
  mask?: Uint8Array;
}

/** The masking key of RFC 6455 §5.7's example. */
export const EXAMPLE_MASK = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);

export function clientFrame({
  opcode,
  payload = Buffer.alloc(0),
  fin = true,
  rsv = 0,
  masked = true,
  mask = EXAMPLE_MASK,
}: ClientFrame): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const length = data.length;
  const lengthBytes = length < 126 ? 0 : length < 0x10000 ? 2 : 8;
  const headerLength = 2 + lengthBytes + (masked ? 4 : 0);
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = (fin ? 0x80 : 0) | (rsv << 4) | opcode;
  frame[1] = (masked ? 0x80 : 0) | (lengthBytes === 0 ? length : lengthBytes === 2 ? 126 : 127);
  if (lengthBytes === 2) frame.writeUInt16BE(length, 2);
  if (lengthBytes === 8) frame.writeBigUInt64BE(BigInt(length), 2);
  if (!masked) {
    data.copy(frame, headerLength);
    return frame;
  }
  frame.set(mask, 2 + lengthBytes);
  for (let i = 0; i < length; i++) frame[headerLength + i] = data[i]! ^ mask[i & 3]!;
  return frame;
}

/** A close frame's payload: 2-byte code and a reason (raw bytes allowed, to send invalid UTF-8). */
export function closePayload(code: number, reason: Buffer | string = ''): Buffer {
  const reasonBytes = typeof reason === 'string' ? Buffer.from(reason) : reason;
  const payload = Buffer.alloc(2 + reasonBytes.length);
  payload.writeUInt16BE(code, 0);
  reasonBytes.copy(payload, 2);
  return payload;
}
