// The HTTP side of every command: the server's base URL and token, one fetch wrapper that turns
// the ways a request can fail into CliErrors with the right exit code.
import { CliError, ExitCode } from './exit-codes.js';

export interface ServerOptions {
  /** Base URL, e.g. http://127.0.0.1:3000 (no trailing slash). */
  server: string;
  token: string | undefined;
}

/** The error shape of every livedrop error answer (docs/errors.md). */
interface ErrorBody {
  code?: string;
  message?: string;
}

export class LivedropClient {
  readonly server: string;
  readonly #token: string | undefined;

  constructor({ server, token }: ServerOptions) {
    this.server = server;
    this.#token = token;
  }

  url(path: string): string {
    return `${this.server}${path}`;
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.#token ? { authorization: `Bearer ${this.#token}`, ...extra } : extra;
  }

  /** fetch, with the token; connection failures become UNREACHABLE, error answers REFUSED/AUTH. */
  async request(
    path: string,
    init: RequestInit & { headers?: Record<string, string> } = {},
  ): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(this.url(path), { ...init, headers: this.headers(init.headers) });
    } catch (error) {
      throw unreachable(this.server, error);
    }
    if (response.status >= 400 && response.status !== 416) throw await refusal(response);
    return response;
  }

  async json<T>(path: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<T> {
    return (await this.request(path, init)).json() as Promise<T>;
  }
}

/** A fetch that threw: nothing answered (refused, reset, DNS, TLS). */
export function unreachable(server: string, error: unknown): CliError {
  if (error instanceof CliError) return error;
  if ((error as Error).name === 'AbortError') return new CliError('interrupted', ExitCode.INTERRUPTED);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (error as Error).message;
  return new CliError(`cannot reach ${server}: ${why}`, ExitCode.UNREACHABLE);
}

/** An error answer, as the CliError a command ends with. */
export async function refusal(response: Response): Promise<CliError> {
  const text = await response.text().catch(() => '');
  let body: ErrorBody = {};
  try {
    body = JSON.parse(text) as ErrorBody;
  } catch {
    body = { message: text.trim() || response.statusText };
  }
  return errorAnswer(response.status, body.code, body.message);
}

export function errorAnswer(status: number, code: string | undefined, message: string | undefined): CliError {
  const what = `${status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`;
  if (status === 401) {
    return new CliError(`${what} (pass --token or set LIVEDROP_TOKEN)`, ExitCode.AUTH);
  }
  return new CliError(`server refused: ${what}`, ExitCode.REFUSED);
}
