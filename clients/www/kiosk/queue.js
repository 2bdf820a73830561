// queue.js — the kiosk's offline queue in IndexedDB. A response waits here
// with its id (the server's idempotency key) and its day until the server
// has taken it; the store outlives a reload and a reboot. Nothing else is
// kept: no time of day, no device detail.
//
// A visit's response is put here as soon as its required questions are
// answered, marked open, and put again under the same id as the
// respondent goes on; only a closed one is sent (kiosk.js), so a response
// is sent once, whole.

const DB_NAME = 'palaute-kiosk';
const STORE = 'queue';

function request(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error('aborted'));
  });
}

export class Queue {
  constructor() {
    this.db = null;
    this.memory = null; // only when IndexedDB is unavailable
  }

  async open() {
    if (this.db || this.memory) return;
    try {
      const r = indexedDB.open(DB_NAME, 1);
      r.onupgradeneeded = () => {
        if (!r.result.objectStoreNames.contains(STORE))
          r.result.createObjectStore(STORE, { keyPath: 'id' });
      };
      this.db = await request(r);
    } catch (err) {
      console.warn('palaute: no IndexedDB; the queue lives in memory only', err);
      this.memory = new Map();
    }
  }

  // "strict": the browser flushes the write to disk before it reports
  // success, so a power cut right after the thank-you loses nothing.
  tx(mode) {
    return this.db.transaction(STORE, mode, mode === 'readwrite' ? { durability: 'strict' } : undefined);
  }

  // Put item, replacing the one with the same id.
  async put(item) {
    await this.open();
    if (this.memory) {
      this.memory.set(item.id, item);
      return;
    }
    const tx = this.tx('readwrite');
    tx.objectStore(STORE).put(item);
    await done(tx);
  }

  async all() {
    await this.open();
    if (this.memory) return [...this.memory.values()];
    return request(this.tx('readonly').objectStore(STORE).getAll());
  }

  // Close every open response: after a reload, a visit that was going
  // on is over, and what it had answered counts.
  async closeOpen() {
    const open = (await this.all()).filter((it) => it.open);
    for (const it of open) await this.put({ ...it, open: false });
    return open.length;
  }

  async remove(ids) {
    if (ids.length === 0) return;
    await this.open();
    if (this.memory) {
      for (const id of ids) this.memory.delete(id);
      return;
    }
    const tx = this.tx('readwrite');
    const st = tx.objectStore(STORE);
    for (const id of ids) st.delete(id);
    await done(tx);
  }

  async clear() {
    await this.open();
    if (this.memory) {
      this.memory.clear();
      return;
    }
    const tx = this.tx('readwrite');
    tx.objectStore(STORE).clear();
    await done(tx);
  }
}
