/** How long a press may hold the popup's lists back at most: a release the popup never sees must not freeze them. */
const LONGEST_PRESS_MS = 1000;

/**
 * Wraps the popup's render so that no rebuild happens while the person is pressing a control. A rebuild between
 * press and release moves or replaces the element under the pointer, and the browser then sends the click to
 * neither (Chromium and Firefox drop a click whose pressed element left the document): an Approve or Revoke
 * pressed just as another request arrives would do nothing. The newest state waits, and is rendered once the
 * press ends, after its click has run; or after LONGEST_PRESS_MS. A held Space key (which clicks on release)
 * counts as a press too.
 */
export function renderAfterPress<S>(render: (state: S) => void, doc: EventTarget = document): (state: S) => void {
  let pressed = false;
  let held: { state: S } | undefined;
  let longest: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    pressed = false;
    clearTimeout(longest);
    const waiting = held;
    held = undefined;
    if (waiting) render(waiting.state);
  };
  const press = () => {
    pressed = true;
    clearTimeout(longest);
    longest = setTimeout(flush, LONGEST_PRESS_MS);
  };
  // after the release's click, which the browser dispatches in the same task
  const release = () => {
    if (pressed) setTimeout(flush, 0);
  };
  doc.addEventListener('pointerdown', press, true);
  doc.addEventListener('pointerup', release, true);
  doc.addEventListener('pointercancel', release, true);
  const space = (e: Event) => 'key' in e && e.key === ' ';
  doc.addEventListener('keydown', (e) => space(e) && press(), true);
  doc.addEventListener('keyup', (e) => space(e) && release(), true);
  return (state) => {
    if (pressed) held = { state };
    else render(state);
  };
}
