/**
 * The one place the WebExtension API is imported. webextension-polyfill gives Firefox and Chrome the
 * same promise-based `browser.*`; everything else imports from here, so the choice stays easy to change.
 */
import browser from 'webextension-polyfill';

export type { DeclarativeNetRequest, Runtime, Tabs } from 'webextension-polyfill';
export default browser;
