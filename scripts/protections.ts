/** One entry per protection: where it lives, how to remove it, and the tests that must then fail. */
export interface Protection {
  name: string;
  file: string;
  find: string;
  replace: string;
  tests: string[];
}

const BYPASS = ['extension/test/interception-bypass.test.ts'];

export const PROTECTIONS: Protection[] = [
  {
    name: 'interception: encoded parameter names are caught by the network rules',
    file: 'extension/src/intercept/coarse-filter.ts',
    find: 'const FRAME_JS = [new RegExp(CLIENT_ID_RE), new RegExp(ENCODED_NAME_RE)];',
    replace: 'const FRAME_JS = [new RegExp(CLIENT_ID_RE)];',
    tests: BYPASS,
  },
  {
    name: 'interception: redirect paths are compared decoded',
    file: 'extension/src/intercept/platforms.ts',
    find: 'return [...new Set([url.pathname, decodedPath(url.pathname)])];',
    replace: 'return [url.pathname];',
    tests: BYPASS,
  },
  {
    name: 'interception: a trailing dot names the same host',
    file: 'extension/src/intercept/platforms.ts',
    find: ".replace(/\\.(?=:|$)/, '')",
    replace: '',
    tests: BYPASS,
  },
  {
    name: 'interception: any loopback redirect is a local agent',
    file: 'extension/src/intercept/platforms.ts',
    find: 'if (isLoopbackHost(redirectUri.hostname)) return',
    replace: 'if (false) return',
    tests: BYPASS,
  },
  {
    name: 'interception: private-use schemes are a local agent',
    file: 'extension/src/intercept/platforms.ts',
    find: 'if (!web) return { id: LOCAL.id',
    replace: 'if (!web) return undefined; if (false) return { id: LOCAL.id',
    tests: BYPASS,
  },
  {
    name: 'interception: a request without redirect_uri is hidden, not passed',
    file: 'extension/src/intercept/authorization-request.ts',
    find: "    hidden = 'no-redirect';",
    replace: "    return { kind: 'not-agent-oauth', reason: 'no redirect' };",
    tests: BYPASS,
  },
  {
    name: 'interception: PAR request_uri is hidden, not passed',
    file: 'extension/src/intercept/authorization-request.ts',
    find: "hidden = /^urn:ietf:params:oauth:request_uri:/i.test(query.get('request_uri')!) ? 'pushed' : 'request-object-by-reference';",
    replace: "return { kind: 'not-agent-oauth', reason: 'par' };",
    tests: BYPASS,
  },
  {
    name: 'interception: a signed request object is read instead of the query',
    file: 'extension/src/intercept/authorization-request.ts',
    find: '      params = objectParams(object.claims);',
    replace: '',
    tests: BYPASS,
  },
  {
    name: 'interception: sign-in only means standard parameters only',
    file: 'extension/src/intercept/authorization-request.ts',
    find: '&& r.parameters.every((p) => SIGN_IN_PARAMS.has(p))',
    replace: '',
    tests: BYPASS,
  },
  {
    name: 'interception: the one-time allow rule has no urlFilter wildcards',
    file: 'extension/src/intercept/coarse-filter.ts',
    find: 'return url.replace(FILTER_SPECIAL, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);',
    replace: 'return url;',
    tests: BYPASS,
  },
  {
    name: 'interception: the shipped ruleset is the generated one',
    file: 'extension/src/intercept/coarse-filter.ts',
    find: "domainType: 'thirdParty' as const, resourceTypes: [...SUBRESOURCES] },",
    replace: 'resourceTypes: [...SUBRESOURCES] },',
    tests: BYPASS,
  },
  {
    name: 'admin auth: a DPoP proof jti is accepted once',
    file: 'daemon/src/http/dpop.ts',
    find: 'if (!remember(`${check.credentialId}\\u0000${jti}`, iat + DPOP_WINDOW_SECONDS + 1, now)) throw',
    replace: 'if (false) throw',
    tests: ['daemon/test/conformance/extension-credential.test.ts'],
  },
  {
    name: 'pairing: each attempt is counted before its body is read',
    file: 'daemon/src/pairing/routes.ts',
    find: "      limiter.fail('pair');\n      const body = await readJson(c, pairRequest);",
    replace: "      const body = await readJson(c, pairRequest);\n      await new Promise((r) => setTimeout(r, 0));\n      limiter.fail('pair');",
    tests: ['daemon/test/conformance/pairing.test.ts'],
  },
  {
    name: 'audit: the chain is keyed (HMAC), not a plain hash anyone can recompute',
    file: 'daemon/src/audit/chain.ts',
    find: "  return createHmac('sha256', key)\n    .update(`mandate.audit.row\\n${prevMac}${canonicalJson(body)}`, 'utf8')\n    .digest('hex');",
    replace: '  return legacyHash(prevMac, body);',
    tests: ['daemon/test/conformance/audit-tamper.test.ts'],
  },
  {
    name: 'audit: truncation is detected against the head record',
    file: 'daemon/src/audit/verify.ts',
    find: '  } else if (head.last_id > lastId) {',
    replace: '  } else if (false) {',
    tests: ['daemon/test/conformance/audit-tamper.test.ts'],
  },
  {
    name: 'text policy: hidden characters are refused',
    file: 'shared/src/text.ts',
    find: "    if (p.kind === 'hidden') return `contains ${hex(p.cp)}, an invisible, control or direction character`;",
    replace: '',
    tests: ['daemon/test/conformance/hidden-text.test.ts'],
  },
  {
    name: 'release: build-time update URLs are https (http only on loopback)',
    file: 'scripts/package/update-urls.ts',
    find: "if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {",
    replace: 'if (false) {',
    tests: ['scripts/package/test/package.test.ts'],
  },
  {
    name: 'release: the Chrome Web Store zip carries no manifest key or update_url',
    file: 'scripts/package/release.ts',
    find: "withManifest(entries, without(manifest, 'key', 'update_url'))",
    replace: 'entries',
    tests: ['scripts/package/test/package.test.ts'],
  },
];
