// Where results and notes go: results on stdout (a table on a terminal, tab-separated lines when
// piped, JSON lines with --json), notes and errors on stderr.
export interface Output {
  json: boolean;
  /** stdout is a terminal: tables and bars instead of plain lines. */
  tty: boolean;
  result(line: string): void;
  note(line: string): void;
}

export function processOutput(json: boolean): Output {
  return {
    json,
    tty: Boolean(process.stdout.isTTY) && !json,
    result: (line) => process.stdout.write(`${line}\n`),
    note: (line) => process.stderr.write(`${line}\n`),
  };
}

/** Left-aligned columns, two spaces apart; the last column is not padded. */
export function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows.map((row) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '),
  );
}
