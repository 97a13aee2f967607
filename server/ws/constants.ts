// Numbers fixed by RFC 6455 and the defaults of our server options, in one place.

/** RFC 6455 §1.3: appended to Sec-WebSocket-Key before hashing it into Sec-WebSocket-Accept. */
export const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** RFC 6455 §5.2 opcodes. 0x3–0x7 and 0xB–0xF are reserved and fail the connection. */
export const Opcode = {
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Close: 0x8,
  Ping: 0x9,
  Pong: 0xa,
} as const;

/** RFC 6455 §7.4.1 status codes we send. */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  /** Reported (never sent) when a close frame carried no status code: §7.1.5. */
  NoStatus: 1005,
  /** Reported (never sent) when the TCP connection ended without a close frame: §7.1.5. */
  Abnormal: 1006,
  UnsupportedData: 1003,
  InvalidPayload: 1007,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  InternalError: 1011,
} as const;

/** RFC 6455 §5.5: control frames carry at most 125 payload bytes. */
export const MAX_CONTROL_PAYLOAD = 125;

export const DEFAULT_MAX_PAYLOAD = 16 * 1024 * 1024;
export const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 30_000;
/** send() returns false and reading pauses once this many bytes wait in the socket's write buffer. */
export const DEFAULT_SEND_HIGH_WATER_MARK = 1024 * 1024;
