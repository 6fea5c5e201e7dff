import type { Context } from 'hono';

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/**
 * A plain page for the browser tab of an authorization request. Text only (every value escaped), no script,
 * no form and no button: any local process could drive a page, so approval stays in the extension or the CLI.
 */
export function page(c: Context, status: 200 | 400 | 404, title: string, lines: string[], refreshSeconds?: number): Response {
  c.header('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  c.header('X-Frame-Options', 'DENY');
  c.header('Referrer-Policy', 'no-referrer');
  const refresh = refreshSeconds === undefined ? '' : `<meta http-equiv="refresh" content="${refreshSeconds}">`;
  const body = lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('\n');
  return c.html(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">${refresh}<title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>\n${body}\n</body></html>`,
    status,
  );
}
