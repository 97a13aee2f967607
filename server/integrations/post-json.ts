// One JSON POST to an app (a webhook receiver, the pre-upload hook) over node:http(s) with keep-alive
// agents: about a quarter of the CPU that fetch costs per request (measured in docs/operations.md),
// which the integrations pay once per upload. Redirects are never followed (an answer is an answer),
// `signal` bounds the whole exchange, and at most `maxAnswerBytes` of the answer are kept.
import http from 'node:http';
import https from 'node:https';

const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

export interface PostAnswer {
  status: number;
  /** The answer's body, when `maxAnswerBytes` asked for it. */
  text: string;
}

export interface PostOptions {
  signal: AbortSignal;
  /** Keep at most this much of the answer (more is an error); without it the body is discarded. */
  maxAnswerBytes?: number;
}

/** Why a POST got no answer: the error's `code` (ECONNREFUSED…), a timeout, or a size bound. */
export function failureReason(error: unknown, signal: AbortSignal, timeoutMs: number): string {
  if (signal.aborted && (signal.reason as Error | undefined)?.name === 'TimeoutError') {
    return `no answer within ${timeoutMs} ms`;
  }
  const { code, message } = error as NodeJS.ErrnoException;
  return code && code !== 'ABORT_ERR' ? code : message;
}

export function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  { signal, maxAnswerBytes }: PostOptions,
): Promise<PostAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const transport = target.protocol === 'https:' ? https : http;
    const request = transport.request(
      target,
      {
        method: 'POST',
        agent: agents[target.protocol as keyof typeof agents],
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
        signal,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let length = 0;
        response.on('data', (chunk: Buffer) => {
          if (maxAnswerBytes === undefined) return;
          length += chunk.length;
          if (length > maxAnswerBytes) request.destroy(new Error(`an answer over ${maxAnswerBytes} bytes`));
          else chunks.push(chunk);
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
