/** How long the review must have been visible and focused before Continue can be pressed. */
export const ARM_AFTER_MS = 700;
const TICK_MS = 100;

/**
 * Calls `onArmed(true)` once the page has been visible and focused for ARM_AFTER_MS without a break, and
 * `onArmed(false)` whenever it stops being so (another window over it, the tab hidden). A page that
 * navigates or swaps this tab in just before a click therefore gets no Continue.
 */
export function armWhenSeen(doc: Document, onArmed: (armed: boolean) => void): () => void {
  let seenFor = 0;
  let armed = false;
  const set = (on: boolean) => {
    if (on === armed) return;
    armed = on;
    onArmed(on);
  };
  const timer = setInterval(() => {
    const seen = doc.visibilityState === 'visible' && doc.hasFocus();
    seenFor = seen ? seenFor + TICK_MS : 0;
    set(seenFor >= ARM_AFTER_MS);
  }, TICK_MS);
  const reset = () => {
    seenFor = 0;
    set(false);
  };
  doc.addEventListener('visibilitychange', reset);
  doc.defaultView?.addEventListener('blur', reset);
  return () => {
    clearInterval(timer);
    doc.removeEventListener('visibilitychange', reset);
    doc.defaultView?.removeEventListener('blur', reset);
  };
}
