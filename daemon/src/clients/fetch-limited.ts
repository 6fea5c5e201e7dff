import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/**
 * Where a client metadata document may never be fetched from: loopback, private, link-local, CGNAT, multicast,
 * reserved. Built at the first check, not when the daemon starts: Node's BlockList loads three internal modules
 * (bench/README.md, "Off the start path").
 */
let privateNets: BlockList | undefined;
function privateNetworks(): BlockList {
  if (privateNets) return privateNets;
  const nets = new BlockList();
  for (const [net, bits] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['224.0.0.0', 3],
  ] as const)
    nets.addSubnet(net, bits, 'ipv4');
  for (const [net, bits] of [
    ['::', 127],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
    ['64:ff9b::', 96],
  ] as const)
    nets.addSubnet(net, bits, 'ipv6');
  privateNets = nets;
  return nets;
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return privateNetworks().check(address, 'ipv4');
  if (family !== 6) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return privateNetworks().check(mapped[1]!, 'ipv4');
  return privateNetworks().check(address, 'ipv6');
}

export class FetchRefused extends Error {
  override name = 'FetchRefused';
}

export interface FetchLimits {
  maxBytes: number;
  timeoutMs: number;
  /** Tests only: http on a loopback literal is allowed (never https to a private address, never a redirect). */
  allowHttpLoopback: boolean;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** DNS lookup that refuses private answers, so the connection goes only to the public address that was checked. */
function publicLookup(hostname: string, options: object, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options }, (err, address: string | LookupAddress[], family?: number) => {
    if (err) return callback(err, address, family);
    const all = Array.isArray(address) ? address.map((a) => a.address) : [address];
    if (all.length === 0 || all.some(isPrivateAddress)) {
      return callback(Object.assign(new Error(`${hostname} resolves to a private address`), { code: 'EPRIVATE' }), address, family);
    }
    callback(null, address, family);
  });
}

/**
 * GET a small JSON document from the public internet: https only, no redirects, bounded in size and time,
 * never to a private address (checked on the address actually connected to). Resolves to the parsed body.
 */
export async function fetchPublicJson(url: URL, limits: FetchLimits): Promise<unknown> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopbackTest = limits.allowHttpLoopback && url.protocol === 'http:' && (host === '127.0.0.1' || host === '::1');
  if (!loopbackTest) {
    if (url.protocol !== 'https:') throw new FetchRefused('the document must be served over https');
    if (isIP(host) !== 0 && isPrivateAddress(host)) throw new FetchRefused(`${host} is a private address`);
    if (host === 'localhost' || host.endsWith('.localhost')) throw new FetchRefused(`${host} is a private address`);
  }
  // node:https, and TLS with it, loads with the first https fetch rather than with the daemon, whose start never needs
  // it; with process.getBuiltinModule, as the bundle's vm.Script has no dynamic import (scripts/bundle-daemon.ts)
  const send = url.protocol === 'https:' ? process.getBuiltinModule('node:https').request : httpRequest;
  return new Promise((resolve, reject) => {
    const done = (e: Error | undefined, v?: unknown) => {
      clearTimeout(timer);
      req.destroy();
      if (e) reject(e);
      else resolve(v);
    };
    const onResponse = (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) return done(new FetchRefused(`the document URL answered with a redirect (${status}); redirects are not followed`));
      if (status !== 200) return done(new FetchRefused(`the document URL answered ${status}`));
      const type = (res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/json') return done(new FetchRefused(`the document must be application/json, not "${type.slice(0, 60)}"`));
      const declared = Number(res.headers['content-length'] ?? '0');
      if (declared > limits.maxBytes) return done(new FetchRefused(`the document is larger than ${limits.maxBytes} bytes`));
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limits.maxBytes) done(new FetchRefused(`the document is larger than ${limits.maxBytes} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => {
        try {
          done(undefined, JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
        } catch {
          done(new FetchRefused('the document is not valid JSON'));
        }
      });
      res.on('error', (e) => done(new FetchRefused(`reading the document failed: ${e.message}`)));
    };
    const options = { method: 'GET', headers: { accept: 'application/json' }, agent: false as const, ...(loopbackTest ? {} : { lookup: publicLookup }) };
    const req = send(url, options, onResponse);
    const timer = setTimeout(() => done(new FetchRefused(`the document did not arrive within ${limits.timeoutMs} ms`)), limits.timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) =>
      done(new FetchRefused(e.code === 'EPRIVATE' ? e.message : `fetching the document failed: ${e.code ?? e.message}`)),
    );
    req.end();
  });
}
