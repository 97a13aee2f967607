// HOOK_PRE_UPLOAD_URL: before any byte of a new upload is stored (a multipart file part, a tus
// creation), livedrop POSTs what it knows about the upload to the app, which decides:
//   2xx         allowed; a JSON body {"metadata": {"key": "value"}} is stored with the upload (`meta`)
//   4xx         refused: the client gets that status and the body's `message` (UPLOAD_REJECTED)
//   otherwise   (down, timeout, 5xx, 3xx, an unreadable answer) HOOK_PRE_UPLOAD_ON_ERROR decides:
//               `reject` (the default, fail closed: 503 UPLOAD_HOOK_FAILED) or `allow` (fail open)
// At most HOOK_PRE_UPLOAD_CONCURRENCY calls run at once; HOOK_PRE_UPLOAD_TIMEOUT_MS bounds the wait
// for a slot and the call together. Only the headers HOOK_PRE_UPLOAD_FORWARD_HEADERS names, and the
// caller's bearer token only with HOOK_PRE_UPLOAD_FORWARD_TOKEN=true, reach the app (docs/operations.md).
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import { errors } from '../errors.js';
import type { Upload } from '../uploads/upload.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { failureReason, postJson } from './post-json.js';

/** What livedrop knows about an upload that wants to start. */
export interface PreUploadRequest {
  kind: NonNullable<Upload['kind']>;
  /** The sanitised display name. */
  name: string;
  type: string;
  /** The announced size in bytes, or null when unknown (no `size` field, tus Upload-Defer-Length). */
  expected: number | null;
  /** tus Upload-Metadata, decoded; for multipart, empty. */
  metadata: Record<string, string>;
  /** The request's headers: the hook forwards only the configured ones. */
  headers: IncomingHttpHeaders;
  /** X-Upload-Ref, when the request had one. */
  ref?: string | undefined;
}

/** The app allowed the upload; `meta` (possibly absent) is to be stored on it as Upload.meta. */
export interface PreUploadVerdict {
  meta?: Record<string, string>;
}

export interface PreUploadHook {
  /** Resolves when allowed; rejects with UPLOAD_REJECTED (the app's status and message) or UPLOAD_HOOK_FAILED. */
  check(request: PreUploadRequest): Promise<PreUploadVerdict>;
  /** Checks so far by outcome, read by the metrics. */
  readonly outcomes: Readonly<Record<PreUploadOutcome, number>>;
}

/** `failed-open`/`failed-closed`: the hook failed and HOOK_PRE_UPLOAD_ON_ERROR allowed/refused the upload. */
export type PreUploadOutcome = 'allowed' | 'rejected' | 'failed-closed' | 'failed-open';

/** The hook's answer is read up to this many bytes: it is a verdict, not a payload. */
const MAX_ANSWER_BYTES = 64 * 1024;
const MAX_META_KEYS = 32;
const MAX_META_KEY = 64;
const MAX_META_VALUE = 1024;
const MAX_MESSAGE = 500;
const DEFAULT_MESSAGE = 'The upload was refused';

/** A failure of the hook itself (not a verdict): the reason goes to the log and the 503. */
class HookFailure extends Error {}

export function createPreUploadHook(config: Config, log: FastifyBaseLogger): PreUploadHook | null {
  const url = config.hookPreUploadUrl;
  if (url === null) return null;
  const limit = new ConcurrencyLimit(config.hookPreUploadConcurrency);
  const timeoutMs = config.hookPreUploadTimeoutMs;
  const endpoint = new URL(url);
  const hookName = endpoint.origin + endpoint.pathname; // no credentials or query in logs
  const outcomes = { allowed: 0, rejected: 0, 'failed-closed': 0, 'failed-open': 0 };

  return {
    outcomes,
    async check(request) {
      const body = JSON.stringify(describe(request, config));
      const signal = AbortSignal.timeout(timeoutMs);
      let answer: { status: number; json: unknown };
      try {
        answer = await limit.run(() => ask(url, body, signal), signal);
      } catch (error) {
        return onFailure(
          error instanceof HookFailure ? error.message : failureReason(error, signal, timeoutMs),
        );
      }
      const { status, json } = answer;
      if (status >= 200 && status < 300) {
        const meta = readMetadata(json);
        if (meta === undefined)
          return onFailure(`HTTP ${status} with metadata that is not {"string": "string"}`);
        outcomes.allowed++;
        return meta === null ? {} : { meta };
      }
      if (status >= 400 && status < 500) {
        const message = (json as { message?: unknown } | null)?.message;
        const rejection = new errors.UPLOAD_REJECTED(
          typeof message === 'string' && message.trim() !== ''
            ? message.slice(0, MAX_MESSAGE)
            : DEFAULT_MESSAGE,
        );
        (rejection as { statusCode: number }).statusCode = status;
        outcomes.rejected++;
        throw rejection;
      }
      return onFailure(`HTTP ${status}`);
    },
  };

  function onFailure(reason: string): PreUploadVerdict {
    if (config.hookPreUploadOnError === 'allow') {
      outcomes['failed-open']++;
      log.warn(
        { hook: hookName, reason },
        'pre-upload hook failed; allowing the upload (HOOK_PRE_UPLOAD_ON_ERROR=allow)',
      );
      return {};
    }
    outcomes['failed-closed']++;
    log.warn({ hook: hookName, reason }, 'pre-upload hook failed; refusing the upload');
    throw new errors.UPLOAD_HOOK_FAILED(reason);
  }
}

/** The JSON the app receives. */
function describe(request: PreUploadRequest, config: Config) {
  const headers: Record<string, string> = {};
  for (const name of config.hookPreUploadForwardHeaders) {
    const value = request.headers[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1] ?? null;
  return {
    kind: request.kind,
    name: request.name,
    type: request.type,
    expected: request.expected,
    metadata: request.metadata,
    ...(request.ref !== undefined && { ref: request.ref }),
    headers,
    ...(config.hookPreUploadForwardToken && { token: bearer }),
  };
}

async function ask(
  url: string,
  body: string,
  signal: AbortSignal,
): Promise<{ status: number; json: unknown }> {
  const headers = { 'user-agent': 'livedrop-pre-upload-hook' };
  const { status, text } = await postJson(url, body, headers, { signal, maxAnswerBytes: MAX_ANSWER_BYTES });
  if (text.trim() === '') return { status, json: null };
  try {
    return { status, json: JSON.parse(text) };
  } catch {
    // A 4xx with a plain-text body is still a refusal; anything else unreadable is a failure.
    if (status >= 400 && status < 500) return { status, json: null };
    throw new HookFailure(`HTTP ${status} with a body that is not JSON`);
  }
}

/** `{metadata: {...}}` → the map; no metadata → null; a malformed one → undefined. */
function readMetadata(json: unknown): Record<string, string> | null | undefined {
  const metadata = (json as { metadata?: unknown } | null)?.metadata;
  if (metadata === undefined || metadata === null) return null;
  if (typeof metadata !== 'object' || Array.isArray(metadata)) return undefined;
  const entries = Object.entries(metadata);
  const valid =
    entries.length <= MAX_META_KEYS &&
    entries.every(
      ([key, value]) =>
        key.length > 0 &&
        key.length <= MAX_META_KEY &&
        typeof value === 'string' &&
        value.length <= MAX_META_VALUE,
    );
  return valid ? Object.fromEntries(entries) : undefined;
}
