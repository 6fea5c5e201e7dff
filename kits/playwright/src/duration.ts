import type { Locator } from '@playwright/test';
import { describeDuration } from '#shared/duration.js';

/** A duration as the person picks it: `'15m'`, `'1h'`, `'8h'`, `'1d'`, or a number of minutes. */
export type Duration = '15m' | '1h' | '8h' | '1d' | number;

export function minutesOf(d: Duration): number {
  if (typeof d === 'number') return d;
  return { '15m': 15, '1h': 60, '8h': 480, '1d': 1440 }[d];
}

/** Picks a duration in a "Duration" control: a listed choice when there is one, else "Custom…" minutes. */
export async function pickDuration(scope: Locator, d: Duration): Promise<void> {
  const minutes = minutesOf(d);
  if (!Number.isInteger(minutes) || minutes < 1) throw new Error(`duration must be a whole number of minutes ≥ 1, got ${String(d)}`);
  const select = scope.getByLabel('Duration');
  const label = describeDuration(minutes * 60);
  if ((await select.getByRole('option', { name: label, exact: true }).count()) > 0) {
    await select.selectOption({ label });
    return;
  }
  await select.selectOption({ label: 'Custom…' });
  await scope.getByLabel('Custom length in minutes').fill(String(minutes));
}
