/**
 * The one Server-Sent Events frame parser (WHATWG HTML §9.2.6, the parts the daemon uses): `event`, `data`
 * (several lines joined with "\n") and `id` fields; comment lines (`: heartbeat`) ignored; a frame is dispatched
 * at a blank line. Chunks may split lines and frames anywhere; CRLF, CR and LF all end a line.
 */
export interface SseFrame {
  event: string;
  data: string;
  id?: string;
}

export function sseParser(onFrame: (frame: SseFrame) => void) {
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let id: string | undefined;

  function line(text: string): void {
    if (text === '') {
      if (data.length > 0 || event !== '') onFrame({ event: event || 'message', data: data.join('\n'), ...(id !== undefined ? { id } : {}) });
      event = '';
      data = [];
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id' && !value.includes('\0')) id = value;
  }

  return {
    /** Feeds decoded text; complete frames are dispatched synchronously. */
    feed(chunk: string): void {
      buffer += chunk;
      for (;;) {
        const m = /\r\n|\r|\n/.exec(buffer);
        // a trailing CR may be the first half of CRLF: wait for the next chunk
        if (!m || (m[0] === '\r' && m.index === buffer.length - 1)) return;
        line(buffer.slice(0, m.index));
        buffer = buffer.slice(m.index + m[0].length);
      }
    },
  };
}
