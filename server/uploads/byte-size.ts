// Byte counts for people: error messages say "the limit is 5 GiB", not "5368709120".

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  let value = bytes;
  let unit = 'B';
  for (const next of UNITS) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  // Two decimals at most, and none when the size is a whole number of units (5 GiB, 1.5 MiB).
  return `${Number(value.toFixed(2))} ${unit}`;
}
