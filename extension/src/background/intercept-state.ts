import * as z from 'zod';
import { ALLOW_RULE_BASE } from '../intercept/coarse-filter.js';
import browser from '../lib/browser.js';

/**
 * What flow D remembers between events: navigations it saw, reviews open, tabs it follows, one-time allow
 * rules. Kept in storage.session (survives the worker being stopped, not the browser closing, never
 * written to disk) behind one queue, so concurrent events never lose each other's changes.
 */
const frameKey = (at: { tabId: number; frameId: number }) => `${at.tabId}:${at.frameId}`;

const seen = z.object({ url: z.string(), at: z.number() });
const review = z.object({ tabId: z.number(), frameId: z.number(), url: z.string(), via: z.enum(['get', 'post']), at: z.number() });
const tracked = z.object({
  externalId: z.string(),
  /** Where the provider sends the person back; null when the request did not say (hidden). */
  redirectUri: z.string().nullable(),
  /** Origin of the provider's authorization endpoint. */
  provider: z.string(),
  clientId: z.string(),
  allowedScope: z.array(z.string()),
  since: z.number(),
});
const stateSchema = z.object({
  seen: z.record(z.string(), seen),
  reviews: z.record(z.string(), review),
  tracked: z.record(z.string(), tracked),
  allow: z.record(z.string(), z.array(z.number())),
  /** The next allow-rule id to hand out (offset from ALLOW_RULE_BASE): a counter, so no two tabs ever share one. */
  nextAllowRule: z.number().int().nonnegative().default(0),
});

export type Review = z.infer<typeof review>;
export type Tracked = z.infer<typeof tracked>;
type State = z.infer<typeof stateSchema>;

const KEY = 'mandate-intercept';
/** A navigation not picked up by its review page within this time is forgotten. */
const SEEN_FOR_MS = 60_000;
/** An open review (the person reading) lasts this long. */
const REVIEW_FOR_MS = 60 * 60 * 1000;
/** A tab is followed this long for the redirect back. */
const TRACK_FOR_MS = 30 * 60 * 1000;

const empty = (): State => ({ seen: {}, reviews: {}, tracked: {}, allow: {}, nextAllowRule: 0 });
/** Session rule ids from ALLOW_RULE_BASE on are allow rules; the counter wraps within this many. */
const ALLOW_RULE_RANGE = 1_000_000;

export function interceptState() {
  let queue: Promise<unknown> = Promise.resolve();
  let cache: State | undefined;

  async function load(): Promise<State> {
    if (cache) return cache;
    const parsed = stateSchema.safeParse((await browser.storage.session.get(KEY))[KEY]);
    cache = parsed.success ? parsed.data : empty();
    return cache;
  }

  function prune(s: State, now: number): void {
    for (const [k, v] of Object.entries(s.seen)) if (now - v.at > SEEN_FOR_MS) delete s.seen[k];
    for (const [k, v] of Object.entries(s.reviews)) if (now - v.at > REVIEW_FOR_MS) delete s.reviews[k];
    for (const [k, v] of Object.entries(s.tracked)) if (now - v.since > TRACK_FOR_MS) delete s.tracked[k];
  }

  /** Runs one read-modify-write after every earlier one. */
  function update<T>(change: (s: State) => T): Promise<T> {
    const run = queue.then(async () => {
      const s = await load();
      prune(s, Date.now());
      const result = change(s);
      await browser.storage.session.set({ [KEY]: s });
      return result;
    });
    queue = run.catch(() => undefined);
    return run;
  }

  const read = <T>(pick: (s: State) => T): Promise<T> => update(pick);

  return {
    noteSeen: (at: { tabId: number; frameId: number }, url: string) =>
      update((s) => {
        s.seen[frameKey(at)] = { url, at: Date.now() };
      }),
    /** The navigation this frame's review page stands in for (taken once). */
    takeSeen: (at: { tabId: number; frameId: number }) =>
      update((s) => {
        const v = s.seen[frameKey(at)];
        delete s.seen[frameKey(at)];
        return v;
      }),
    addReview: (r: Omit<Review, 'at'>) =>
      update((s) => {
        const id = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
        s.reviews[id] = { ...r, at: Date.now() };
        return id;
      }),
    review: (id: string) => read((s) => (Object.hasOwn(s.reviews, id) ? s.reviews[id] : undefined)),
    dropReview: (id: string) =>
      update((s) => {
        delete s.reviews[id];
      }),
    track: (tabId: number, t: Tracked) =>
      update((s) => {
        s.tracked[String(tabId)] = t;
      }),
    tracked: (tabId: number) => read((s) => s.tracked[String(tabId)]),
    untrack: (tabId: number) =>
      update((s) => {
        delete s.tracked[String(tabId)];
      }),
    /** A fresh allow-rule id for this frame, recorded as its own: never one another frame or tab holds. */
    addAllowRule: (at: { tabId: number; frameId: number }) =>
      update((s) => {
        const live = new Set(Object.values(s.allow).flat());
        let id: number;
        do {
          id = ALLOW_RULE_BASE + (s.nextAllowRule % ALLOW_RULE_RANGE);
          s.nextAllowRule = (s.nextAllowRule + 1) % ALLOW_RULE_RANGE;
        } while (live.has(id));
        const key = frameKey(at);
        s.allow[key] = [...(s.allow[key] ?? []), id];
        return id;
      }),
    /** The allow rules of a frame that has just committed a load: spent. */
    takeAllowRules: (at: { tabId: number; frameId: number }) =>
      update((s) => {
        const ids = s.allow[frameKey(at)] ?? [];
        delete s.allow[frameKey(at)];
        return ids;
      }),
    allowRuleIds: () => read((s) => Object.values(s.allow).flat()),
    /** A tab closed: forget it, and return its allow rules to remove. */
    forgetTab: (tabId: number) =>
      update((s) => {
        const prefix = `${tabId}:`;
        const ids: number[] = [];
        for (const k of Object.keys(s.allow)) {
          if (!k.startsWith(prefix)) continue;
          ids.push(...s.allow[k]!);
          delete s.allow[k];
        }
        for (const k of Object.keys(s.seen)) if (k.startsWith(prefix)) delete s.seen[k];
        for (const [k, v] of Object.entries(s.reviews)) if (v.tabId === tabId) delete s.reviews[k];
        delete s.tracked[String(tabId)];
        return ids;
      }),
  };
}
