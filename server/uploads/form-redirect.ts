// The `redirect` and `error_redirect` fields of a plain HTML form post (docs/embedding.md). A
// redirect is followed only to the site that sent the form, to livedrop itself, or to an origin
// listed in CORS_ORIGINS: never an open redirect, whatever CORS_ORIGINS=* admits. The fields must come
// before the first file part, so a refused one is refused before any byte of a file is stored.
import type { Config } from '../config.js';
import { errors } from '../errors.js';
import { isOriginAllowed } from '../origin-policy.js';

export const REDIRECT_FIELDS = ['redirect', 'error_redirect'] as const;
type RedirectField = (typeof REDIRECT_FIELDS)[number];

export interface RedirectContext {
  /** The request's Origin header: the site whose form this is. */
  origin: string | undefined;
  /** The request's Host header: livedrop's own origin. */
  host: string | undefined;
  corsOrigins: Config['corsOrigins'];
}

export class FormRedirects {
  readonly #context: RedirectContext;
  readonly #targets: Partial<Record<RedirectField, URL>> = {};

  constructor(context: RedirectContext) {
    this.#context = context;
  }

  get redirect(): URL | undefined {
    return this.#targets.redirect;
  }

  /** Where an error goes: `error_redirect`, else `redirect`. */
  get errorRedirect(): URL | undefined {
    return this.#targets.error_redirect ?? this.#targets.redirect;
  }

  /** Takes a form field (ingest's onField); throws UPLOAD_REDIRECT_REFUSED for a bad redirect. */
  field = (name: string, value: string, afterFile: boolean): void => {
    if (!(REDIRECT_FIELDS as readonly string[]).includes(name)) return;
    const field = name as RedirectField;
    const refuse = (why: string) => new errors.UPLOAD_REDIRECT_REFUSED(field, why);
    if (afterFile) throw refuse('it must come before the first file in the form');
    if (this.#targets[field]) throw refuse('it is given twice');
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw refuse('expected an absolute http(s) URL');
    }
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) {
      throw refuse('expected an absolute http(s) URL without credentials');
    }
    if (!this.#mayRedirectTo(url)) throw refuse(`${url.origin} is not an allowed origin`);
    this.#targets[field] = url;
  };

  #mayRedirectTo(url: URL): boolean {
    const { origin, host, corsOrigins } = this.#context;
    if (host !== undefined && url.host === host.toLowerCase()) return true;
    if (Array.isArray(corsOrigins) && corsOrigins.includes(url.origin)) return true;
    // The sending site itself, when it may post here at all (this is how CORS_ORIGINS=* works).
    return origin === url.origin && isOriginAllowed(origin, host, corsOrigins);
  }
}
