import { describeDuration } from '#shared/duration.js';
import { h } from './dom.js';

const PRESETS = [15 * 60, 3600, 8 * 3600, 24 * 3600];
let counter = 0;

/**
 * The "Duration" control: presets up to what was asked (never beyond it or the cap), the requested
 * duration itself, and a custom number of minutes.
 */
export function durationPicker(
  requested: number,
  opts: { cap?: number; presets?: readonly number[]; initial?: number; capNote?: string } = {},
): { element: HTMLElement; seconds: () => number | undefined } {
  const max = Math.min(requested, opts.cap ?? requested);
  const initial = Math.min(opts.initial ?? max, max);
  const id = `duration-${++counter}`;
  // the daemon may already have shortened the request to the organisation's cap
  const capped = opts.cap !== undefined && opts.cap <= requested;
  const options = [...new Set([...(opts.presets ?? PRESETS).filter((s) => s < max), initial, max])].sort((a, b) => a - b);
  const select = h(
    'select',
    { id, class: 'duration' },
    ...options.map((s) =>
      h(
        'option',
        { value: String(s), selected: s === initial },
        s === requested && opts.presets === undefined && !capped ? `${describeDuration(s)} (as asked)` : describeDuration(s),
      ),
    ),
    h('option', { value: 'custom' }, 'Custom…'),
  );
  const custom = h('input', {
    type: 'number',
    min: 1,
    max: Math.floor(max / 60) || 1,
    step: 1,
    value: Math.max(1, Math.floor(max / 60 / 2)),
    'aria-label': 'Custom length in minutes',
    class: 'custom-minutes',
    hidden: true,
  });
  select.addEventListener('change', () => {
    custom.hidden = select.value !== 'custom';
    if (!custom.hidden) custom.focus();
  });
  const element = h(
    'div',
    { class: 'duration-row' },
    h('label', { for: id }, 'Duration'),
    select,
    custom,
    capped ? h('span', { class: 'org-note' }, opts.capNote ?? `At most ${describeDuration(max)}: set by your organisation`) : null,
  );
  return {
    element,
    seconds() {
      if (select.value !== 'custom') return Number(select.value);
      const minutes = Number(custom.value);
      if (!Number.isInteger(minutes) || minutes < 1 || minutes * 60 > max) return undefined;
      return minutes * 60;
    },
  };
}
