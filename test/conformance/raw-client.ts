// A WebSocket client on a bare net.Socket for the conformance driver: it does the opening
// handshake by hand, writes whatever bytes a case dictates (chopped if asked) and parses the
// server's frames, checking that they are unmasked and RSV-free (RFC 6455 §5.1, §5.2).
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { clientFrame } from './client-frames.js';

export interface ServerMessage {
  kind: 'text' | 'binary' | 'pong';
  data: Buffer;
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export class RawClient {
  readonly messages: ServerMessage[] = [];
  /** Close code from the server's close frame: 'empty' for none, undefined until one arrives. */
  closeCode: number | 'empty' | undefined;
  tcpClosed = false;
  closeSent = false;
  /** Answer the server's pings (a live peer); false plays a peer that stopped responding. */
  answerPings = true;
  /** Pings the server sent us. */
  pings = 0;
  /** Anything the server sent that breaks the RFC. */
  readonly violations: string[] = [];
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private fragments: Buffer[] = [];
  private fragmentKind: 'text' | 'binary' | undefined;
  private waiters = new Set<() => void>();

  private constructor(
    private readonly socket: Socket,
    /** The URL this client connected to. */
    readonly url: string,
  ) {}

  /** Connects and completes the opening handshake, or rejects with the server's status line. */
  static connect(url: string): Promise<RawClient> {
    const { hostname, port, pathname, search } = new URL(url);
    const key = randomBytes(16).toString('base64');
    return new Promise((resolve, reject) => {
      const socket = connect({ host: hostname, port: Number(port) });
      socket.setNoDelay(true);
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) return;
        socket.off('data', onData);
        socket.off('error', reject);
        const response = head.subarray(0, end).toString('latin1');
        const expected = createHash('sha1')
          .update(key + GUID)
          .digest('base64');
        if (
          !response.startsWith('HTTP/1.1 101') ||
          !new RegExp(`\r\nsec-websocket-accept: *${expected.replace(/[+/]/g, '\\$&')}`, 'i').test(response)
        ) {
          socket.destroy();
          reject(new Error(`Handshake refused: ${response.split('\r\n')[0]}`));
          return;
        }
        const client = new RawClient(socket, url);
        socket.on('data', (data: Buffer) => client.receive(data));
        socket.on('error', () => {});
        socket.on('close', () => {
          client.tcpClosed = true;
          client.notify();
        });
        client.receive(head.subarray(end + 4));
        resolve(client);
      };
      socket.on('data', onData);
      socket.on('error', reject);
      socket.write(
        `GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
  }

  get closed(): boolean {
    return this.tcpClosed || this.closeCode !== undefined;
  }

  /** Writes bytes whole, or in `chop`-byte writes each flushed before the next. */
  async send(bytes: Buffer, chop?: number): Promise<void> {
    if (this.tcpClosed) return;
    if (chop === undefined) {
      this.socket.write(bytes);
      return;
    }
    for (let i = 0; i < bytes.length && !this.tcpClosed; i += chop) {
      await new Promise<void>((resolve) => this.socket.write(bytes.subarray(i, i + chop), () => resolve()));
    }
  }

  sendClose(payload: Buffer): void {
    this.closeSent = true;
    void this.send(clientFrame({ opcode: 0x8, payload }));
  }

  /** Resolves true once `condition` holds, false after `timeoutMs`. */
  waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    if (condition()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (!condition()) return;
        finish(true);
      };
      const finish = (result: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(result);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.waiters.add(check);
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Stops reading from the socket, so the server's writes back up (TCP flow control). */
  pauseReading(): void {
    this.socket.pause();
  }

  resumeReading(): void {
    this.socket.resume();
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private receive(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.pending.push(chunk);
    this.pendingLength += chunk.length;
    while (this.parseFrame()) {}
    this.notify();
  }

  /** Parses one server frame if it is complete. */
  private parseFrame(): boolean {
    if (this.pendingLength < 2) return false;
    if (this.pending.length > 1 && this.pending[0]!.length < 14) this.flatten();
    const head = this.pending[0]!;
    if (head.length < 2) return false;
    const length7 = head[1]! & 0x7f;
    const headerLength = 2 + (length7 === 126 ? 2 : length7 === 127 ? 8 : 0) + (head[1]! & 0x80 ? 4 : 0);
    if (this.pendingLength < headerLength) return false;
    if (head.length < headerLength) this.flatten();
    const header = this.pending[0]!;
    const length =
      length7 === 126
        ? header.readUInt16BE(2)
        : length7 === 127
          ? Number(header.readBigUInt64BE(2))
          : length7;
    if (this.pendingLength < headerLength + length) return false;
    if (header.length < headerLength + length) this.flatten();
    const frame = this.pending[0]!;
    const payload = Buffer.from(frame.subarray(headerLength, headerLength + length));
    this.pending[0] = frame.subarray(headerLength + length);
    if (this.pending[0].length === 0) this.pending.shift();
    this.pendingLength -= headerLength + length;
    this.onFrame(frame[0]!, frame[1]! & 0x80, payload);
    return true;
  }

  private flatten(): void {
    this.pending = [Buffer.concat(this.pending)];
  }

  private onFrame(first: number, masked: number, payload: Buffer): void {
    const fin = (first & 0x80) !== 0;
    const opcode = first & 0x0f;
    if (masked) this.violations.push('server frame is masked');
    if (first & 0x70) this.violations.push('server frame has RSV bits set');
    if (this.closeCode !== undefined) {
      this.violations.push(`frame with opcode ${opcode} after the close frame`);
      return;
    }
    if (opcode === 0x8) {
      this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 'empty';
      // §5.5.1: answer the server's close (echoing its code) unless we closed first.
      if (!this.closeSent) this.sendClose(payload.subarray(0, 2));
    } else if (opcode === 0xa) {
      this.messages.push({ kind: 'pong', data: payload });
    } else if (opcode === 0x9) {
      this.pings++;
      if (this.answerPings) void this.send(clientFrame({ opcode: 0xa, payload }));
    } else if (opcode === 0x1 || opcode === 0x2 || opcode === 0x0) {
      if (opcode !== 0) this.fragmentKind = opcode === 0x1 ? 'text' : 'binary';
      this.fragments.push(payload);
      if (fin && this.fragmentKind !== undefined) {
        this.messages.push({ kind: this.fragmentKind, data: Buffer.concat(this.fragments) });
        this.fragments = [];
      }
    } else {
      this.violations.push(`server sent reserved opcode ${opcode}`);
    }
  }
}
