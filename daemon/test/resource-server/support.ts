import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentCreated } from '#shared/admin-api.js';
import { MandateTokenError, createVerifier, type Verifier, type VerifierOptions } from '../../../kits/resource-server/index.js';
import { CAL, MAIL, basic, startTestDaemon, type TestDaemon } from '../harness.js';

export interface World {
  d: TestDaemon;
  agent: AgentCreated;
  rs: AgentCreated;
  verifiers: Verifier[];
  verifier(o?: Partial<VerifierOptions>): Verifier;
}

/** A daemon with one agent (mail + calendar) and one resource server registered for MAIL. */
export async function world(opts: { home?: string } = {}): Promise<World> {
  const d = await startTestDaemon(opts.home ? { home: opts.home } : {});
  const agent = await d.registerAgent({ resources: [MAIL, CAL], scopes: ['mail.read', 'mail.send', 'calendar.read'] });
  const rs = await d.registerAgent({ name: 'Mail API', kind: 'resource_server', resources: [MAIL] });
  const verifiers: Verifier[] = [];
  return {
    d,
    agent,
    rs,
    verifiers,
    verifier(o = {}) {
      const v = createVerifier({
        issuer: d.url,
        audience: MAIL,
        clientId: rs.client_id,
        clientSecret: rs.client_secret,
        now: d.clock,
        feedTimeoutMs: 400,
        ...o,
      });
      verifiers.push(v);
      return v;
    },
  };
}

export const rsAuth = (rs: AgentCreated) => basic(rs.client_id, rs.client_secret);

export const tempFile = (name: string) => join(mkdtempSync(join(tmpdir(), 'mandate-rs-')), name);

/** Reads SSE blocks from the feed until `until` says stop; returns them as {event, id, data}. */
export async function readFeed(
  d: TestDaemon,
  headers: Record<string, string>,
  until: (events: { event: string; id?: string; data: string }[]) => boolean,
): Promise<{ status: number; events: { event: string; id?: string; data: string }[] }> {
  const ctl = new AbortController();
  const res = await fetch(`${d.url}/revocations`, { headers, signal: ctl.signal });
  const events: { event: string; id?: string; data: string }[] = [];
  if (res.status !== 200 || !res.body) return { status: res.status, events };
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  try {
    while (!until(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let cut = buf.indexOf('\n\n');
      while (cut >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        cut = buf.indexOf('\n\n');
        const e: { event: string; id?: string; data: string } = { event: 'message', data: '' };
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) e.event = line.slice(6).trim();
          else if (line.startsWith('id:')) e.id = line.slice(3).trim();
          else if (line.startsWith('data:')) e.data = line.slice(5).trim();
        }
        if (e.data) events.push(e);
      }
    }
  } finally {
    ctl.abort();
  }
  return { status: res.status, events };
}

/** What verify() made of a token: 'accepted', or the MandateTokenError code it threw. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'accepted';
  } catch (e) {
    if (e instanceof MandateTokenError) return e.code;
    throw e;
  }
}
