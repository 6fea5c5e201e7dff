import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

/**
 * The web `Request` the daemon's listener (node-listener.ts) hands the app for a Node request: its method and URL
 * as plain strings, which is all routing reads. Its `headers` are built from the raw header list when first asked
 * for (routes read single headers with incoming.ts `requestHeader`, without them), and anything else (the body as a
 * stream, `json()`, `clone()`, `mode`...) makes Node's own `Request` from the same request and answers from that.
 * Making either loads Node's fetch implementation (lazy-response.ts says why that matters), so a request that needs
 * neither never does. `signal` aborts when the client closes the connection before the answer is written.
 */
export class NodeRequest implements Request {
  readonly method: string;
  readonly url: string;
  readonly #incoming: IncomingMessage;
  readonly #outgoing: ServerResponse;
  #headers: Headers | undefined;
  #abort: AbortController | undefined;
  #real: Request | undefined;

  constructor(incoming: IncomingMessage, outgoing: ServerResponse, url: string) {
    this.method = incoming.method ?? 'GET';
    this.url = url;
    this.#incoming = incoming;
    this.#outgoing = outgoing;
  }

  get headers(): Headers {
    if (this.#headers === undefined) {
      const headers = new Headers();
      const raw = this.#incoming.rawHeaders;
      for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
      this.#headers = headers;
    }
    return this.#headers;
  }

  get signal(): AbortSignal {
    if (this.#abort === undefined) {
      const abort = new AbortController();
      const outgoing = this.#outgoing;
      if (outgoing.destroyed && !outgoing.writableFinished) abort.abort(new Error('the client closed the connection'));
      else
        outgoing.once('close', () => {
          if (!outgoing.writableFinished) abort.abort(new Error('the client closed the connection'));
        });
      this.#abort = abort;
    }
    return this.#abort.signal;
  }

  /** Node's `Request` for this request, its body streamed from the Node request, made on first need. */
  #realized(): Request {
    if (this.#real === undefined) {
      // `duplex` is Node's (a streamed body needs it); the DOM's typings do not have it
      const init: RequestInit & { duplex?: 'half' } = { method: this.method, headers: this.headers, signal: this.signal };
      if (this.method !== 'GET' && this.method !== 'HEAD') {
        // node:stream/web's ReadableStream is the global one at run time; the two typings differ
        init.body = Readable.toWeb(this.#incoming) as unknown as NonNullable<RequestInit['body']>;
        init.duplex = 'half';
      }
      this.#real = new Request(this.url, init);
    }
    return this.#real;
  }

  get body(): Request['body'] {
    return this.#realized().body;
  }
  get bodyUsed(): boolean {
    return this.#real?.bodyUsed ?? false;
  }
  get cache(): Request['cache'] {
    return this.#realized().cache;
  }
  get credentials(): Request['credentials'] {
    return this.#realized().credentials;
  }
  get destination(): Request['destination'] {
    return this.#realized().destination;
  }
  get integrity(): string {
    return this.#realized().integrity;
  }
  get mode(): Request['mode'] {
    return this.#realized().mode;
  }
  get redirect(): Request['redirect'] {
    return this.#realized().redirect;
  }
  get referrer(): string {
    return this.#realized().referrer;
  }
  get referrerPolicy(): Request['referrerPolicy'] {
    return this.#realized().referrerPolicy;
  }
  get keepalive(): boolean {
    return this.#realized().keepalive;
  }
  /** Node's `Request` has only this value (undici's typings declare it; the DOM's do not). */
  get duplex(): 'half' {
    return 'half';
  }
  clone(): Request {
    return this.#realized().clone();
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#realized().arrayBuffer();
  }
  blob(): Promise<Blob> {
    return this.#realized().blob();
  }
  /** The DOM's typings declare it; undici's (for Node 20) do not, so it is made from `arrayBuffer`. */
  async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await this.arrayBuffer());
  }
  formData(): Promise<FormData> {
    return this.#realized().formData();
  }
  json(): Promise<unknown> {
    return this.#realized().json();
  }
  text(): Promise<string> {
    return this.#realized().text();
  }
}
