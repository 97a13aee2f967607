// Turns a failed HTTP answer into the sentence to show. The server answers errors in Fastify's shape
// {statusCode, code, error, message} (DESIGN.md §4); its `message` is written for people, so it is
// shown as is. Anything else (a proxy's HTML page, an empty body) gets a generic line with the status.
import type { ApiErrorBody } from './api-types.js';
import { locale } from './locale.js';

export function parseApiError(body: string): ApiErrorBody | null {
  try {
    const value = JSON.parse(body) as Partial<ApiErrorBody> | null;
    if (value && typeof value.message === 'string' && typeof value.statusCode === 'number') {
      return {
        statusCode: value.statusCode,
        code: typeof value.code === 'string' ? value.code : '',
        error: typeof value.error === 'string' ? value.error : '',
        message: value.message,
      };
    }
  } catch {
    // Not JSON: fall through to the generic message.
  }
  return null;
}

export function errorMessage(status: number, body: string): string {
  return parseApiError(body)?.message ?? locale.httpError(status);
}

/** Whether a failed upload is worth retrying: network failures and server trouble, never a 4xx refusal. */
export function isRetryable(status: number): boolean {
  // status 0: the request never got an answer (connection refused, reset, offline).
  return status === 0 || (status >= 500 && status !== 507 && status !== 501);
}

/**
 * Whether a refusal is the server's last word, so the page offers no Retry: a 4xx (a type not
 * allowed, too large, the pre-upload hook's 403 UPLOAD_REJECTED…), except a timeout (408) and a rate
 * limit (429), where the same request may pass later.
 */
export function isFinalRefusal(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}
