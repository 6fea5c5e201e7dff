/**
 * Self-hosted update URLs, fixed at build time for organisations that host the extension themselves
 * (docs/enterprise.md): `MANDATE_UPDATE_URL` becomes Chrome's manifest `update_url` (where the browser
 * fetches update.xml), `MANDATE_GECKO_UPDATE_URL` Firefox's `browser_specific_settings.gecko.update_url`.
 * Absent by default: store builds carry neither. Read by vite.config.ts, applied by extension/manifest.config.ts.
 */
export interface UpdateUrls {
  /** Chrome, Edge: the gupdate manifest (update.xml) the browser polls. */
  chrome?: string;
  /** Firefox: the update manifest (JSON) Firefox polls for a self-distributed add-on. */
  gecko?: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** One variable's value as a URL a browser may poll for updates: https, or http on loopback (tests only). */
export function updateUrl(name: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name}="${value}" is not an absolute URL: set it to the https:// address of the update manifest, or unset it for a store build`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new Error(
      `${name}="${value}" must be an https:// URL (http:// only on 127.0.0.1, localhost or [::1], for tests): browsers install updates only from a trusted source`,
    );
  }
  if (url.username !== '' || url.password !== '')
    throw new Error(`${name}="${value}" must not carry credentials: everyone's browser reads it from the manifest`);
  if (url.hash !== '') throw new Error(`${name}="${value}" must not have a #fragment`);
  return url.href;
}

/** Both update URLs from the environment; throws with a message naming the variable when one is invalid. */
export function updateUrlsFrom(env: Record<string, string | undefined>): UpdateUrls {
  const chrome = updateUrl('MANDATE_UPDATE_URL', env.MANDATE_UPDATE_URL);
  const gecko = updateUrl('MANDATE_GECKO_UPDATE_URL', env.MANDATE_GECKO_UPDATE_URL);
  return { ...(chrome ? { chrome } : {}), ...(gecko ? { gecko } : {}) };
}
