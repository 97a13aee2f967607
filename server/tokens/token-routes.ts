// POST /api/upload-tokens: the admin (AUTH_TOKEN) asks for a scoped token for one origin. The auth
// hook has already refused anyone else, scoped tokens included (they cannot mint tokens).
import type { FastifyInstance } from 'fastify';
import { type Config, parseBytes, parseTypes } from '../config.js';
import { errors } from '../errors.js';
import { isOriginAllowed } from '../origin-policy.js';
import { issueToken, type ScopedClaims } from './scoped-token.js';

const DEFAULT_TTL_SECONDS = 3600;
const MAX_FILES_PER_TOKEN = 10_000;

export interface TokenRoutesOptions {
  config: Config;
  key: Buffer | null;
}

export async function uploadTokenRoutes(app: FastifyInstance, { config, key }: TokenRoutesOptions) {
  app.post('/api/upload-tokens', async (request, reply) => {
    if (key === null) throw new errors.UPLOAD_TOKENS_DISABLED();
    const claims = tokenRequest(request.body, config, request.headers.host);
    const { token } = issueToken(key, claims);
    return reply.code(201).send({
      token,
      origin: claims.origin,
      maxFileSize: claims.maxFileSize,
      maxFiles: claims.maxFiles,
      types: claims.types,
      expiresAt: new Date(claims.exp * 1000).toISOString(),
    });
  });
}

const invalid = (field: string, why: string) => new errors.UPLOAD_INVALID_FIELD(field, why);

/** The body `{origin, maxFileSize?, maxFiles?, types?, expiresIn?}`, checked field by field. */
function tokenRequest(body: unknown, config: Config, host: string | undefined): Omit<ScopedClaims, 'jti'> {
  if (typeof body !== 'object' || body === null) throw invalid('body', 'expected a JSON object');
  const { origin, maxFileSize, maxFiles, types, expiresIn } = body as Record<string, unknown>;

  if (typeof origin !== 'string' || !isOrigin(origin)) {
    throw invalid('origin', 'expected an origin such as https://shop.example (scheme://host[:port])');
  }
  // One allowlist: a token cannot open the API to a site CORS_ORIGINS does not admit.
  if (!isOriginAllowed(origin, host, config.corsOrigins)) {
    throw invalid('origin', `${origin} is not in CORS_ORIGINS`);
  }

  const size =
    maxFileSize === undefined
      ? config.maxFileSize
      : typeof maxFileSize === 'number'
        ? Number.isSafeInteger(maxFileSize) && maxFileSize > 0
          ? maxFileSize
          : undefined
        : typeof maxFileSize === 'string'
          ? parseBytes(maxFileSize)
          : undefined;
  if (size === undefined) throw invalid('maxFileSize', 'expected bytes, or a size such as 10MiB');
  if (size > config.maxFileSize) throw invalid('maxFileSize', 'larger than MAX_FILE_SIZE');

  const files = maxFiles ?? config.maxFiles;
  if (!Number.isSafeInteger(files) || (files as number) < 1 || (files as number) > MAX_FILES_PER_TOKEN) {
    throw invalid('maxFiles', `expected a whole number 1–${MAX_FILES_PER_TOKEN}`);
  }

  const typeList =
    types === undefined
      ? []
      : Array.isArray(types) && types.every((t) => typeof t === 'string')
        ? parseTypes(types.join(','))
        : typeof types === 'string'
          ? parseTypes(types)
          : undefined;
  if (typeList === undefined) throw invalid('types', 'expected MIME types or patterns like image/*');

  const ttl = expiresIn ?? Math.min(DEFAULT_TTL_SECONDS, config.uploadTokenMaxTtl);
  if (!Number.isSafeInteger(ttl) || (ttl as number) < 1 || (ttl as number) > config.uploadTokenMaxTtl) {
    throw invalid('expiresIn', `expected seconds 1–${config.uploadTokenMaxTtl} (UPLOAD_TOKEN_MAX_TTL)`);
  }

  return {
    origin,
    maxFileSize: size,
    maxFiles: files as number,
    types: typeList,
    exp: Math.floor(Date.now() / 1000) + (ttl as number),
  };
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return url.origin === value && (url.protocol === 'https:' || url.protocol === 'http:');
  } catch {
    return false;
  }
}
