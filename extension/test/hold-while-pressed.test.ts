import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { renderAfterPress } from '../src/popup/hold-while-pressed.js';

const key = (type: 'keydown' | 'keyup', k: string) => Object.assign(new Event(type), { key: k });

describe('renderAfterPress', () => {
  let doc: EventTarget;
  let rendered: number[];
  let show: (state: number) => void;
  beforeEach(() => {
    vi.useFakeTimers();
    doc = new EventTarget();
    rendered = [];
    show = renderAfterPress((s: number) => rendered.push(s), doc);
  });
  afterEach(() => vi.useRealTimers());

  it('renders at once when nothing is pressed', () => {
    show(1);
    expect(rendered).toEqual([1]);
  });

  it('holds states during a press and renders the newest after the release, once its click has run', () => {
    doc.dispatchEvent(new Event('pointerdown'));
    show(1);
    show(2);
    expect(rendered).toEqual([]);
    doc.dispatchEvent(new Event('pointerup'));
    expect(rendered).toEqual([]); // the click comes in the same task as the release
    vi.advanceTimersByTime(0);
    expect(rendered).toEqual([2]);
    show(3);
    expect(rendered).toEqual([2, 3]);
  });

  it('a cancelled press releases too', () => {
    doc.dispatchEvent(new Event('pointerdown'));
    show(1);
    doc.dispatchEvent(new Event('pointercancel'));
    vi.advanceTimersByTime(0);
    expect(rendered).toEqual([1]);
  });

  it('a release the popup never sees holds the lists back for a second at most', () => {
    doc.dispatchEvent(new Event('pointerdown'));
    show(1);
    vi.advanceTimersByTime(999);
    expect(rendered).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(rendered).toEqual([1]);
    show(2);
    expect(rendered).toEqual([1, 2]);
  });

  it('a held Space key is a press (it clicks on release); other keys are not', () => {
    doc.dispatchEvent(key('keydown', 'a'));
    show(1);
    expect(rendered).toEqual([1]);
    doc.dispatchEvent(key('keydown', ' '));
    show(2);
    expect(rendered).toEqual([1]);
    doc.dispatchEvent(key('keyup', ' '));
    vi.advanceTimersByTime(0);
    expect(rendered).toEqual([1, 2]);
  });
});
