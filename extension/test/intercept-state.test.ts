import { describe, expect, it, vi } from 'vitest';

vi.mock('../src/lib/browser.js', () => import('./support/fake-browser.js'));
const { default: browser } = await import('./support/fake-browser.js');
const { interceptState } = await import('../src/background/intercept-state.js');
const { ALLOW_RULE_BASE } = await import('../src/intercept/coarse-filter.js');

describe('allow-rule ids', () => {
  it('never repeat across tabs and frames, nor after the worker restarts', async () => {
    const ids: number[] = [];
    const first = interceptState();
    for (let tab = 1; tab <= 50; tab++) for (const frameId of [0, 3]) ids.push(await first.addAllowRule({ tabId: tab, frameId }));
    // a restarted worker reads the counter back from storage.session
    const second = interceptState();
    for (let tab = 1; tab <= 50; tab++) ids.push(await second.addAllowRule({ tabId: tab, frameId: 0 }));
    expect(new Set(ids).size).toBe(ids.length);
    expect(Math.min(...ids)).toBeGreaterThanOrEqual(ALLOW_RULE_BASE);
    expect((await second.allowRuleIds()).sort()).toEqual([...ids].sort());
  });

  it('are given back by the frame that spends them and by a closed tab', async () => {
    const s = interceptState();
    const a = await s.addAllowRule({ tabId: 101, frameId: 0 });
    const b = await s.addAllowRule({ tabId: 102, frameId: 0 });
    expect(await s.takeAllowRules({ tabId: 101, frameId: 0 })).toEqual([a]);
    expect(await s.forgetTab(102)).toEqual([b]);
  });

  it('wrap around the range without handing out one still in use', async () => {
    const live = ALLOW_RULE_BASE;
    await browser.storage.session.set({
      'mandate-intercept': { seen: {}, reviews: {}, tracked: {}, allow: { '7:0': [live] }, nextAllowRule: 999_999 },
    });
    const s = interceptState();
    expect(await s.addAllowRule({ tabId: 8, frameId: 0 })).toBe(ALLOW_RULE_BASE + 999_999);
    expect(await s.addAllowRule({ tabId: 9, frameId: 0 })).toBe(ALLOW_RULE_BASE + 1);
  });
});
