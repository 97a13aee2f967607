// FrameReceiver: an incremental RFC 6455 §5.2 parser over arbitrary TCP chunking (1-byte chunks
// included). A state machine over header and payload; checks come in the order of §5.2–§5.5 and
// fail the connection through one `fail()`; frames before a bad one are delivered first.
//
// Memory: a message that sits whole in one chunk is handed out as a view of that chunk (no copy).
// Otherwise its bytes are copied once into one contiguous buffer sized from the frame headers, so
// 65,536 tiny fragments cost about what the message costs (ws keeps an array of fragments instead).
import { CloseCode, MAX_CONTROL_PAYLOAD, Opcode } from './constants.js';
import { unmask } from './masking.js';
import { isValidCloseCode, UTF8_ACCEPT, UTF8_REJECT, validateUtf8 } from './validation.js';
import { WebSocketError, type WsErrorCode } from './websocket-error.js';

/** What the receiver reports, in wire order. */
export interface FrameSink {
  onMessage(data: string | Buffer, isBinary: boolean): void;
  onPing(payload: Buffer): void;
  onPong(payload: Buffer): void;
  /** A valid close frame arrived (code 1005 when it carried none); nothing after it is read (§5.5.1). */
  onClose(code: number, reason: string): void;
  onProtocolError(error: WebSocketError): void;
}

const READ_HEADER = 0;
const READ_PAYLOAD = 1;
/** After a close frame or a protocol error: every further byte is ignored. */
const STOPPED = 2;

const MAX_HEADER_SIZE = 14;
const EMPTY = Buffer.alloc(0);

/** Header bytes implied by the second header byte: 2, extended length (0/2/8), mask key (0/4). */
function headerSize(secondByte: number): number {
  const length7 = secondByte & 0x7f;
  return 2 + (length7 === 126 ? 2 : length7 === 127 ? 8 : 0) + (secondByte & 0x80 ? 4 : 0);
}

/** The §5.1–§5.5 rules visible in the first two header bytes, checked in the RFC's order. */
function frameStartError(first: number, second: number, messageOpen: boolean): WsErrorCode | undefined {
  // §5.2: RSV1–3 MUST be 0 unless an extension defines them; we negotiate none.
  if ((first & 0x70) !== 0) return 'WS_ERR_UNEXPECTED_RSV';
  const opcode = first & 0x0f;
  if (opcode >= Opcode.Close) {
    if (opcode > Opcode.Pong) return 'WS_ERR_INVALID_OPCODE';
    // §5.5: control frames MUST NOT be fragmented and carry at most 125 bytes.
    if ((first & 0x80) === 0) return 'WS_ERR_FRAGMENTED_CONTROL';
    if ((second & 0x7f) > MAX_CONTROL_PAYLOAD) return 'WS_ERR_CONTROL_TOO_LONG';
  } else if (opcode === Opcode.Continuation) {
    if (!messageOpen) return 'WS_ERR_UNEXPECTED_CONTINUATION';
  } else if (opcode === Opcode.Text || opcode === Opcode.Binary) {
    // §5.4: the fragments of one message are not interleaved with another data message.
    if (messageOpen) return 'WS_ERR_EXPECTED_CONTINUATION';
  } else {
    return 'WS_ERR_INVALID_OPCODE';
  }
  // §5.1: a server MUST close the connection on an unmasked client frame.
  if ((second & 0x80) === 0) return 'WS_ERR_UNMASKED_FRAME';
  return undefined;
}

export class FrameReceiver {
  private state: number = READ_HEADER;
  private paused = false;
  /** Bytes that arrived while paused, processed on resume(). */
  private held: Buffer | null = null;
  /** A header split across chunks is gathered here (allocated only when that happens). */
  private partialHeader: Uint8Array | null = null;
  private partialLength = 0;
  private maskKey: Uint8Array | null = null;

  private fin = false;
  private opcode = 0;
  /** Payload bytes of the current frame not yet read. */
  private frameRemaining = 0;
  /** Payload bytes of the current frame already read: the mask phase, and the control-frame fill. */
  private frameRead = 0;
  private control: Buffer | null = null;

  /** Opcode of the data message in progress (Text/Binary), 0 when none is open. */
  private messageOpcode = 0;
  private message: Buffer | null = null;
  private messageLength = 0;
  private utf8State = UTF8_ACCEPT;

  constructor(
    private readonly sink: FrameSink,
    private readonly maxPayload: number,
  ) {}

  write(chunk: Buffer): void {
    if (this.state === STOPPED) return;
    if (this.held !== null || this.paused) {
      this.held = this.held === null ? chunk : Buffer.concat([this.held, chunk]);
      return;
    }
    this.process(chunk);
  }

  /** Stops delivering after the current frame; bytes that keep arriving are held. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    const held = this.held;
    if (held === null) return;
    this.held = null;
    this.process(held);
  }

  /** Ignore everything from now on and drop buffered data (the connection is going away). */
  stop(): void {
    this.state = STOPPED;
    this.held = null;
    this.message = null;
    this.control = null;
  }

  private process(chunk: Buffer): void {
    const end = chunk.length;
    let pos = 0;
    while (pos < end) {
      if (this.state === READ_HEADER) {
        pos = this.readHeader(chunk, pos, end);
      } else if (this.state === READ_PAYLOAD) {
        pos = this.readPayload(chunk, pos, end);
      } else {
        return;
      }
      if (this.paused && pos < end) {
        this.held = chunk.subarray(pos);
        return;
      }
    }
  }

  private readHeader(chunk: Buffer, pos: number, end: number): number {
    if (this.partialLength === 0 && end - pos >= 2 && end - pos >= headerSize(chunk[pos + 1]!)) {
      this.parseHeader(chunk, pos);
      return pos + headerSize(chunk[pos + 1]!);
    }
    // The header is split across chunks: gather it byte by byte (at most 14 bytes).
    this.partialHeader ??= new Uint8Array(MAX_HEADER_SIZE);
    const partial = this.partialHeader;
    for (;;) {
      const needed = this.partialLength < 2 ? 2 : headerSize(partial[1]!);
      if (this.partialLength === needed) break;
      if (pos === end) return pos;
      partial[this.partialLength++] = chunk[pos++]!;
    }
    this.partialLength = 0;
    this.parseHeader(partial, 0);
    return pos;
  }

  private parseHeader(bytes: Uint8Array, at: number): void {
    const first = bytes[at]!;
    const second = bytes[at + 1]!;
    const error = frameStartError(first, second, this.messageOpcode !== 0);
    if (error !== undefined) {
      this.fail(error);
      return;
    }
    const fin = (first & 0x80) !== 0;
    const opcode = first & 0x0f;
    let length = second & 0x7f;
    let p = at + 2;
    if (length === 126) {
      length = (bytes[p]! << 8) | bytes[p + 1]!;
      p += 2;
    } else if (length === 127) {
      const high = ((bytes[p]! << 24) | (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!) >>> 0;
      const low =
        ((bytes[p + 4]! << 24) | (bytes[p + 5]! << 16) | (bytes[p + 6]! << 8) | bytes[p + 7]!) >>> 0;
      // §5.2: "the most significant bit MUST be 0".
      if (high >= 0x80000000) {
        this.fail('WS_ERR_INVALID_LENGTH');
        return;
      }
      // Beyond 2^53 a number loses precision; such a frame is over any limit anyway.
      if (high > 0x1fffff) {
        this.fail('WS_ERR_MESSAGE_TOO_BIG');
        return;
      }
      length = high * 0x100000000 + low;
      p += 8;
    }
    // Checked from the header, before a byte of payload is buffered.
    if (opcode < Opcode.Close && this.messageLength + length > this.maxPayload) {
      this.fail('WS_ERR_MESSAGE_TOO_BIG', `${this.messageLength + length} > ${this.maxPayload} bytes`);
      return;
    }

    this.maskKey ??= new Uint8Array(4);
    const mask = this.maskKey;
    mask[0] = bytes[p]!;
    mask[1] = bytes[p + 1]!;
    mask[2] = bytes[p + 2]!;
    mask[3] = bytes[p + 3]!;
    this.fin = fin;
    this.opcode = opcode;
    this.frameRemaining = length;
    this.frameRead = 0;
    if (opcode === Opcode.Text || opcode === Opcode.Binary) this.messageOpcode = opcode;
    this.state = READ_PAYLOAD;
    if (length === 0) this.endFrame(EMPTY);
  }

  private readPayload(chunk: Buffer, pos: number, end: number): number {
    const take = Math.min(end - pos, this.frameRemaining);
    const stop = pos + take;
    unmask(chunk, pos, stop, this.maskKey!, 0, this.frameRead);

    if (this.opcode >= Opcode.Close) {
      if (this.frameRead === 0 && take === this.frameRemaining) {
        this.frameRemaining = 0;
        this.endFrame(chunk.subarray(pos, stop));
        return stop;
      }
      this.control ??= Buffer.allocUnsafe(this.frameRead + this.frameRemaining);
      const control = this.control;
      chunk.copy(control, this.frameRead, pos, stop);
      this.frameRead += take;
      this.frameRemaining -= take;
      if (this.frameRemaining === 0) {
        this.control = null;
        this.endFrame(control);
      }
      return stop;
    }

    // §8.1: text is validated as it arrives, so the connection fails at the first invalid byte.
    if (this.messageOpcode === Opcode.Text) {
      this.utf8State = validateUtf8(this.utf8State, chunk, pos, stop);
      if (this.utf8State === UTF8_REJECT) {
        this.fail('WS_ERR_INVALID_UTF8');
        return stop;
      }
    }
    if (this.fin && this.message === null && this.frameRead === 0 && take === this.frameRemaining) {
      // The whole message is in this chunk: hand out a view, no copy.
      this.frameRemaining = 0;
      this.endFrame(chunk.subarray(pos, stop));
      return stop;
    }
    this.appendToMessage(chunk, pos, stop);
    this.frameRead += take;
    this.frameRemaining -= take;
    if (this.frameRemaining === 0) this.endFrame(EMPTY);
    return stop;
  }

  private appendToMessage(chunk: Buffer, start: number, stop: number): void {
    const needed = this.messageLength + this.frameRemaining;
    let message = this.message;
    if (message === null || message.length < needed) {
      // The final frame's header tells the exact size; before that, grow geometrically.
      const size = this.fin
        ? needed
        : Math.min(this.maxPayload, Math.max(needed, (message?.length ?? 0) * 2, 1024));
      const grown = Buffer.allocUnsafe(size);
      if (message !== null) message.copy(grown, 0, 0, this.messageLength);
      this.message = message = grown;
    }
    chunk.copy(message, this.messageLength, start, stop);
    this.messageLength += stop - start;
  }

  /** A frame's payload is complete. `payload` is the control payload, or the message view on the fast path. */
  private endFrame(payload: Buffer): void {
    this.state = READ_HEADER;
    switch (this.opcode) {
      case Opcode.Ping:
        this.sink.onPing(payload);
        return;
      case Opcode.Pong:
        this.sink.onPong(payload);
        return;
      case Opcode.Close:
        this.endClose(payload);
        return;
    }
    if (!this.fin) return;
    const isText = this.messageOpcode === Opcode.Text;
    // A text message may not end inside a multi-byte sequence.
    if (isText && this.utf8State !== UTF8_ACCEPT) {
      this.fail('WS_ERR_INVALID_UTF8', 'truncated sequence');
      return;
    }
    const data = this.message === null ? payload : this.message.subarray(0, this.messageLength);
    this.message = null;
    this.messageLength = 0;
    this.messageOpcode = 0;
    this.utf8State = UTF8_ACCEPT;
    this.sink.onMessage(isText ? data.toString('utf8') : data, !isText);
  }

  /** §5.5.1 and §7.4: an optional 2-byte code, then a UTF-8 reason. */
  private endClose(payload: Buffer): void {
    if (payload.length === 1) {
      this.fail('WS_ERR_INVALID_CLOSE_PAYLOAD');
      return;
    }
    let code: number = CloseCode.NoStatus;
    let reason = '';
    if (payload.length >= 2) {
      code = payload.readUInt16BE(0);
      if (!isValidCloseCode(code)) {
        this.fail('WS_ERR_INVALID_CLOSE_CODE', String(code));
        return;
      }
      if (validateUtf8(UTF8_ACCEPT, payload, 2, payload.length) !== UTF8_ACCEPT) {
        this.fail('WS_ERR_INVALID_UTF8', 'close reason');
        return;
      }
      reason = payload.toString('utf8', 2);
    }
    this.stop();
    this.sink.onClose(code, reason);
  }

  private fail(code: WsErrorCode, detail?: string): void {
    this.stop();
    this.sink.onProtocolError(new WebSocketError(code, detail));
  }
}
