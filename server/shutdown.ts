// Graceful shutdown on SIGTERM/SIGINT. In order:
//   1. stop accepting: app.close() closes the listening socket, answers new uploads on kept-alive
//      connections with 503 SHUTTING_DOWN, closes idle connections, and its preClose hooks close
//      the live feeds (WebSocket watchers get 1001 Going Away, RFC 6455 §7.4.1);
//   2. uploads in flight get SHUTDOWN_GRACE_MS to finish and be answered;
//   3. then their connections are cut: each is discarded like any aborted upload (its temp file
//      removed; app.close() waits for that, see server/uploads/routes.ts);
//   4. the process exits 0. A second signal skips the rest of the grace period.
import type { FastifyInstance } from 'fastify';

export interface ShutdownOptions {
  /** SHUTDOWN_GRACE_MS: how long in-flight requests may still run once the signal came. */
  graceMs: number;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
/** After the grace period, how long closing may still take (WebSocket close handshakes) before we give up. */
const CLOSE_TIMEOUT_MS = 10_000;

/** Registers the SIGTERM/SIGINT handlers; call it before `listen` (it adds an onSend hook). */
export function installGracefulShutdown(app: FastifyInstance, { graceMs }: ShutdownOptions): void {
  let cutOff: (() => void) | null = null;

  // Fastify marks only requests that *arrive* during close with `Connection: close`. A request already
  // in flight would leave its connection open and idle after its answer, holding server.close() up
  // until the keep-alive timeout: its answer says `close` too.
  app.addHook('onSend', async (_request, reply) => {
    if (cutOff) reply.header('connection', 'close');
  });

  async function shutdown(signal: string): Promise<void> {
    // Stop accepting first: app.close() runs the preClose hooks before it closes the listening socket,
    // and the WebSocket feed's hook waits for every watcher's close handshake (up to its close
    // timeout), which a stuck watcher never completes. Closing twice is harmless: app.close() still
    // waits for the server's 'close', which comes once the last connection has ended.
    app.server.close();
    app.log.info({ signal, graceMs }, 'shutting down: no new connections, in-flight uploads may finish');
    const cut = () => {
      clearTimeout(graceTimer);
      app.log.warn('grace period over: cutting the connections still open');
      app.server.closeAllConnections();
    };
    cutOff = cut;
    const graceTimer = setTimeout(cut, graceMs);
    // A close that cannot finish (a peer that ignores the close handshake) must not keep us alive.
    const giveUp = setTimeout(() => {
      app.log.error('shutdown did not finish in time; exiting anyway');
      process.exit(1);
    }, graceMs + CLOSE_TIMEOUT_MS);
    giveUp.unref();

    await app.close();
    clearTimeout(graceTimer);
    clearTimeout(giveUp);
    app.log.info('shut down');
    process.exit(0);
  }

  for (const signal of SIGNALS) {
    process.on(signal, () => {
      if (cutOff) return cutOff();
      void shutdown(signal);
    });
  }
}
