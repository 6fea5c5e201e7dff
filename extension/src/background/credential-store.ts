import { ecPublicJwk, type EcPublicJwk } from '#shared/admin-api.js';
import type { ProofKey } from './proof.js';

/**
 * The pairing lives in the extension origin's IndexedDB, which content scripts (running in web pages'
 * origins) cannot open, unlike storage.local. Only the service worker reads it. It holds the credential, the
 * non-extractable proof key (CryptoKey objects are stored as such, never as bytes) and the daemon's pinned
 * identity key.
 */
const DB = 'mandate';
const STORE = 'secrets';
const KEY = 'daemon-credential';

export interface Pairing {
  credential: string;
  proofKey: ProofKey;
  /** The daemon's identity key, returned at pairing: a daemon that cannot sign with it gets no credential. */
  daemonJwk: EcPublicJwk;
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB open failed'));
  });
}

async function run<T>(mode: IDBTransactionMode, op: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = op(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    });
  } finally {
    db.close();
  }
}

const isKey = (k: unknown): k is CryptoKey => k instanceof CryptoKey;

/** The stored pairing, or undefined when there is none or it predates proof keys (then the person pairs again). */
export async function loadPairing(): Promise<Pairing | undefined> {
  const value = await run<unknown>('readonly', (s) => s.get(KEY));
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const proof = v.proofKey as { keys?: { privateKey?: unknown; publicKey?: unknown }; jwk?: unknown } | undefined;
  const jwk = ecPublicJwk.safeParse(proof?.jwk);
  const daemonJwk = ecPublicJwk.safeParse(v.daemonJwk);
  if (typeof v.credential !== 'string' || !isKey(proof?.keys?.privateKey) || !isKey(proof.keys.publicKey) || !jwk.success || !daemonJwk.success)
    return undefined;
  return {
    credential: v.credential,
    proofKey: { keys: { privateKey: proof.keys.privateKey, publicKey: proof.keys.publicKey }, jwk: jwk.data },
    daemonJwk: daemonJwk.data,
  };
}

export const savePairing = (pairing: Pairing): Promise<IDBValidKey> => run('readwrite', (s) => s.put(pairing, KEY));
export const clearPairing = (): Promise<undefined> => run('readwrite', (s) => s.delete(KEY));
