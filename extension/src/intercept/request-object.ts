/**
 * Reads an RFC 9101 request object (`request=<JWT>`) the way a provider will, without verifying it:
 * Mandate is not the audience and has no key, but the provider acts on exactly these claims. A JWE
 * (five parts) cannot be read by anyone but the provider: it is reported as encrypted.
 */
export type RequestObject = { kind: 'signed'; claims: Record<string, unknown> } | { kind: 'encrypted' } | { kind: 'invalid'; reason: string };

const B64URL = /^[A-Za-z0-9_-]*$/;

function decodeSegment(segment: string): string | undefined {
  if (!B64URL.test(segment)) return undefined;
  try {
    const binary = atob(segment.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (segment.length % 4)) % 4));
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

export function readRequestObject(jwt: string): RequestObject {
  const parts = jwt.split('.');
  if (parts.length === 5) return { kind: 'encrypted' };
  if (parts.length !== 3) return { kind: 'invalid', reason: 'it is not a JWT' };
  const header = decodeSegment(parts[0]!);
  const payload = decodeSegment(parts[1]!);
  if (header === undefined || payload === undefined) return { kind: 'invalid', reason: 'it is not base64url' };
  let claims: unknown;
  try {
    JSON.parse(header);
    claims = JSON.parse(payload);
  } catch {
    return { kind: 'invalid', reason: 'it is not JSON' };
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return { kind: 'invalid', reason: 'its claims are not an object' };
  return { kind: 'signed', claims: claims as Record<string, unknown> };
}
