// The help text: `livedrop --help` prints it, and docs/cli.md shows it verbatim (a test compares).
export const HELP = `Usage: livedrop [options] <command> [arguments]

Commands:
  upload FILE...        upload files: resumable (tus) when big, one multipart request when small;
                        an interrupted upload resumes when the same command runs again
  watch                 the live feed: uploads in progress, redrawn in place (plain lines when piped)
  ls [QUERY]            uploads, newest first; QUERY searches names (and folder paths)
  get ID [-o FILE]      download an upload (FILE defaults to its name; - for stdout);
                        a partial download (FILE.part) resumes with a Range request
  rm ID...              delete uploads

Options:
  -s, --server URL      the livedrop server (env LIVEDROP_SERVER, default http://127.0.0.1:3000)
  -t, --token TOKEN     the server's AUTH_TOKEN (env LIVEDROP_TOKEN)
      --json            machine-readable output: one JSON value per line
      --via MODE        upload: auto (default), tus or multipart
      --limit N         ls: how many (default 50)
      --all             ls: every upload
      --type TYPE       ls: image/ (a major type) or image/png (exact)
      --status STATUS   ls: uploading, paused, completed, failed or aborted
  -o, --output FILE     get: where to write
  -h, --help            this text
  -v, --version         livedrop's version

Exit codes:
  0    done
  1    bad command line, or a local file that cannot be read or written
  2    the server refused (its error code and message are printed)
  3    the server wants a token (401): pass --token or set LIVEDROP_TOKEN
  4    the server cannot be reached, or the connection dropped and retries ran out
  5    the bytes did not verify (sha256 differs)
  130  interrupted (Ctrl-C); run the same command again to resume
`;
