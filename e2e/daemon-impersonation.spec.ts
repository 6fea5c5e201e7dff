/**
 * Issue 8 §4: nothing on the daemon's port may impersonate the daemon. The person pairs, the daemon stops, and
 * another local program binds its port and answers everything (it even signs the identity challenge, with its
 * own key). The real extension in Chromium must send it no credential and no DPoP proof, and say plainly that
 * something else is answering; the real daemon must refuse anything the squatter captured.
 */
import { adminPath } from '#shared/admin-contract.js';
import { generateKeyPairSync, sign } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { expect, pairThroughOptions, test } from './fixtures.js';

interface Captured {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const b64 = (v: string | Buffer) => Buffer.from(v).toString('base64url');

/** A program squatting the daemon's port: records what it receives, answers 200 JSON, forges identity proofs. */
async function squat(port: number): Promise<{ seen: Captured[]; close: () => Promise<void> }> {
  const seen: Captured[] = [];
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      let answer: unknown = { grants: [], now: 0 };
      if (req.url === adminPath('identity')) {
        const { challenge, url } = JSON.parse(body || '{}') as { challenge?: string; url?: string };
        const input = `${b64(JSON.stringify({ alg: 'ES256', typ: 'mandate-identity+jwt' }))}.${b64(JSON.stringify({ challenge, origin: req.headers.origin, url, iat: Math.floor(Date.now() / 1000) }))}`;
        answer = { proof: `${input}.${b64(sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }))}` };
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  // the daemon just released the port; retry briefly until the bind succeeds
  for (let i = 0; ; i++) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
      break;
    } catch (e) {
      if (i > 50) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return {
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

test('a program squatting the daemon port gets no credential and no proof; the popup says it is not your daemon', async ({ popup, daemon, options }) => {
  await pairThroughOptions(options, daemon);
  const agent = await daemon.registerAgent('Mail helper');
  const pending = await daemon.request(agent);
  const page = await popup();
  await expect(page.getByRole('button', { name: 'Approve' })).toBeVisible();
  const port = daemon.daemon.port;

  await daemon.stop();
  const squatter = await squat(port);
  try {
    await expect(page.getByRole('alert')).toContainText(`Something else is answering on 127.0.0.1:${port} — not your Mandate daemon`, { timeout: 20_000 });
    await expect(page.getByRole('button', { name: 'Approve' })).toHaveCount(0);
    await expect(page.getByRole('status').first()).toHaveText('Not your daemon');
    // it keeps retrying (fails closed each time); give it a few rounds to leak anything it would leak
    await expect.poll(() => squatter.seen.filter((r) => r.url === adminPath('identity')).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
  } finally {
    await squatter.close();
  }

  // Everything the squatter received: identity challenges only, never a credential or a proof.
  expect(squatter.seen.length).toBeGreaterThan(0);
  for (const r of squatter.seen) {
    expect(`${r.method} ${r.url}`).toBe('POST /admin/identity');
    expect(r.headers.authorization).toBeUndefined();
    expect(r.headers.dpop).toBeUndefined();
    expect(r.body).not.toMatch(/mpc_|mcli_/);
  }

  // The real daemon comes back on its port: each captured request, replayed verbatim, gets it nothing.
  await daemon.restart();
  for (const r of squatter.seen) {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers)) if (typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k)) headers[k] = v;
    const res = await fetch(daemon.daemon.url + r.url, { method: r.method, headers, ...(r.body ? { body: r.body } : {}) });
    // an identity challenge only makes the daemon sign the squatter's own challenge; nothing else may pass
    if (r.url !== adminPath('identity')) expect(res.status).toBeGreaterThanOrEqual(400);
  }
  const stillPending = (await (await daemon.admin('GET', `/grants/${pending}`)).json()) as { status: string };
  expect(stillPending.status).toBe('pending');

  // ...and the extension recognises its own daemon again by itself.
  await expect(page.getByRole('button', { name: 'Approve' })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole('status').first()).toHaveText('Connected');
});
