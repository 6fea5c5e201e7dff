import { h } from '../ui/dom.js';

const FIRST_SCREEN = 20;
const MORE = 30;

/**
 * Fills `list` with the first screenful of `items` at once and builds the rest only as the person scrolls
 * towards the end (a sentinel row observed with an IntersectionObserver). A popup with a thousand
 * delegations then builds about twenty cards when it opens, not a thousand. `stale()` stops an old list
 * from growing after a newer render replaced it.
 */
export function lazyList<T>(list: HTMLElement, items: readonly T[], make: (item: T, index: number) => HTMLElement, stale: () => boolean): void {
  let next = 0;
  const sentinel = h('li', { class: 'more', 'aria-hidden': 'true' });
  const add = (n: number) => {
    const frag = document.createDocumentFragment();
    for (let i = next; i < Math.min(items.length, next + n); i++) frag.appendChild(make(items[i]!, i));
    next = Math.min(items.length, next + n);
    list.insertBefore(frag, sentinel.isConnected ? sentinel : null);
  };
  add(FIRST_SCREEN);
  if (next >= items.length) return;
  list.appendChild(sentinel);
  const observer = new IntersectionObserver(
    (entries) => {
      if (stale()) return observer.disconnect();
      if (!entries.some((e) => e.isIntersecting)) return;
      add(MORE);
      if (next >= items.length) {
        observer.disconnect();
        sentinel.remove();
      } else {
        // still in view after growing (a tall window): ask again
        observer.unobserve(sentinel);
        observer.observe(sentinel);
      }
    },
    { rootMargin: '400px 0px' },
  );
  observer.observe(sentinel);
}
