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
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal, searched for verbatim
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
];
