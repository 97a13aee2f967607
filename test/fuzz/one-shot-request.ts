// One HTTP request on its own connection (no keep-alive pool whose sockets would blur an fd count),
// its body written as the given pieces, one write each, so a test decides where TCP may cut it.
import http from 'node:http';

export interface Answer {
  status: number;
  body: string;
}

export interface OneShotOptions {
  headers?: Record<string, string | number>;
  pieces?: Buffer[];
  /** Fail when no answer came by then: the server hung. */
  timeoutMs?: number;
}

export function oneShot(method: string, url: string, options: OneShotOptions = {}): Promise<Answer> {
  const { headers = {}, pieces = [], timeoutMs = 10_000 } = options;
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, agent: false, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode!, body: text }));
    });
    request.setTimeout(timeoutMs, () => {
      request.destroy();
      reject(new Error(`${method} ${url}: no answer within ${timeoutMs} ms`));
    });
    request.on('error', reject);
    const write = (i: number): void => {
      if (i === pieces.length) return void request.end();
      // The next piece goes out only once this one is flushed: separate writes, separate segments.
      request.write(pieces[i]!, () => setImmediate(write, i + 1));
    };
    write(0);
  });
}
