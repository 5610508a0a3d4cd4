import type { Page } from "@playwright/test";

/**
 * Every record the page's origin keeps in IndexedDB, localStorage and sessionStorage, as text.
 * A `CryptoKey` shows as `{"cryptoKey": type, "extractable": ...}`: its bytes are not readable,
 * which is the point of keeping a non-extractable key there.
 */
export function storedRecords(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const settled = <T>(request: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    const asText = (value: unknown) =>
      JSON.stringify(value, (_name, field: unknown) =>
        field instanceof CryptoKey
          ? { cryptoKey: field.type, extractable: field.extractable }
          : field,
      );
    const records: string[] = [];
    for (const { name } of await indexedDB.databases()) {
      if (!name) {
        continue;
      }
      const database = await settled(indexedDB.open(name));
      for (const store of database.objectStoreNames) {
        const values = await settled(
          database.transaction(store, "readonly").objectStore(store).getAll(),
        );
        records.push(...values.map((value) => `indexedDB ${name}/${store}: ${asText(value)}`));
      }
      database.close();
    }
    for (const [kind, storage] of [
      ["localStorage", localStorage],
      ["sessionStorage", sessionStorage],
    ] as const) {
      for (let index = 0; index < storage.length; index++) {
        const key = storage.key(index) ?? "";
        records.push(`${kind} ${key}: ${storage.getItem(key)}`);
      }
    }
    return records;
  });
}
