#!/usr/bin/env node
// The `livedrop` command (package.json "bin"): parse, run one command, exit with its code
// (cli/exit-codes.ts). Ctrl-C aborts the running command once, cleanly (an upload or download
// can then resume); a second Ctrl-C exits at once.
import { packageVersion } from '../server/package-version.js';
import { parseInvocation } from './args.js';
import { LivedropClient } from './client.js';
import { get } from './commands/get.js';
import { ls } from './commands/ls.js';
import { rm } from './commands/rm.js';
import { upload } from './commands/upload.js';
import { watch } from './commands/watch.js';
import { CliError, ExitCode } from './exit-codes.js';
import { HELP } from './help.js';
import { processOutput } from './output.js';

async function run(argv: string[]): Promise<number> {
  const invocation = parseInvocation(argv, process.env);
  if (invocation.version) {
    process.stdout.write(`${packageVersion()}\n`);
    return ExitCode.OK;
  }
  if (invocation.help || !invocation.command) {
    (invocation.help ? process.stdout : process.stderr).write(HELP);
    return invocation.help ? ExitCode.OK : ExitCode.USAGE;
  }

  const client = new LivedropClient(invocation);
  const out = processOutput(invocation.json);
  const bars = Boolean(process.stderr.isTTY) && !invocation.json;
  const interrupt = new AbortController();
  process.once('SIGINT', () => {
    interrupt.abort();
    process.once('SIGINT', () => process.exit(ExitCode.INTERRUPTED));
  });
  const { signal } = interrupt;

  switch (invocation.command) {
    case 'ls':
      await ls(client, out, invocation.limit, invocation.filter);
      break;
    case 'rm':
      await rm(client, out, invocation.args);
      break;
    case 'get':
      await get(client, out, invocation.args[0]!, { output: invocation.output, signal, bars });
      break;
    case 'watch':
      await watch(client, out, signal);
      break;
    case 'upload':
      await upload(client, out, invocation.args, { via: invocation.via, signal, bars });
      break;
  }
  return ExitCode.OK;
}

try {
  process.exitCode = await run(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof CliError)) throw error;
  if (error.message) process.stderr.write(`livedrop: ${error.message}\n`);
  if (error.exitCode === ExitCode.USAGE && /unknown command|needs|takes|does not apply/.test(error.message)) {
    process.stderr.write('Try livedrop --help\n');
  }
  process.exitCode = error.exitCode;
}
