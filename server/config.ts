// Every setting livedrop reads, in one table: environment variable, default, what it accepts.
// loadConfig() validates all of them up front, so a bad value stops start-up with one line that
// names the variable, instead of failing later in the middle of an upload.
import { EVENT_TYPES } from './events/event-types.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

interface Setting<T> {
  env: string;
  default: string;
  accepts: string;
  parse(raw: string): T | undefined;
}

const setting = <T>(env: string, def: string, accepts: string, parse: (raw: string) => T | undefined) =>
  ({ env, default: def, accepts, parse }) satisfies Setting<T>;

const UNITS: Record<string, number> = {
  '': 1,
  B: 1,
  KIB: 1024,
  MIB: 1024 ** 2,
  GIB: 1024 ** 3,
  TIB: 1024 ** 4,
};

/** "5GiB" → 5368709120. Binary units only: "5GB" is refused rather than guessed. */
export function parseBytes(raw: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]iB|B)?\s*$/i.exec(raw);
  if (!match) return undefined;
  const unit = UNITS[(match[2] ?? '').toUpperCase()];
  const bytes = Math.floor(Number(match[1]) * (unit ?? Number.NaN));
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

const integer = (min: number, max: number) => (raw: string) => {
  if (!/^\s*\d+\s*$/.test(raw)) return undefined;
  const n = Number(raw);
  return n >= min && n <= max ? n : undefined;
};

const list = (raw: string) =>
  raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

function parseBoolean(raw: string): boolean | undefined {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  return undefined;
}

const MIME_PATTERN = /^[a-z0-9!#$&^_.+-]+\/(\*|[a-z0-9!#$&^_.+-]+)$/i;

export function parseTypes(raw: string): string[] | undefined {
  const types = list(raw).map((t) => t.toLowerCase());
  return types.every((t) => MIME_PATTERN.test(t)) ? types : undefined;
}

/** Origins are compared as the browser sends them: scheme://host[:port], no path, no trailing slash. */
function parseOrigins(raw: string): string[] | '*' | undefined {
  if (raw.trim() === '*') return '*';
  const origins = list(raw);
  for (const origin of origins) {
    try {
      if (new URL(origin).origin !== origin) return undefined;
    } catch {
      return undefined;
    }
  }
  return origins;
}

function parseHttpUrl(raw: string): string | undefined {
  try {
    const url = new URL(raw.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Empty: no Redis. Credentials may be in the URL: it is never logged. */
function parseRedisUrl(raw: string): string | null | undefined {
  if (raw.trim() === '') return null;
  try {
    const url = new URL(raw.trim());
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function parseHttpUrls(raw: string): string[] | undefined {
  const urls = list(raw).map(parseHttpUrl);
  return urls.every((url) => url !== undefined) ? (urls as string[]) : undefined;
}

/** Upload events only: progress is far too chatty to POST, and snapshots and watcher counts are feed-only. */
function parseWebhookEvents(raw: string): string[] | undefined {
  const types = list(raw);
  const ok = types.every((t) => t in EVENT_TYPES && t.startsWith('upload.') && t !== 'upload.progress');
  return ok && types.length > 0 ? types : undefined;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/; // RFC 9110 §5.1 token, compared lower-case

function parseHeaderNames(raw: string): string[] | undefined {
  const names = list(raw).map((name) => name.toLowerCase());
  return names.every((name) => HEADER_NAME.test(name)) ? names : undefined;
}

const secret = (raw: string) => raw || null;

export const settings = {
  port: setting('PORT', '3000', 'a TCP port 0–65535', integer(0, 65535)),
  host: setting(
    'HOST',
    '127.0.0.1',
    'an interface address to bind, e.g. 0.0.0.0',
    (raw) => raw.trim() || undefined,
  ),
  uploadDir: setting(
    'UPLOAD_DIR',
    './uploads',
    'a directory path (created if missing)',
    (raw) => raw.trim() || undefined,
  ),
  storage: setting('STORAGE', 'local', 'local (UPLOAD_DIR) or s3 (S3_BUCKET)', (raw) =>
    raw === 'local' || raw === 's3' ? raw : undefined,
  ),
  s3Bucket: setting('S3_BUCKET', '', 'a bucket name (required with STORAGE=s3)', (raw) =>
    raw === '' || /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(raw) ? raw : undefined,
  ),
  s3Endpoint: setting(
    'S3_ENDPOINT',
    '',
    'an http(s) URL such as https://<account>.r2.cloudflarestorage.com (empty: AWS)',
    (raw) => {
      if (raw === '') return raw;
      try {
        return ['http:', 'https:'].includes(new URL(raw).protocol) ? raw : undefined;
      } catch {
        return undefined;
      }
    },
  ),
  s3Region: setting('S3_REGION', 'us-east-1', 'a region name such as eu-west-1 (R2: auto)', (raw) =>
    /^[a-z0-9-]{1,40}$/.test(raw) ? raw : undefined,
  ),
  s3Prefix: setting('S3_PREFIX', '', 'a key prefix such as livedrop/ (empty: the bucket root)', (raw) =>
    raw === '' || /^[A-Za-z0-9!_.*'()/-]{1,200}$/.test(raw) ? raw : undefined,
  ),
  s3ForcePathStyle: setting(
    'S3_FORCE_PATH_STYLE',
    'false',
    'true or false (true for MinIO, Ceph, Swift)',
    parseBoolean,
  ),
  s3PresignedDownloads: setting(
    'S3_PRESIGNED_DOWNLOADS',
    'false',
    'true or false (true: downloads redirect to a presigned bucket URL)',
    parseBoolean,
  ),
  s3RequestTimeoutMs: setting(
    'S3_REQUEST_TIMEOUT',
    '20000',
    'milliseconds 500–600000 one S3 request may take (or sit idle) before it fails',
    integer(500, 600_000),
  ),
  maxFileSize: setting('MAX_FILE_SIZE', '5GiB', 'bytes, or a size such as 512KiB, 10MiB, 5GiB', parseBytes),
  maxFiles: setting('MAX_FILES', '20', 'an integer 1–1000 (file parts per request)', integer(1, 1000)),
  allowedTypes: setting(
    'ALLOWED_TYPES',
    '',
    'a comma list of MIME types or patterns like image/*',
    parseTypes,
  ),
  corsOrigins: setting(
    'CORS_ORIGINS',
    '',
    'a comma list of origins like https://example.com, or *',
    parseOrigins,
  ),
  authToken: setting('AUTH_TOKEN', '', 'any non-empty secret (empty: no auth)', (raw) => raw || null),
  uploadTokenSecret: setting(
    'UPLOAD_TOKEN_SECRET',
    '',
    'any non-empty secret that signs scoped upload tokens (empty: derived from AUTH_TOKEN)',
    (raw) => raw || null,
  ),
  uploadTokenMaxTtl: setting(
    'UPLOAD_TOKEN_MAX_TTL',
    '86400',
    'seconds 60–2592000 a scoped upload token may live at most',
    integer(60, 2_592_000),
  ),
  checksum: setting('CHECKSUM', 'sha256', 'sha256 or none', (raw) =>
    raw === 'sha256' || raw === 'none' ? raw : undefined,
  ),
  progressIntervalMs: setting('PROGRESS_INTERVAL_MS', '100', 'milliseconds 0–60000', integer(0, 60_000)),
  uploadIdleTimeoutMs: setting(
    'UPLOAD_IDLE_TIMEOUT',
    '30000',
    'milliseconds 1000–3600000 an upload may send nothing before it is cut off',
    integer(1000, 3_600_000),
  ),
  headersTimeoutMs: setting(
    'HEADERS_TIMEOUT',
    '30000',
    'milliseconds 1000–600000 a client may take to send its request headers (slowloris guard)',
    integer(1000, 600_000),
  ),
  shutdownGraceMs: setting(
    'SHUTDOWN_GRACE_MS',
    '10000',
    'milliseconds 0–600000 in-flight uploads get to finish on SIGTERM',
    integer(0, 600_000),
  ),
  heartbeatIntervalMs: setting(
    'HEARTBEAT_INTERVAL_MS',
    '30000',
    'milliseconds 1000–600000 between WebSocket pings',
    integer(1000, 600_000),
  ),
  tusExpirationMs: setting(
    'TUS_EXPIRATION',
    '86400000',
    'milliseconds 1000–2592000000 an unfinished resumable upload may stay idle before it is removed',
    integer(1000, 2_592_000_000),
  ),
  resumableThreshold: setting(
    'RESUMABLE_THRESHOLD',
    '8MiB',
    'bytes, or a size such as 8MiB: the web UI sends larger files resumably (tus)',
    parseBytes,
  ),
  tusChunkSize: setting(
    'TUS_CHUNK_SIZE',
    '8MiB',
    "bytes, or a size such as 8MiB: the web UI's largest tus PATCH (under a proxy's body limit)",
    parseBytes,
  ),
  metricsToken: setting('METRICS_TOKEN', '', 'any non-empty secret (empty: /metrics is open)', secret),
  webhookUrls: setting('WEBHOOK_URLS', '', 'a comma list of http(s) URLs', parseHttpUrls),
  webhookSecret: setting('WEBHOOK_SECRET', '', 'any non-empty secret (empty: deliveries unsigned)', secret),
  webhookEvents: setting(
    'WEBHOOK_EVENTS',
    'upload.completed,upload.failed,upload.deleted',
    'a comma list of upload event types other than upload.progress',
    parseWebhookEvents,
  ),
  webhookTimeoutMs: setting(
    'WEBHOOK_TIMEOUT_MS',
    '10000',
    'milliseconds 100–300000 a receiver gets to answer one delivery',
    integer(100, 300_000),
  ),
  webhookConcurrency: setting(
    'WEBHOOK_CONCURRENCY',
    '4',
    'an integer 1–100 (deliveries in flight at once)',
    integer(1, 100),
  ),
  webhookRetryMinMs: setting(
    'WEBHOOK_RETRY_MIN_MS',
    '1000',
    'milliseconds 10–3600000 before the first retry (doubled for each next one)',
    integer(10, 3_600_000),
  ),
  webhookRetryMaxMs: setting(
    'WEBHOOK_RETRY_MAX_MS',
    '3600000',
    'milliseconds 10–86400000: the longest wait between two attempts',
    integer(10, 86_400_000),
  ),
  webhookRetryForMs: setting(
    'WEBHOOK_RETRY_FOR_MS',
    '86400000',
    'milliseconds 1000–2592000000 a delivery is retried before it is given up',
    integer(1000, 2_592_000_000),
  ),
  webhookQueueDir: setting('WEBHOOK_QUEUE_DIR', '', 'a directory path (empty: UPLOAD_DIR/.webhooks)', (raw) =>
    raw.trim(),
  ),
  webhookQueueMax: setting(
    'WEBHOOK_QUEUE_MAX',
    '10000',
    'an integer 1–1000000 (deliveries waiting at most)',
    integer(1, 1_000_000),
  ),
  hookPreUploadUrl: setting('HOOK_PRE_UPLOAD_URL', '', 'an http(s) URL (empty: no hook)', (raw) =>
    raw.trim() === '' ? null : parseHttpUrl(raw),
  ),
  hookPreUploadTimeoutMs: setting(
    'HOOK_PRE_UPLOAD_TIMEOUT_MS',
    '5000',
    'milliseconds 100–60000 the hook gets to answer (waiting for a free slot included)',
    integer(100, 60_000),
  ),
  hookPreUploadOnError: setting(
    'HOOK_PRE_UPLOAD_ON_ERROR',
    'reject',
    'reject (fail closed) or allow (fail open)',
    (raw) => (raw === 'reject' || raw === 'allow' ? raw : undefined),
  ),
  hookPreUploadConcurrency: setting(
    'HOOK_PRE_UPLOAD_CONCURRENCY',
    '16',
    'an integer 1–1000 (hook calls in flight at once)',
    integer(1, 1000),
  ),
  hookPreUploadForwardHeaders: setting(
    'HOOK_PRE_UPLOAD_FORWARD_HEADERS',
    '',
    'a comma list of request header names',
    parseHeaderNames,
  ),
  hookPreUploadForwardToken: setting('HOOK_PRE_UPLOAD_FORWARD_TOKEN', 'false', 'true or false', (raw) =>
    raw === 'true' ? true : raw === 'false' ? false : undefined,
  ),
  redisUrl: setting(
    'REDIS_URL',
    '',
    'a redis:// or rediss:// URL (empty: one node, everything in process)',
    parseRedisUrl,
  ),
  redisKeyPrefix: setting(
    'REDIS_KEY_PREFIX',
    'livedrop:',
    'a non-empty key prefix',
    (raw) => raw || undefined,
  ),
  nodeId: setting('NODE_ID', '', 'letters, digits, . _ - (empty: hostname-pid-random)', (raw) =>
    /^[\w.-]{0,64}$/.test(raw) ? raw : undefined,
  ),
  nodeHeartbeatMs: setting(
    'NODE_HEARTBEAT_MS',
    '1000',
    "milliseconds 100–60000 between a node's heartbeats in Redis",
    integer(100, 60_000),
  ),
  nodeTimeoutMs: setting(
    'NODE_TIMEOUT_MS',
    '5000',
    'milliseconds 500–600000 without a heartbeat before a node counts as dead (above NODE_HEARTBEAT_MS)',
    integer(500, 600_000),
  ),
  trustProxy: setting(
    'TRUST_PROXY',
    'false',
    'true or false: build tus Location URLs from X-Forwarded-Proto/Host',
    (raw) => (raw === 'true' ? true : raw === 'false' ? false : undefined),
  ),
  logLevel: setting('LOG_LEVEL', 'info', 'fatal, error, warn, info, debug, trace or silent', (raw) =>
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(raw) ? raw : undefined,
  ),
};

type Settings = typeof settings;
export type Config = { [K in keyof Settings]: Exclude<ReturnType<Settings[K]['parse']>, undefined> };

/** Reads every setting from `env`, falling back to the defaults; throws ConfigError on the first bad one. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const config: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(settings) as [string, Setting<unknown>][]) {
    const raw = env[s.env] ?? s.default;
    const value = s.parse(raw);
    if (value === undefined) {
      throw new ConfigError(`${s.env}=${JSON.stringify(raw)} is not valid: expected ${s.accepts}`);
    }
    config[key] = value;
  }
  const { nodeHeartbeatMs, nodeTimeoutMs } = config as Config;
  if (nodeTimeoutMs <= nodeHeartbeatMs) {
    throw new ConfigError(
      `NODE_TIMEOUT_MS=${nodeTimeoutMs} is not valid: expected more than NODE_HEARTBEAT_MS`,
    );
  }
  return config as Config;
}
