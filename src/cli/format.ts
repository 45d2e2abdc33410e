/** Plain-text tables for people (the `--json` output is for machines). */

export function table(headers: string[], rows: string[][], rightAligned: ReadonlySet<number> = new Set()): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function num(p: unknown, digits = 2): string {
  return typeof p === 'number' && Number.isFinite(p) ? p.toFixed(digits) : '-';
}

export function interval(iv: unknown): string {
  return Array.isArray(iv) && iv.length === 2 ? `[${num(iv[0])}, ${num(iv[1])}]` : '';
}
