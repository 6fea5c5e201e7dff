/**
 * The pairing credential lives in the extension origin's IndexedDB, which content scripts (running in
 * web pages' origins) cannot open, unlike storage.local. Only the service worker reads it.
 */
const DB = 'mandate';
const STORE = 'secrets';
const KEY = 'daemon-credential';

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

export async function loadCredential(): Promise<string | undefined> {
  const value = await run<unknown>('readonly', (s) => s.get(KEY));
  return typeof value === 'string' ? value : undefined;
}

export const saveCredential = (credential: string): Promise<IDBValidKey> => run('readwrite', (s) => s.put(credential, KEY));
export const clearCredential = (): Promise<undefined> => run('readwrite', (s) => s.delete(KEY));
