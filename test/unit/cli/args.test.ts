import { describe, expect, it } from 'vitest';
import { parseInvocation } from '../../../cli/args.js';
import { ExitCode } from '../../../cli/exit-codes.js';

const usage = (argv: string[]) => {
  try {
    parseInvocation(argv, {});
  } catch (error) {
    return error as { exitCode: number; message: string };
  }
  throw new Error(`accepted: ${argv.join(' ')}`);
};

describe('livedrop command line', () => {
  it('takes the server and token from the environment, the command line winning', () => {
    const env = { LIVEDROP_SERVER: 'files.example:8080', LIVEDROP_TOKEN: 'from-env' };
    expect(parseInvocation(['ls'], env)).toMatchObject({
      server: 'http://files.example:8080',
      token: 'from-env',
    });
    expect(parseInvocation(['-s', 'https://x.example/', '--token', 'flag', 'ls'], env)).toMatchObject({
      server: 'https://x.example',
      token: 'flag',
    });
    expect(parseInvocation(['ls'], {})).toMatchObject({ server: 'http://127.0.0.1:3000', token: undefined });
  });

  it('reads each command with its own options', () => {
    expect(parseInvocation(['get', 'ID', '-o', 'out.bin'], {})).toMatchObject({
      command: 'get',
      args: ['ID'],
      output: 'out.bin',
    });
    expect(parseInvocation(['upload', '--via', 'tus', 'a', 'b'], {})).toMatchObject({
      via: 'tus',
      args: ['a', 'b'],
    });
    expect(parseInvocation(['ls', '--all'], {}).limit).toBeUndefined();
    expect(parseInvocation(['ls'], {}).limit).toBe(50);
    expect(parseInvocation(['ls', 'cat', '--type', 'image/', '--status', 'paused'], {}).filter).toEqual({
      q: 'cat',
      type: 'image/',
      status: 'paused',
    });
  });

  it('refuses, with exit code 1, what does not fit', () => {
    for (const argv of [
      ['nope'],
      ['rm'],
      ['get', 'a', 'b'],
      ['watch', 'extra'],
      ['ls', 'one', 'two'],
      ['rm', '--limit', '3', 'x'],
      ['upload', '--via', 'ftp', 'f'],
      ['ls', '--limit', '0'],
      ['ls', '--bogus'],
      ['--server', 'http://[bad', 'ls'],
    ]) {
      expect(usage(argv).exitCode, argv.join(' ')).toBe(ExitCode.USAGE);
    }
    expect(usage(['rm', '--limit', '3', 'x']).message).toContain('--limit does not apply to rm');
  });
});
