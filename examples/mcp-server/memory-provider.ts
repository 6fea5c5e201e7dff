/**
 * A standard in-memory OAuthClientProvider (the shape of the SDK's own example), usable with both
 * `@modelcontextprotocol/sdk` 1.32 and `@modelcontextprotocol/client` 2.x. `openBrowser` is whatever shows the
 * person the authorization URL: a real browser tab in the e2e tests, a plain fetch in the daemon tests.
 */
export interface StoredTokens {
  access_token: string;
  token_type: string;
  refresh_token?: string | undefined;
  issuer?: string | undefined;
}

export class MemoryProvider {
  client: { client_id: string; client_secret?: string | undefined } | undefined;
  saved: StoredTokens | undefined;
  verifier = '';
  authorizations = 0;
  readonly clientMetadata: {
    client_name: string;
    redirect_uris: string[];
    grant_types: string[];
    response_types: string[];
    token_endpoint_auth_method: string;
  };

  constructor(
    readonly redirectUrl: string,
    private readonly openBrowser: (url: URL) => Promise<void>,
    clientName = 'SDK test client',
  ) {
    this.clientMetadata = {
      client_name: clientName,
      redirect_uris: [redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation() {
    return this.client;
  }
  saveClientInformation(info: { client_id: string; client_secret?: string | undefined }) {
    this.client = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(t: StoredTokens) {
    this.saved = t;
  }
  async redirectToAuthorization(url: URL) {
    this.authorizations++;
    await this.openBrowser(url);
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier() {
    return this.verifier;
  }
  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery') {
    if (scope === 'all' || scope === 'tokens') this.saved = undefined;
    if (scope === 'all' || scope === 'client') this.client = undefined;
  }
}
