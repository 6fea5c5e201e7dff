import { formatDuration } from '#shared/duration.js';
import { showText } from '#shared/text.js';

/** A plain aligned table: no colours, no box drawing, so it pastes cleanly into issues and logs. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

export function when(ts: number | null, now: number): string {
  if (ts === null) return '-';
  const delta = ts - now;
  if (Math.abs(delta) < 5) return 'now';
  return delta > 0 ? `in ${formatDuration(delta)}` : `${formatDuration(-delta)} ago`;
}

export function isoTime(ts: number): string {
  return new Date(ts * 1000).toISOString().replace('.000Z', 'Z');
}

/** Terminal-safe: hidden, control and direction characters become visible markers (shared text policy), so an agent's name cannot rewrite the screen. */
export const safe = showText;
