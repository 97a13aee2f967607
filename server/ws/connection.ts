// WebSocketConnection: one accepted peer. Owns the socket, feeds its bytes to a FrameReceiver,
// answers control frames, runs the close handshake (RFC 6455 §7) and applies backpressure.
//
// Backpressure: send() returns false once more than `sendHighWaterMark` bytes wait in the socket's
// write buffer; reading then pauses until the socket drains, when 'drain' is emitted. An application
// that is behind on its own work calls pauseReading()/resumeReading(): delivery stops after the
// current message and TCP flow control pushes back on the peer.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { CloseCode, MAX_CONTROL_PAYLOAD, Opcode } from './constants.js';
import { FrameReceiver, type FrameSink } from './receiver.js';
import { encodeCloseFrame, encodeFrame, encodeFrameHeader } from './sender.js';
import type { WebSocketError } from './websocket-error.js';

export interface WebSocketConnectionEvents {
  message: [data: string | Buffer, isBinary: boolean];
  close: [code: number, reason: string];
  drain: [];
  pong: [data: Buffer];
  error: [error: Error];
}

/** Settings shared by every connection of one server (kept out of the per-connection object). */
export interface ConnectionSettings {
  readonly maxPayload: number;
  readonly closeTimeoutMs: number;
  readonly sendHighWaterMark: number;
  /** The server's live set; a connection removes itself when its socket closes. */
  readonly clients: Set<WebSocketConnection>;
}

export type ReadyState = 'open' | 'closing' | 'closed';

const OPEN = 0;
const CLOSING = 1;
const CLOSED = 2;
const READY_STATES: readonly ReadyState[] = ['open', 'closing', 'closed'];

/** Binary payloads at least this big are written after their header, not copied into one frame. */
const SEPARATE_PAYLOAD_MIN = 64 * 1024;
const EMPTY = Buffer.alloc(0);

// Socket listeners are shared functions that find their connection through this symbol, so a
// connection costs no closures (10,000 idle peers should stay cheap).
const kConnection = Symbol('WebSocketConnection');
type OwnedSocket = Socket & { [kConnection]: WebSocketConnection };

function socketOnData(this: OwnedSocket, chunk: Buffer): void {
  // Replies to every frame of this chunk (echoes, pongs) leave in one writev.
  this.cork();
  this[kConnection].receiver.write(chunk);
  this.uncork();
}
function socketOnEnd(this: OwnedSocket): void {
  this[kConnection].receiver.stop();
  this.end();
}
function socketOnDrain(this: OwnedSocket): void {
  this[kConnection].onSocketDrain();
}
function socketOnError(this: OwnedSocket, error: Error): void {
  const connection = this[kConnection];
  if (connection.listenerCount('error') > 0) connection.emit('error', error);
}
function socketOnClose(this: OwnedSocket): void {
  this[kConnection].onSocketClose();
}
function uncorkAfterTick(connection: WebSocketConnection): void {
  connection.flushFrames();
}

export class WebSocketConnection extends EventEmitter<WebSocketConnectionEvents> implements FrameSink {
  /** The subprotocol chosen in the handshake, '' when none. */
  readonly protocol: string;
  /** @internal */
  readonly receiver: FrameReceiver;
  private readonly socket: OwnedSocket;
  private readonly settings: ConnectionSettings;
  private state = OPEN;
  private closeSent = false;
  /** The peer's close code (1006 until a close frame arrives) and reason. */
  private peerCode: number = CloseCode.Abnormal;
  private peerReason = '';
  private closeTimer: NodeJS.Timeout | undefined;
  private readingPausedByApp = false;
  /** send() reported false: reading is paused and 'drain' is owed. */
  private blocked = false;
  /** A heartbeat ping went out and no pong has come back yet. */
  private awaitingPong = false;
  /** sendFrame() corked the socket; it is uncorked once the current tick is over. */
  private framesCorked = false;

  /** @internal Created by the server after a successful handshake; `head` is data that came with it. */
  constructor(socket: Socket, head: Buffer, settings: ConnectionSettings, protocol: string) {
    super();
    this.socket = socket as OwnedSocket;
    this.socket[kConnection] = this;
    this.settings = settings;
    this.protocol = protocol;
    this.receiver = new FrameReceiver(this, settings.maxPayload);
    socket.setNoDelay(true);
    socket.setTimeout(0);
    socket.on('data', socketOnData);
    socket.on('end', socketOnEnd);
    socket.on('drain', socketOnDrain);
    socket.on('error', socketOnError);
    socket.on('close', socketOnClose);
    // Frames that arrived with the handshake are parsed once onConnection has attached listeners.
    if (head.length > 0) queueMicrotask(() => this.receiver.write(head));
  }

  get readyState(): ReadyState {
    return READY_STATES[this.state]!;
  }

  /** Bytes accepted by send() and not yet handed to the kernel. */
  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  /**
   * Sends a text (string) or binary (Buffer) message. Returns false when bufferedAmount is above the
   * high-water mark (wait for 'drain'), or when the connection is no longer open (nothing is sent).
   */
  send(data: string | Buffer): boolean {
    if (this.state !== OPEN) return false;
    if (typeof data === 'string') {
      this.socket.write(encodeFrame(Opcode.Text, data));
    } else if (data.length < SEPARATE_PAYLOAD_MIN) {
      this.socket.write(encodeFrame(Opcode.Binary, data));
    } else {
      // Large payloads go out as-is after their header (one writev, no copy).
      this.socket.cork();
      this.socket.write(encodeFrameHeader(Opcode.Binary, data.length));
      this.socket.write(data);
      this.socket.uncork();
    }
    return this.checkBackpressure();
  }

  /**
   * Writes an already-encoded frame (see encodeFrame, broadcast). Same return value as send().
   * Frames sent in one tick leave together in one writev when it ends: a chat room relaying a chunk
   * of N messages then makes one syscall per peer instead of N.
   */
  sendFrame(frame: Buffer): boolean {
    if (this.state !== OPEN) return false;
    if (!this.framesCorked) {
      this.framesCorked = true;
      this.socket.cork();
      process.nextTick(uncorkAfterTick, this);
    }
    this.socket.write(frame);
    return this.checkBackpressure();
  }

  /** @internal The end of the tick in which sendFrame() corked the socket. */
  flushFrames(): void {
    this.framesCorked = false;
    this.socket.uncork();
  }

  ping(data: Buffer = EMPTY): void {
    if (data.length > MAX_CONTROL_PAYLOAD) throw new RangeError('A ping carries at most 125 bytes');
    if (this.state === OPEN) this.socket.write(encodeFrame(Opcode.Ping, data));
  }

  /**
   * Starts the closing handshake (§7.1.2). The socket is destroyed if the peer has not completed it
   * within closeTimeoutMs. Throws a RangeError for a code that may not be sent or a reason over 123 bytes.
   */
  close(code: number = CloseCode.Normal, reason = ''): void {
    if (this.state !== OPEN) return;
    this.sendClose(encodeCloseFrame(code, reason));
  }

  /** Destroys the socket at once, without a closing handshake. */
  terminate(): void {
    this.socket.destroy();
  }

  pauseReading(): void {
    this.readingPausedByApp = true;
    this.receiver.pause();
    this.socket.pause();
  }

  resumeReading(): void {
    this.readingPausedByApp = false;
    this.receiver.resume();
    if (!this.blocked && this.state !== CLOSED) this.socket.resume();
  }

  /**
   * @internal One heartbeat tick: a peer that left the previous ping unanswered is terminated,
   * the others get a new ping.
   */
  heartbeat(): void {
    if (this.awaitingPong) {
      this.terminate();
      return;
    }
    this.awaitingPong = true;
    this.ping();
  }

  /** @internal */
  onMessage(data: string | Buffer, isBinary: boolean): void {
    this.emit('message', data, isBinary);
  }

  /** @internal §5.5.2: a ping is answered with a pong carrying the same payload, even mid-message. */
  onPing(payload: Buffer): void {
    if (this.state === OPEN) this.socket.write(encodeFrame(Opcode.Pong, payload));
  }

  /** @internal §5.5.3: an unsolicited pong is allowed; it only proves the peer is alive. */
  onPong(payload: Buffer): void {
    this.awaitingPong = false;
    this.emit('pong', payload);
  }

  /** @internal §5.5.1: echo the close (unless we started it), then close TCP: the server closes first. */
  onClose(code: number, reason: string): void {
    this.peerCode = code;
    this.peerReason = reason;
    if (!this.closeSent) {
      this.sendClose(encodeCloseFrame(code === CloseCode.NoStatus ? undefined : code));
    }
    this.socket.end();
  }

  /** @internal §7.1.7 "Fail the WebSocket Connection": send the close code, then close TCP. */
  onProtocolError(error: WebSocketError): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
    if (!this.closeSent) this.sendClose(encodeCloseFrame(error.closeCode, error.message.slice(0, 123)));
    this.socket.end();
  }

  /** @internal */
  onSocketDrain(): void {
    if (!this.blocked) return;
    this.blocked = false;
    if (!this.readingPausedByApp) this.socket.resume();
    this.emit('drain');
  }

  /** @internal */
  onSocketClose(): void {
    if (this.state === CLOSED) return;
    this.state = CLOSED;
    clearTimeout(this.closeTimer);
    this.receiver.stop();
    this.settings.clients.delete(this);
    this.emit('close', this.peerCode, this.peerReason);
  }

  private sendClose(frame: Buffer): void {
    this.closeSent = true;
    this.state = CLOSING;
    this.socket.write(frame);
    this.closeTimer = setTimeout(() => this.socket.destroy(), this.settings.closeTimeoutMs);
    this.closeTimer.unref();
  }

  private checkBackpressure(): boolean {
    if (this.socket.writableLength <= this.settings.sendHighWaterMark) return true;
    if (!this.blocked) {
      this.blocked = true;
      this.socket.pause();
    }
    return false;
  }
}
