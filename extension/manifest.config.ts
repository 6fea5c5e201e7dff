import { defineManifest, type ManifestV3Export } from '@crxjs/vite-plugin';
import pkg from '../package.json' with { type: 'json' };
import type { UpdateUrls } from '../scripts/package/update-urls.js';
import { STATIC_RULESET_ID } from './src/intercept/coarse-filter.js';

/**
 * Public half of the extension's signing key: it fixes the extension id at
 * ffgkmgaanieiccjamnkagikpfjiadigm for unpacked builds everywhere (pairing origin, managed policy).
 * The private half is never committed.
 */
export const EXTENSION_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAuxngdT9pftitioUg0KdgQORnInXiIieftORA2JPziq2xA75wyDBPCchM8mjA6WMZ2mWodueiczMSekG1VErqbJ1meudB8oLbc6rXv7sX61Jd7GtnVuWShSTmj3ewb86nsFL+2jplMBh3XdUsc+W4VTiBxV+oeuIF2pdURpyPa9ShS3OZ1C1bDAGBIGDyieFBeEWo9D/nIsl0r8/XH352UexJqHvFFwSd4T6DJzXMoF9E12sxPsZpMA/tfQx+3zw1iENqs3Wpy795YdW7bklES/4sxwRCkv1GRwz201S/tKfwjoAoCVYKJ5HDVALD9+gUXY2+KaTmcTv+letVaLBwOwIDAQAB';

const ICONS = { 16: 'icons/icon-16.png', 32: 'icons/icon-32.png', 48: 'icons/icon-48.png', 128: 'icons/icon-128.png' };

// crxjs's manifest type, plus a key it does not list
type Manifest = Awaited<ReturnType<Extract<ManifestV3Export, (env: never) => unknown>>> & { cross_origin_opener_policy?: { value: string } };

/**
 * One source for both targets: Chrome/Edge get a service worker, Firefox an event page and a gecko id.
 * `updateUrls` (self-hosted builds only; scripts/package/update-urls.ts) adds each browser's `update_url`.
 */
export const extensionManifest = (updateUrls: UpdateUrls) => defineManifest((env) => manifestFor(env.mode === 'firefox', updateUrls));

function manifestFor(firefox: boolean, updateUrls: UpdateUrls): Manifest {
  return {
    manifest_version: 3,
    name: 'Mandate',
    description: 'See, bound and revoke what AI agents may do on your behalf.',
    version: pkg.version,
    icons: ICONS,
    action: { default_popup: 'src/popup/index.html', default_title: 'Mandate', default_icon: ICONS },
    options_ui: { page: 'src/options/index.html', open_in_tab: true },
    background: firefox ? { scripts: ['src/background/index.ts'], type: 'module' } : { service_worker: 'src/background/index.ts', type: 'module' },
    // Enterprise policy (docs/enterprise.md): the same keys as the daemon's policy file.
    storage: { managed_schema: 'managed_schema.json' },
    // webRequest (Firefox only, observing, never blocking): a second witness of the loads the rules redirect.
    permissions: ['storage', 'notifications', 'alarms', 'declarativeNetRequestWithHostAccess', 'webNavigation', ...(firefox ? ['webRequest'] : [])],
    // Loopback: the daemon (and local agents' OAuth callbacks). https://*/*: consent interception (flow D)
    // must redirect a provider's authorization request before it is sent, and providers can be any host.
    host_permissions: ['http://127.0.0.1/*', 'http://localhost/*', 'http://[::1]/*', 'https://*/*'],
    // Flow E: read, annotate and report in-chat approval cards. Never approves anything.
    content_scripts: [
      {
        matches: ['https://chatgpt.com/*', 'https://chat.openai.com/*', 'https://claude.ai/*'],
        js: ['src/content/index.ts'],
        run_at: 'document_idle',
      },
    ],
    // Flow D's coarse filter ships as a static ruleset, active from the first moment after install and
    // independent of any pattern someone adds (extension/src/intercept/coarse-filter.ts).
    declarative_net_request: { rule_resources: [{ id: STATIC_RULESET_ID, enabled: true, path: 'rules/intercept.json' }] },
    // The review page is where those rules send a request before it is sent. It must be web-accessible to
    // be a redirect target; use_dynamic_url keeps its address unguessable to pages, and it shows only what
    // the service worker itself observed, never what its own address says.
    web_accessible_resources: [{ resources: ['src/review/index.html'], matches: ['<all_urls>'], use_dynamic_url: true }],
    // No page that opens one of ours keeps a handle on it (it could navigate it under the person's cursor).
    cross_origin_opener_policy: { value: 'same-origin' },
    ...(firefox
      ? {
          browser_specific_settings: {
            gecko: {
              id: 'mandate@mandate.dev',
              // 140: the first ESR that knows data_collection_permissions
              strict_min_version: '140.0',
              // Mandate sends nothing off the machine: it talks only to the local daemon.
              data_collection_permissions: { required: ['none'] },
              ...(updateUrls.gecko ? { update_url: updateUrls.gecko } : {}),
            } as { id: string; strict_min_version: string },
            // Firefox for Android knows data_collection_permissions from 142
            gecko_android: { strict_min_version: '142.0' },
          } as { gecko: { id: string; strict_min_version: string } },
        }
      : { key: EXTENSION_KEY, minimum_chrome_version: '120', ...(updateUrls.chrome ? { update_url: updateUrls.chrome } : {}) }),
  };
}
