/**
 * A tiny element builder. Text is only ever set as text nodes, never parsed as HTML, so names, task
 * texts and scopes from agents, pages or the daemon show literally.
 */
type Child = Node | string | number | null | undefined | false;
type Handler = (event: Event) => void;
export type Props = {
  class?: string;
  text?: never;
  on?: Partial<Record<keyof HTMLElementEventMap, Handler>>;
} & Record<string, string | number | boolean | undefined | Partial<Record<keyof HTMLElementEventMap, Handler>>>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'on') {
      for (const [event, handler] of Object.entries(value as Record<string, Handler>)) el.addEventListener(event, handler);
    } else if (key === 'class') el.className = String(value);
    else if (value === true) el.setAttribute(key, '');
    else if (value !== false && value !== undefined) el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

export function $(selector: string): HTMLElement {
  const el = document.querySelector<HTMLElement>(selector);
  if (!el) throw new TypeError(`missing ${selector}`);
  return el;
}
