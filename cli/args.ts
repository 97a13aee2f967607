// The command line: one parse with node:util parseArgs, then each option checked against the
// command it belongs to, so `livedrop rm --limit 3 X` is a usage error rather than ignored.
import { parseArgs } from 'node:util';
import { usageError } from './exit-codes.js';

const OPTIONS = {
  server: { type: 'string', short: 's' },
  token: { type: 'string', short: 't' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  via: { type: 'string' },
  limit: { type: 'string' },
  all: { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  type: { type: 'string' },
  status: { type: 'string' },
} as const;

type OptionName = keyof typeof OPTIONS;

const GLOBAL: OptionName[] = ['server', 'token', 'json', 'help', 'version'];

export const COMMANDS = {
  upload: { options: ['via'], args: 'FILE...' },
  watch: { options: [], args: '' },
  ls: { options: ['limit', 'all', 'type', 'status'], args: '[QUERY]' },
  get: { options: ['output'], args: 'ID' },
  rm: { options: [], args: 'ID...' },
} satisfies Record<string, { options: OptionName[]; args: string }>;

export type CommandName = keyof typeof COMMANDS;

export interface Invocation {
  command: CommandName | undefined;
  args: string[];
  server: string;
  token: string | undefined;
  json: boolean;
  help: boolean;
  version: boolean;
  via: 'auto' | 'tus' | 'multipart';
  limit: number | undefined;
  output: string | undefined;
  /** ls: the search (GET /api/uploads?q=&type=&status=). */
  filter: { q?: string; type?: string; status?: string };
}

const DEFAULT_SERVER = 'http://127.0.0.1:3000';
const DEFAULT_LIMIT = 50;

export function parseInvocation(argv: string[], env: NodeJS.ProcessEnv): Invocation {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [name, ...args] = positionals;
  if (name !== undefined && !(name in COMMANDS)) throw usageError(`unknown command: ${name}`);
  const command = name as CommandName | undefined;

  for (const option of Object.keys(values) as OptionName[]) {
    const allowed =
      GLOBAL.includes(option) || (command && (COMMANDS[command].options as OptionName[]).includes(option));
    if (!allowed)
      throw usageError(`--${option} does not apply to ${command ?? 'livedrop without a command'}`);
  }

  const via = values.via ?? 'auto';
  if (via !== 'auto' && via !== 'tus' && via !== 'multipart')
    throw usageError('--via must be auto, tus or multipart');
  let limit: number | undefined = DEFAULT_LIMIT;
  if (values.all) limit = undefined;
  else if (values.limit !== undefined) {
    if (!/^\d+$/.test(values.limit) || Number(values.limit) < 1)
      throw usageError('--limit must be a whole number ≥ 1');
    limit = Number(values.limit);
  }

  if (command && !values.help) checkArgCount(command, args);

  return {
    command,
    args,
    server: normaliseServer(values.server ?? env.LIVEDROP_SERVER ?? DEFAULT_SERVER),
    token: values.token ?? (env.LIVEDROP_TOKEN || undefined),
    json: values.json ?? false,
    help: values.help ?? false,
    version: values.version ?? false,
    via,
    limit,
    output: values.output,
    filter: {
      ...(command === 'ls' && args[0] !== undefined && { q: args[0] }),
      ...(values.type !== undefined && { type: values.type }),
      ...(values.status !== undefined && { status: values.status }),
    },
  };
}

function checkArgCount(command: CommandName, args: string[]) {
  const spec = COMMANDS[command].args;
  if (spec.startsWith('[')) {
    if (args.length > 1) throw usageError(`${command} takes at most one ${spec.slice(1, -1)}`);
    return;
  }
  const needsOne = spec !== '';
  const many = spec.endsWith('...');
  if (needsOne && args.length === 0) throw usageError(`${command} needs ${spec}`);
  if (!many && args.length > (needsOne ? 1 : 0))
    throw usageError(`${command} takes ${spec || 'no arguments'}`);
}

/** "localhost:3000" → "http://localhost:3000"; no trailing slash. */
function normaliseServer(raw: string): string {
  const withScheme = /^https?:\/\//i.test(raw) ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw usageError(`--server: not a URL: ${raw}`);
  }
  return url.href.replace(/\/+$/, '');
}
