// livedrop rm ID...: deletes each; a refused one is reported and the rest still go.
import type { LivedropClient } from '../client.js';
import { CliError, ExitCode } from '../exit-codes.js';
import type { Output } from '../output.js';

export async function rm(client: LivedropClient, out: Output, ids: string[]): Promise<void> {
  let failure: CliError | undefined;
  for (const id of ids) {
    try {
      await client.request(`/api/uploads/${encodeURIComponent(id)}`, { method: 'DELETE' });
    } catch (error) {
      if (!(error instanceof CliError) || error.exitCode !== ExitCode.REFUSED) throw error;
      out.note(`livedrop: ${id}: ${error.message}`);
      failure ??= error;
      continue;
    }
    out.result(out.json ? JSON.stringify({ id, deleted: true }) : `deleted ${id}`);
  }
  if (failure) throw new CliError('', failure.exitCode);
}
