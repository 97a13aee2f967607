// Public API of livedrop's RFC 6455 WebSocket core. Nothing here imports from the rest of server/.
export { broadcast } from './broadcast.js';
export type { ReadyState, WebSocketConnectionEvents } from './connection.js';
export { WebSocketConnection } from './connection.js';
export { CloseCode, Opcode } from './constants.js';
export { encodeCloseFrame, encodeFrame } from './sender.js';
export { WebSocketError, type WsErrorCode, wsErrors } from './websocket-error.js';
export {
  attachWebSocketServer,
  type WebSocketServer,
  type WebSocketServerOptions,
} from './websocket-server.js';
