// livedrop ls [QUERY]: uploads, newest first (searched by name with QUERY, filtered by --type and
// --status on the server), following the listing's `next` cursor.
import type { Upload } from '../../server/uploads/upload.js';
import type { LivedropClient } from '../client.js';
import { formatBytes } from '../format.js';
import { type Output, table } from '../output.js';

/** The server's largest page (GET /api/uploads?limit, docs/api.md). */
const MAX_PAGE = 200;

export interface ListFilter {
  q?: string;
  type?: string;
  status?: string;
}

export async function ls(
  client: LivedropClient,
  out: Output,
  limit: number | undefined,
  filter: ListFilter = {},
): Promise<void> {
  const uploads: Upload[] = [];
  let before: string | null = null;
  do {
    const want = limit === undefined ? MAX_PAGE : Math.min(MAX_PAGE, limit - uploads.length);
    const query = new URLSearchParams({ ...filter, limit: String(want) });
    if (before) query.set('before', before);
    const page = await client.json<{ uploads: Upload[]; next: string | null }>(`/api/uploads?${query}`);
    uploads.push(...page.uploads);
    before = page.next;
  } while (before && (limit === undefined || uploads.length < limit));

  if (out.json) {
    for (const upload of uploads) out.result(JSON.stringify(upload));
    return;
  }
  if (!out.tty) {
    for (const u of uploads)
      out.result([u.id, u.size, u.completedAt ?? '', u.sha256 ?? '', u.name].join('\t'));
    return;
  }
  if (uploads.length === 0) {
    out.result('no uploads');
    return;
  }
  const rows = uploads.map((u) => [
    u.id,
    formatBytes(u.size),
    (u.completedAt ?? '').replace('T', ' ').slice(0, 19),
    u.name,
  ]);
  for (const line of table([['ID', 'SIZE', 'COMPLETED (UTC)', 'NAME'], ...rows])) out.result(line);
}
