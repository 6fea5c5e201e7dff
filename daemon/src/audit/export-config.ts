/** Checks the `auditExport` policy (endpoint, headers) and keeps its header values out of anything logged. */

/** The `auditExport` policy cannot be used (bad endpoint or header). The message never includes header values. */
export class AuditExportConfigError extends Error {
  override name = 'AuditExportConfigError';
  readonly code = 'ERR_AUDIT_EXPORT_CONFIG';
}

/** The endpoint as it may appear in logs and status: no query string (it may carry a key), no fragment. */
export function displayEndpoint(url: URL): string {
  return url.origin + url.pathname;
}

export function parseEndpoint(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AuditExportConfigError('auditExport.otlpEndpoint is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AuditExportConfigError(`auditExport.otlpEndpoint must be an http: or https: URL, not ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new AuditExportConfigError('auditExport.otlpEndpoint must not contain a user name or password; put credentials in auditExport.headers');
  }
  return url;
}

export function buildHeaders(configured: Record<string, string>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(configured)) {
    try {
      headers.append(name, value);
    } catch {
      // Headers' own message quotes the value: name the header only
      throw new AuditExportConfigError(`auditExport.headers["${name}"] is not a valid HTTP header name or value`);
    }
  }
  headers.set('content-type', 'application/json'); // the spec requires it for JSON payloads
  return headers;
}

/**
 * Replaces configured header values with [redacted] in anything logged or stored: each whole value, the
 * credentials after an auth scheme ("Bearer <token>"), and each long fragment, in case a collector echoes one.
 */
export function redactor(headers: Record<string, string>): (text: string) => string {
  const secrets = new Set<string>();
  for (const value of Object.values(headers)) {
    if (value.length >= 4) secrets.add(value);
    const credentials = /^[A-Za-z][\w.-]*\s+(\S.*)$/.exec(value)?.[1];
    if (credentials !== undefined && credentials.length >= 4) secrets.add(credentials);
    for (const part of value.split(/[\s,;]+/)) if (part.length >= 8) secrets.add(part);
  }
  const ordered = [...secrets].sort((a, b) => b.length - a.length); // whole values before their parts
  return (text) => ordered.reduce((t, s) => t.split(s).join('[redacted]'), text);
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
