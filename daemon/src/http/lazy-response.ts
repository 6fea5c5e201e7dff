/**
 * A web `Response` that becomes Node's own only when something needs it to.
 *
 * Why: Node 20 implements `Response`, `Request`, `Headers` and `fetch` in one large bundled module (undici), loaded
 * the first time any of those globals is touched. Loading it also loads TLS, HTTP/2, zlib, worker threads and web
 * streams: about a third of bare Node's own start, and 6 MB of RSS (bench/README.md, "Cold start without Node's
 * fetch"). Hono builds every answer with `new Response(body, init)`, so serving one request would load it.
 * `installLazyResponse` makes the global `Response` this class: it keeps `body` and `init` as given, and the
 * daemon's listener (node-listener.ts) writes them to Node's response as they are. Anything else a caller asks of it
 * (its `headers`, its body as a stream, `json()`, `clone()`) makes the real `Response` from the same arguments and
 * answers from that, so it behaves as a `Response` for every caller; only the first such question pays the load.
 *
 * @hono/node-server replaces the global `Response` with a class of its own for the same reason, but that class
 * extends Node's, which loads undici as soon as the adapter is imported.
 */

type ResponseClass = typeof Response;
/** The web body and header types, as Node's `Response` takes them (@types/node declares them inside undici-types). */
type BodyInit = NonNullable<ConstructorParameters<ResponseClass>[0]>;
type HeadersInit = NonNullable<ResponseInit['headers']>;

let nodeResponseClass: ResponseClass | undefined;
/** The getter Node defined for the global `Response` (it loads undici on first use), kept by `installLazyResponse`. */
let nodeResponseGetter: (() => unknown) | undefined;

/** Node's own `Response` class (loading undici if nothing has yet). */
function nodeResponse(): ResponseClass {
  if (nodeResponseClass !== undefined) return nodeResponseClass;
  if (nodeResponseGetter === undefined) throw new Error('installLazyResponse() has not run');
  const found = nodeResponseGetter.call(globalThis);
  // Node's getter redefines the global as its class; the daemon's global stays LazyResponse
  Object.defineProperty(globalThis, 'Response', { value: LazyResponse, writable: true, configurable: true, enumerable: false });
  if (typeof found !== 'function' || found === LazyResponse) throw new Error('the global Response was not a class');
  return adopt(found as ResponseClass);
}

/** Makes `real` the class a LazyResponse becomes, and puts it under LazyResponse, so one is an instance of both. */
function adopt(real: ResponseClass): ResponseClass {
  nodeResponseClass = real;
  Object.setPrototypeOf(LazyResponse.prototype, real.prototype);
  return real;
}

/** Statuses a `Response` may not carry a body with (Fetch standard, "null body status"). */
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/** A response's parts, as node-listener.ts writes them. */
export interface ResponseParts {
  status: number;
  statusText: string;
  headers: HeadersInit | undefined;
  body: BodyInit | null;
}

export class LazyResponse implements Response {
  readonly #body: BodyInit | null;
  readonly #init: ResponseInit | undefined;
  #real: Response | undefined;

  constructor(body?: BodyInit | null, init?: ResponseInit) {
    const status = init?.status ?? 200;
    // the checks Node's constructor makes, so a bad answer fails where it is made, as it would without this class
    if (!Number.isInteger(status) || status < 200 || status > 599) throw new RangeError(`init["status"] must be in the range of 200 to 599, inclusive.`);
    if (body != null && NULL_BODY_STATUS.has(status)) throw new TypeError(`Response constructor: Invalid response status code ${status}`);
    this.#body = body ?? null;
    this.#init = init;
  }

  /**
   * What the listener writes: the status and headers as given, or the real response's once one was made (a caller
   * may have changed its headers), and the body as given unless a caller has started reading the real one.
   */
  get parts(): ResponseParts {
    const real = this.#real;
    if (real === undefined) return { status: this.status, statusText: this.statusText, headers: this.#init?.headers, body: this.#body };
    const read = real.bodyUsed || real.body?.locked === true;
    return { status: real.status, statusText: real.statusText, headers: real.headers, body: read ? real.body : this.#body };
  }

  /** Node's `Response` for the same arguments, made on first need. */
  #realized(): Response {
    this.#real ??= new (nodeResponse())(this.#body, this.#init);
    return this.#real;
  }

  get status(): number {
    return this.#real?.status ?? this.#init?.status ?? 200;
  }
  get ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }
  get statusText(): string {
    return this.#real?.statusText ?? this.#init?.statusText ?? '';
  }
  get headers(): Headers {
    return this.#realized().headers;
  }
  get type(): Response['type'] {
    return this.#realized().type;
  }
  get url(): string {
    return this.#realized().url;
  }
  get redirected(): boolean {
    return this.#realized().redirected;
  }
  get body(): Response['body'] {
    return this.#realized().body;
  }
  get bodyUsed(): boolean {
    return this.#real?.bodyUsed ?? false;
  }
  clone(): Response {
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

  /** Whether `value` is a LazyResponse itself (`instanceof` also says yes for Node's responses). */
  static is(value: unknown): value is LazyResponse {
    return typeof value === 'object' && value !== null && #body in value;
  }

  get [Symbol.toStringTag](): string {
    return 'Response';
  }

  /**
   * `x instanceof Response`, with the global being this class, holds for Node's own responses too (what `fetch`
   * resolves with, in a process that also fetches): code that checks the global, as OAuth client libraries do, must
   * see them as responses.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    if (LazyResponse.is(value)) return true;
    return Object.prototype.toString.call(value) === '[object Response]' && value instanceof nodeResponse(); // Node's class is loaded if one exists
  }

  static error(): Response {
    return nodeResponse().error();
  }
  static json(data: unknown, init?: ResponseInit): Response {
    return nodeResponse().json(data, init);
  }
  static redirect(url: string | URL, status: Parameters<ResponseClass['redirect']>[1] = 302): Response {
    return nodeResponse().redirect(url, status);
  }
}

/**
 * Makes `LazyResponse` the global `Response`, keeping Node's own for when it is needed. Idempotent. When the global
 * is already a loaded class (a test process that used fetch first), that class is the one made on need. A later call,
 * after something else replaced the global (a test process serving another app with @hono/node-server, whose class
 * then extends this one), puts this class back and keeps the class the first call found.
 */
export function installLazyResponse(): void {
  const own = Object.getOwnPropertyDescriptor(globalThis, 'Response'); // read as a descriptor: reading the global would load undici
  if (own?.value === LazyResponse) return;
  if (nodeResponseGetter === undefined && nodeResponseClass === undefined) {
    if (own?.get !== undefined) nodeResponseGetter = own.get;
    else if (typeof own?.value === 'function') adopt(own.value as ResponseClass);
    else throw new Error('this Node has no global Response');
  }
  Object.defineProperty(globalThis, 'Response', { value: LazyResponse, writable: true, configurable: true, enumerable: false });
}
