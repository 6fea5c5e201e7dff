/**
 * The reference authorization server for bench/http.ts: node-oidc-provider 9 in its own process, configured
 * like a production token service — `client_credentials` issuing ES256 JWT access tokens for a resource
 * (RFC 9068), opaque tokens without one, and RFC 7662 introspection. Prints `{"url": …}` once listening.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';
import { PEER_CLIENT, PEER_RESOURCE } from './oidc-provider-client.js';

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'bench', alg: 'ES256', use: 'sig' };

const server = createServer();
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      ...PEER_CLIENT,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: 'api.read api.write',
      id_token_signed_response_alg: 'ES256',
    },
  ],
  scopes: ['api.read', 'api.write'],
  jwks: { keys: [jwk] },
  features: {
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    devInteractions: { enabled: false },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => undefined,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, resource) => {
        if (resource !== PEER_RESOURCE) throw new Error('unknown resource');
        return { scope: 'api.read api.write', audience: PEER_RESOURCE, accessTokenFormat: 'jwt', accessTokenTTL: 300, jwt: { sign: { alg: 'ES256' } } };
      },
    },
  },
});
provider.proxy = false;
server.on('request', provider.callback());
process.stdout.write(`${JSON.stringify({ url: issuer })}\n`);
