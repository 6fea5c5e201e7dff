/**
 * The introspection route serialises an active token's answer once per token (oauth/introspect.ts). Whether the token
 * is active is still decided on every call: the answer text is reused, the decision never is.
 */
import { expect, it } from 'vitest';
import { GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE_ACCESS_TOKEN, introspectionResponse, tokenResponse } from '#shared/oauth.js';
import { auth, startTestDaemon } from './harness.js';

it('answers each token with its own claims, the same text on every call, until the token or its grant ends', async () => {
  const d = await startTestDaemon();
  const agent = await d.registerAgent();
  const { token, grantId } = await d.approvedToken(agent, { approve: { expires_in: 3600 } });
  const introspect = async (t: string) => {
    const res = await d.form('/introspect', { token: t }, auth(agent));
    expect(res.headers.get('content-type')).toBe('application/json');
    return res.text();
  };

  const first = await introspect(token);
  expect(await introspect(token)).toBe(first);
  const claims = introspectionResponse.parse(JSON.parse(first));
  expect(claims).toMatchObject({ active: true, token_type: 'Bearer', grant_id: grantId, exp: d.clock() + 300 });

  d.clock.advance(60);
  const renewed = tokenResponse.parse(
    await (
      await d.form('/token', { grant_type: GRANT_TYPE_TOKEN_EXCHANGE, subject_token: token, subject_token_type: TOKEN_TYPE_ACCESS_TOKEN }, auth(agent))
    ).json(),
  );
  const second = introspectionResponse.parse(JSON.parse(await introspect(renewed.access_token)));
  expect(second.active && claims.active && second.jti !== claims.jti && second.exp === d.clock() + 300).toBe(true);
  expect(await introspect(token)).toBe(first);

  // the first token's five minutes run out: inactive, though its answer text was kept
  d.clock.advance(241);
  expect(JSON.parse(await introspect(token))).toEqual({ active: false });
  expect(JSON.parse(await introspect(renewed.access_token))).toMatchObject({ active: true, jti: second.active ? second.jti : '' });

  // the person revokes the grant: the renewed token's kept answer is not given again
  expect((await d.admin('POST', `/grants/${grantId}/revoke`, {})).status).toBe(200);
  expect(JSON.parse(await introspect(renewed.access_token))).toEqual({ active: false });
});
