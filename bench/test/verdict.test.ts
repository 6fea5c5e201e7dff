/** The goal verdicts bench/http.ts and bench/scale.ts print (bench/verdict.ts). */
import { describe, expect, it } from 'vitest';
import { atLeastVerdict, atMostVerdict } from '../verdict.js';

describe('atLeastVerdict (a ratio goal)', () => {
  it('says met when the ratio reaches the goal, whatever the bounds', () => {
    expect(atLeastVerdict(3, 3, [{ label: '+auth', value: 2.5 }])).toBe('goal ≥ 3× met');
    expect(atLeastVerdict(0.6, 0.71, [])).toBe('goal ≥ 0.6× met');
  });

  it('says it cannot be met here when the best bound is under the goal', () => {
    expect(atLeastVerdict(2, 1.04, [{ label: '+checks', value: 1.47 }])).toBe('goal ≥ 2× NOT met: cannot be here, the +checks ceiling reaches 1.47×');
  });

  it('takes the best of several bounds, so one design under the goal does not hide another above it', () => {
    const bounds = [
      { label: '+auth', value: 2.94 },
      { label: 'in memory', value: 3.31 },
    ];
    expect(atLeastVerdict(3, 2.58, bounds)).toBe('goal ≥ 3× NOT met, and the in memory ceiling reaches 3.31×: room left');
    expect(atLeastVerdict(3, 2.58, bounds.toReversed())).toBe('goal ≥ 3× NOT met, and the in memory ceiling reaches 3.31×: room left');
  });

  it('says only NOT met without a usable bound', () => {
    expect(atLeastVerdict(2, 1, [])).toBe('goal ≥ 2× NOT met');
    expect(atLeastVerdict(2, 1, [{ label: '+checks', value: Number.NaN }])).toBe('goal ≥ 2× NOT met');
  });
});

describe('atMostVerdict (a latency or start-up goal)', () => {
  it('says met at or under the goal', () => {
    expect(atMostVerdict('p99', 5, 'ms', 5, [{ label: 'x', value: 9 }])).toBe('p99 ≤ 5 ms met');
  });

  it('says it cannot be met here when the lowest bound is over the goal', () => {
    const hello = [{ label: 'a Hono "hello" at the same rate', value: 6.1 }];
    expect(atMostVerdict('p99', 5, 'ms', 7.1, hello)).toBe('p99 ≤ 5 ms NOT met: cannot be here, a Hono "hello" at the same rate takes 6.1 ms');
  });

  it('says there is room when a bound is under the goal', () => {
    const bounds = [
      { label: 'the ceiling', value: 160 },
      { label: 'a lighter ceiling', value: 120 },
    ];
    expect(atMostVerdict('cold start', 150, 'ms', 210.4, bounds)).toBe('cold start ≤ 150 ms NOT met, and a lighter ceiling takes 120.0 ms: room left');
  });
});
