// Server frames (RFC 6455 §5.2): never masked (§5.1), so a frame is a 2/4/10-byte header and the
// payload. Frames are plain Buffers, so one encoded frame can be written to many sockets.
import { MAX_CONTROL_PAYLOAD, Opcode } from './constants.js';
import { isValidCloseCode } from './validation.js';

/** Bytes of header needed for a payload of `length` bytes (§5.2 7/16/64-bit length forms). */
function frameHeaderSize(length: number): number {
  return length < 126 ? 2 : length < 0x10000 ? 4 : 10;
}

/** Writes a header for an unmasked frame at `target[0..]`; returns its size. */
function writeFrameHeader(target: Buffer, opcode: number, length: number, fin: boolean): number {
  target[0] = (fin ? 0x80 : 0) | opcode;
  if (length < 126) {
    target[1] = length;
    return 2;
  }
  if (length < 0x10000) {
    target[1] = 126;
    target.writeUInt16BE(length, 2);
    return 4;
  }
  target[1] = 127;
  target.writeUInt32BE(Math.floor(length / 0x100000000), 2);
  target.writeUInt32BE(length >>> 0, 6);
  return 10;
}

export function encodeFrameHeader(opcode: number, length: number, fin = true): Buffer {
  const header = Buffer.allocUnsafe(frameHeaderSize(length));
  writeFrameHeader(header, opcode, length, fin);
  return header;
}

/** One complete unmasked frame: header and payload in a single buffer (strings are UTF-8 encoded). */
export function encodeFrame(opcode: number, payload: Buffer | string, fin = true): Buffer {
  if (typeof payload === 'string') {
    const length = Buffer.byteLength(payload);
    const frame = Buffer.allocUnsafe(frameHeaderSize(length) + length);
    frame.write(payload, writeFrameHeader(frame, opcode, length, fin), 'utf8');
    return frame;
  }
  const frame = Buffer.allocUnsafe(frameHeaderSize(payload.length) + payload.length);
  payload.copy(frame, writeFrameHeader(frame, opcode, payload.length, fin));
  return frame;
}

/**
 * §5.5.1: a close frame with an optional code and UTF-8 reason. `code` undefined sends an empty
 * payload. Throws a RangeError for a code a peer would reject or a payload over 125 bytes.
 */
export function encodeCloseFrame(code?: number, reason = ''): Buffer {
  if (code === undefined) return encodeFrame(Opcode.Close, Buffer.alloc(0));
  if (!isValidCloseCode(code)) throw new RangeError(`Invalid close code ${code}`);
  const reasonLength = Buffer.byteLength(reason);
  if (reasonLength > MAX_CONTROL_PAYLOAD - 2) {
    throw new RangeError(`Close reason is ${reasonLength} bytes; at most ${MAX_CONTROL_PAYLOAD - 2} fit`);
  }
  const payload = Buffer.allocUnsafe(2 + reasonLength);
  payload.writeUInt16BE(code, 0);
  payload.write(reason, 2, 'utf8');
  return encodeFrame(Opcode.Close, payload);
}
