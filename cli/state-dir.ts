// Where the CLI keeps what must outlive one run (the URLs of unfinished tus uploads): the XDG Base
// Directory spec's state home, $XDG_STATE_HOME or ~/.local/state, in livedrop/.
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export async function stateFile(name: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  const dir = join(base, 'livedrop');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return join(dir, name);
}
