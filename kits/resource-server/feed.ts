import { REVOCATIONS_PATH, feedGrantEvent, feedReadyEvent, type FeedGrantEvent } from '#shared/resource-server.js';

export interface FeedOptions {
  issuer: string;
  authorization: string;
  /** Heartbeat the daemon is asked for; silence for three of them counts as a dead connection. */
  heartbeatSeconds: number;
  fetch: typeof fetch;
  onEvent(e: FeedGrantEvent): void;
  onState(up: boolean): void;
}

export interface Feed {
  /** Sequence of the last event seen (sent as Last-Event-ID on reconnect). */
  lastEventId(): string | undefined;
  close(): void;
}

class FeedProtocolError extends Error {}

/**
 * The verifier's subscription to the daemon's revocation feed: SSE over fetch with Basic client auth, only to
 * the configured issuer. It reconnects with `Last-Event-ID`, so what ended while it was away is replayed.
 * It reports "up" only after the daemon's `ready` event, and "down" as soon as the stream breaks, goes silent
 * or carries anything that is not a well-formed event (it then drops the connection: no event is trusted).
 */
export function subscribeFeed(o: FeedOptions): Feed {
  let lastId: string | undefined;
  let closed = false;
  let abort: AbortController | undefined;
  let backoff = 100;

  const handle = (event: string, data: string, id: string | undefined): void => {
    const parsed: unknown = JSON.parse(data);
    if (event === 'grant') {
      const e = feedGrantEvent.safeParse(parsed);
      if (!e.success || id === undefined) throw new FeedProtocolError('malformed grant event');
      o.onEvent(e.data);
    } else if (event === 'ready') {
      if (!feedReadyEvent.safeParse(parsed).success) throw new FeedProtocolError('malformed ready event');
      backoff = 100;
      o.onState(true);
    } else throw new FeedProtocolError(`unknown event ${event.slice(0, 40)}`);
    if (id !== undefined) lastId = id;
  };

  async function connectOnce(): Promise<void> {
    abort = new AbortController();
    const ctl = abort;
    let watchdog: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => ctl.abort(), o.heartbeatSeconds * 3000);
    };
    arm();
    try {
      const url = new URL(REVOCATIONS_PATH, o.issuer);
      url.searchParams.set('heartbeat', String(o.heartbeatSeconds));
      const res = await o.fetch(url, {
        headers: { authorization: o.authorization, accept: 'text/event-stream', ...(lastId !== undefined ? { 'last-event-id': lastId } : {}) },
        signal: ctl.signal,
      });
      if (res.status !== 200 || !(res.headers.get('content-type') ?? '').startsWith('text/event-stream') || !res.body) {
        await res.body?.cancel();
        throw new FeedProtocolError(`feed answered ${res.status}`);
      }
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        arm();
        buf += value;
        let cut = buf.indexOf('\n\n');
        while (cut >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          cut = buf.indexOf('\n\n');
          let event = 'message';
          let data = '';
          let id: string | undefined;
          for (const line of block.split('\n')) {
            if (line.startsWith(':') || line === '') continue;
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'event') event = val;
            else if (field === 'data') data += data ? `\n${val}` : val;
            else if (field === 'id') id = val;
          }
          if (data !== '') handle(event, data, id);
        }
        if (buf.length > 64 * 1024) throw new FeedProtocolError('event too large');
      }
    } finally {
      clearTimeout(watchdog);
      ctl.abort();
    }
  }

  void (async () => {
    while (!closed) {
      try {
        await connectOnce();
      } catch {
        // down: reported below, retried with backoff
      }
      if (closed) break;
      o.onState(false);
      await new Promise((r) => setTimeout(r, backoff));
      backoff = Math.min(backoff * 2, 2000);
    }
  })();

  return {
    lastEventId: () => lastId,
    close() {
      closed = true;
      abort?.abort();
    },
  };
}
