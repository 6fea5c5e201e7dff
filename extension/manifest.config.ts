import { defineManifest } from '@crxjs/vite-plugin';
import pkg from '../package.json' with { type: 'json' };

/**
 * Public half of the extension's signing key: it fixes the extension id at
 * ffgkmgaanieiccjamnkagikpfjiadigm for unpacked builds everywhere (pairing origin, managed policy).
 * The private half is never committed.
 */
export const EXTENSION_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAuxngdT9pftitioUg0KdgQORnInXiIieftORA2JPziq2xA75wyDBPCchM8mjA6WMZ2mWodueiczMSekG1VErqbJ1meudB8oLbc6rXv7sX61Jd7GtnVuWShSTmj3ewb86nsFL+2jplMBh3XdUsc+W4VTiBxV+oeuIF2pdURpyPa9ShS3OZ1C1bDAGBIGDyieFBeEWo9D/nIsl0r8/XH352UexJqHvFFwSd4T6DJzXMoF9E12sxPsZpMA/tfQx+3zw1iENqs3Wpy795YdW7bklES/4sxwRCkv1GRwz201S/tKfwjoAoCVYKJ5HDVALD9+gUXY2+KaTmcTv+letVaLBwOwIDAQAB';

export default defineManifest({
  manifest_version: 3,
  name: 'Mandate',
  description: 'See, bound and revoke what AI agents may do on your behalf.',
  version: pkg.version,
  key: EXTENSION_KEY,
  minimum_chrome_version: '120',
});
