/** An in-memory stand-in for credential-store.ts (IndexedDB does not exist in Node). */
import type { Pairing } from '../../src/background/credential-store.js';

let stored: Pairing | undefined;
export const loadPairing = async (): Promise<Pairing | undefined> => stored;
export const savePairing = async (p: Pairing): Promise<IDBValidKey> => {
  stored = p;
  return 'daemon-credential';
};
export const clearPairing = async (): Promise<undefined> => {
  stored = undefined;
  return undefined;
};
