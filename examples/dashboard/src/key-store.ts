import { type ConnectionSettings, isTransportKind } from "./connection.js";

/**
 * A confirmed browser key, kept across reloads the way Omni's web UI keeps its own. The private
 * key is a non-extractable `CryptoKey`: IndexedDB stores it by structured clone, and neither this
 * page nor anything reading the database can get its bytes out, only sign with it.
 */
export interface StoredBrowserKey {
  readonly keyPair: CryptoKeyPair;
  readonly publicKeyId: string;
  readonly identity: string;
  /** The key's `notAfter` as registered with Omni, in epoch milliseconds. */
  readonly expiresAt: number;
  /** The Omni the key is registered with, so a reload reconnects the same way. */
  readonly connection: ConnectionSettings;
}

const databaseName = "omni-dashboard";
const storeName = "browser-key";
/** One browser key per dashboard origin, like Omni's web UI: a new login replaces it. */
const recordKey = "current";

function settled<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function openDatabase(): Promise<IDBDatabase> {
  const request = indexedDB.open(databaseName, 1);
  request.onupgradeneeded = () => {
    request.result.createObjectStore(storeName);
  };
  return settled(request);
}

/** Runs one request in its own transaction and resolves once that transaction has committed. */
async function inStore<T>(
  mode: IDBTransactionMode,
  operation: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const database = await openDatabase();
  try {
    const transaction = database.transaction(storeName, mode);
    const result = settled(operation(transaction.objectStore(storeName)));
    await new Promise<void>((resolve, reject) => {
      transaction.oncomplete = () => resolve();
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
    return await result;
  } finally {
    database.close();
  }
}

function isConnection(value: unknown): value is ConnectionSettings {
  const candidate = value as Partial<ConnectionSettings> | null;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    isTransportKind(candidate.transport) &&
    typeof candidate.endpoint === "string" &&
    typeof candidate.readOnly === "boolean"
  );
}

/** A record written by an older dashboard, or by hand, is not trusted to be one. */
function isStoredBrowserKey(value: unknown): value is StoredBrowserKey {
  const candidate = value as Partial<StoredBrowserKey> | null;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    candidate.keyPair?.privateKey instanceof CryptoKey &&
    candidate.keyPair.publicKey instanceof CryptoKey &&
    typeof candidate.publicKeyId === "string" &&
    typeof candidate.identity === "string" &&
    typeof candidate.expiresAt === "number" &&
    isConnection(candidate.connection)
  );
}

export async function saveBrowserKey(key: StoredBrowserKey): Promise<void> {
  await inStore("readwrite", (store) => store.put(key, recordKey));
}

/** The stored key, or `undefined` when there is none or it is not a key this dashboard wrote. */
export async function loadBrowserKey(): Promise<StoredBrowserKey | undefined> {
  const record: unknown = await inStore("readonly", (store) => store.get(recordKey));
  return isStoredBrowserKey(record) ? record : undefined;
}

export async function deleteBrowserKey(): Promise<void> {
  await inStore("readwrite", (store) => store.delete(recordKey));
}
