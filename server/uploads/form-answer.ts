// How a browser navigation (a plain HTML form posting to /api/uploads, no JavaScript) is answered:
// 303 See Other to the form's `redirect` with the new ids and names in the query, or — without one —
// a small HTML page saying what was stored. Errors go to `error_redirect` (else `redirect`) with the
// code, or get an HTML page; never raw JSON in a visitor's face. JSON clients never come here.
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply } from 'fastify';
import { formatBytes } from './byte-size.js';
import type { FormRedirects } from './form-redirect.js';
import type { Upload } from './upload.js';

type AnswerableError = Error & { code?: string; statusCode?: number };

/**
 * A top-level form submission: Fetch Metadata says so (`Sec-Fetch-Mode: navigate`), or, from a
 * browser too old to send it, the request asks for HTML. fetch() and XHR send neither.
 */
export function isNavigation(headers: IncomingHttpHeaders): boolean {
  const mode = headers['sec-fetch-mode'];
  if (mode !== undefined) return mode === 'navigate';
  return /\btext\/html\b/i.test(headers.accept ?? '');
}

export function answerStored(reply: FastifyReply, uploads: Upload[], redirects: FormRedirects): FastifyReply {
  const target = redirects.redirect;
  if (target) {
    const url = new URL(target);
    for (const upload of uploads) {
      url.searchParams.append('upload_id', upload.id);
      url.searchParams.append('upload_name', upload.name);
    }
    return seeOther(reply, url);
  }
  const count = uploads.length === 1 ? '1 file' : `${uploads.length} files`;
  const items = uploads
    .map(
      (upload) =>
        `<li><a href="${escapeHtml(upload.url ?? '')}">${escapeHtml(upload.name)}</a> ` +
        `<span>(${escapeHtml(formatBytes(upload.size))}, ${escapeHtml(upload.type)})</span> ` +
        `<code aria-label="upload id">${escapeHtml(upload.id)}</code></li>`,
    )
    .join('\n');
  return page(
    reply,
    201,
    `Stored ${count}`,
    `<p role="status">${count} received.</p>\n<ul>\n${items}\n</ul>`,
  );
}

/** A failed form post: a redirect with the code when the form gave one (and it was not the fault). */
export function answerFailed(reply: FastifyReply, error: AnswerableError, redirects: FormRedirects | null) {
  const target = error.code === 'UPLOAD_REDIRECT_REFUSED' ? undefined : redirects?.errorRedirect;
  if (target) {
    const url = new URL(target);
    url.searchParams.set('upload_error', error.code ?? 'INTERNAL_SERVER_ERROR');
    url.searchParams.set('upload_error_message', error.message);
    return seeOther(reply, url);
  }
  return errorPage(reply, error);
}

export function errorPage(reply: FastifyReply, error: AnswerableError): FastifyReply {
  const status = error.statusCode ?? 500;
  const message = status >= 500 && !error.code ? 'The server could not store the files.' : error.message;
  return page(
    reply,
    status,
    'The files were not stored',
    `<p role="alert">${escapeHtml(message)}</p>\n<p>Code: <code>${escapeHtml(error.code ?? 'INTERNAL_SERVER_ERROR')}</code></p>\n` +
      '<p>Nothing was kept. Go back to try again.</p>',
  );
}

function seeOther(reply: FastifyReply, url: URL): FastifyReply {
  return reply.code(303).header('location', url.href).header('cache-control', 'no-store').send();
}

function page(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · livedrop</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1d1f24}
code{font-size:.85em;word-break:break-all}li{margin:.4rem 0}a{color:#3240b8}</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`;
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
    .header('x-content-type-options', 'nosniff')
    .send(html);
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
