import { formatDuration } from '#shared/duration.js';

/** Converts the daemon's clock to this page's, using the offset seen when the state was read. */
export function daemonClock(daemonNow: number, readAt: number): () => number {
  return () => daemonNow + Math.floor((Date.now() - readAt) / 1000);
}

/** Live countdown text: "14:32" under an hour, "2h 5m" beyond, "expired" at zero. */
export function countdown(secondsLeft: number): string {
  if (secondsLeft <= 0) return 'expired';
  if (secondsLeft < 3600) {
    const m = Math.floor(secondsLeft / 60);
    const s = secondsLeft % 60;
    return `${m}:${String(s).padStart(2, '0')}`;
  }
  return formatDuration(secondsLeft);
}

export function ago(seconds: number): string {
  return seconds < 60 ? 'just now' : `${formatDuration(seconds)} ago`;
}

export function clockTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}
