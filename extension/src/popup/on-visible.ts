/**
 * Runs a callback the first time an element comes near the popup's viewport. One observer for the whole
 * popup: with a thousand cards, per-card work that only matters on screen (asking the daemon for a card's
 * last tool call) is done for the cards a person can see, not for all of them at open.
 */
const pending = new Map<Element, () => void>();
let observer: IntersectionObserver | undefined;

export function onFirstVisible(el: Element, run: () => void): void {
  observer ??= new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        observer?.unobserve(e.target);
        const f = pending.get(e.target);
        pending.delete(e.target);
        f?.();
      }
    },
    { rootMargin: '200px 0px' },
  );
  pending.set(el, run);
  observer.observe(el);
}

/** Stops watching elements a re-render removed, so an open popup does not hold on to old cards. */
export function forgetDetached(): void {
  for (const el of pending.keys()) {
    if (el.isConnected) continue;
    observer?.unobserve(el);
    pending.delete(el);
  }
}
