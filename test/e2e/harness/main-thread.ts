// How long the page's main thread was busy per task, from Chromium's own trace. The PerformanceObserver
// `longtask` entries are wall time: on a machine whose two cores are shared with other test processes,
// a short task that loses its core for a while is reported as long too. A trace event's thread time
// (`tdur`) counts only the time the task ran, so it tells what the page's code costs.
import type { Browser, Page } from 'playwright-core';

export interface MainThreadTask {
  wallMs: number;
  cpuMs: number;
}

export async function startTrace(browser: Browser, page: Page): Promise<void> {
  await browser.startTracing(page, {
    categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'],
  });
}

/** Stops the trace; the tasks of every renderer main thread in it. */
export async function stopTrace(browser: Browser): Promise<MainThreadTask[]> {
  type TraceEvent = {
    name: string;
    ph: string;
    pid: number;
    tid: number;
    dur?: number;
    tdur?: number;
    args?: { name?: string };
  };
  const events = (JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: TraceEvent[] })
    .traceEvents;
  const main = new Set(
    events
      .filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}.${e.tid}`),
  );
  return events
    .filter((e) => e.name === 'RunTask' && e.ph === 'X' && main.has(`${e.pid}.${e.tid}`))
    .map((e) => ({ wallMs: (e.dur ?? 0) / 1000, cpuMs: (e.tdur ?? e.dur ?? 0) / 1000 }));
}

/** Records the page's `longtask` entries (wall ms) in window.longTasks. */
export async function watchLongTasks(page: Page): Promise<void> {
  await page.evaluate(() => {
    const durations: number[] = [];
    Object.assign(window, { longTasks: durations });
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) durations.push(Math.round(entry.duration));
    }).observe({ type: 'longtask' });
  });
}

export const longTasks = (page: Page) =>
  page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
