// livedrop watch: the live feed in the terminal. On a terminal, a table redrawn in place
// (log-update); piped, one plain line per event; with --json, each event as it came.
import logUpdate from 'log-update';
import type { LivedropClient } from '../client.js';
import { openFeed } from '../feed.js';
import type { Output } from '../output.js';
import { plainLine, WatchTable } from '../watch-table.js';

const REDRAW_MS = 100;

/** Runs until `signal` aborts (Ctrl-C), which is how watch ends: with exit code 0. */
export async function watch(client: LivedropClient, out: Output, signal: AbortSignal): Promise<void> {
  const state = new WatchTable();
  let redrawTimer: NodeJS.Timeout | undefined;
  const draw = () => {
    redrawTimer = undefined;
    state.prune();
    logUpdate(state.render(client.server, process.stdout.columns || 120));
  };
  const scheduleDraw = () => {
    if (out.tty) redrawTimer ??= setTimeout(draw, REDRAW_MS);
  };

  const feed = openFeed(client, {
    onMessage(message) {
      if (out.json) out.result(JSON.stringify(message));
      else if (!out.tty) {
        const line = plainLine(message);
        if (line) out.result(line);
      } else {
        state.apply(message);
        scheduleDraw();
      }
    },
    onConnection(connected) {
      if (!out.tty) out.note(connected ? 'livedrop: feed reconnected' : 'livedrop: feed lost; reconnecting');
      state.connected = connected;
      scheduleDraw();
    },
  });
  const ticker = out.tty ? setInterval(scheduleDraw, 1000) : undefined;
  try {
    await feed.opened;
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    feed.close();
    clearInterval(ticker);
    if (redrawTimer) {
      clearTimeout(redrawTimer);
      draw();
    }
    if (out.tty) logUpdate.done();
  }
}
