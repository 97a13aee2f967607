// What `livedrop` exits with (docs/cli.md lists them): one cause per code, so scripts can tell
// "try again later" (4) from "fix the token" (3) from "the server said no" (2).
export const ExitCode = {
  /** Everything asked for was done. */
  OK: 0,
  /** A bad command line, or a local file that cannot be read or written. */
  USAGE: 1,
  /** The server answered with an error (its code and message are printed). */
  REFUSED: 2,
  /** The server wants a (different) token: 401 AUTH_REQUIRED. */
  AUTH: 3,
  /** The server could not be reached, or the connection dropped and retries ran out. */
  UNREACHABLE: 4,
  /** The bytes did not verify: the sha256 on both sides differs. */
  CORRUPT: 5,
  /** Ctrl-C (128 + SIGINT); an interrupted upload or download resumes when run again. */
  INTERRUPTED: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure that ends the command with a message and its exit code. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CliError(message, ExitCode.USAGE);
