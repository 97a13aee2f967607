// Every error the core raises, with the close code it ends the connection with (RFC 6455 §7.4.1)
// and a stable `code` string, so the connection closes with the right code from one place.

export const wsErrors = {
  WS_ERR_UNEXPECTED_RSV: { closeCode: 1002, message: 'RSV bits set without a negotiated extension' },
  WS_ERR_INVALID_OPCODE: { closeCode: 1002, message: 'Reserved opcode' },
  WS_ERR_UNMASKED_FRAME: { closeCode: 1002, message: 'Client frames must be masked' },
  WS_ERR_FRAGMENTED_CONTROL: { closeCode: 1002, message: 'Control frames must not be fragmented' },
  WS_ERR_CONTROL_TOO_LONG: { closeCode: 1002, message: 'Control frame payload over 125 bytes' },
  WS_ERR_UNEXPECTED_CONTINUATION: {
    closeCode: 1002,
    message: 'Continuation frame with no message to continue',
  },
  WS_ERR_EXPECTED_CONTINUATION: {
    closeCode: 1002,
    message: 'New data frame while a fragmented message is open',
  },
  WS_ERR_INVALID_LENGTH: { closeCode: 1002, message: 'The most significant bit of a 64-bit length is set' },
  WS_ERR_INVALID_CLOSE_PAYLOAD: { closeCode: 1002, message: 'Close frame payload of 1 byte' },
  WS_ERR_INVALID_CLOSE_CODE: { closeCode: 1002, message: 'Invalid close status code' },
  WS_ERR_INVALID_UTF8: { closeCode: 1007, message: 'Invalid UTF-8 in a text message or close reason' },
  WS_ERR_MESSAGE_TOO_BIG: { closeCode: 1009, message: 'Message larger than maxPayload' },
} as const;

export type WsErrorCode = keyof typeof wsErrors;

export class WebSocketError extends Error {
  readonly code: WsErrorCode;
  /** The close code the connection is failed with. */
  readonly closeCode: number;

  constructor(code: WsErrorCode, detail?: string) {
    const entry = wsErrors[code];
    super(detail === undefined ? entry.message : `${entry.message}: ${detail}`);
    this.name = 'WebSocketError';
    this.code = code;
    this.closeCode = entry.closeCode;
  }
}
