// api.js — the one way the clients talk to palauted: JSON in and out,
// errors as ApiError with the contract's {code, message, field}, network
// failures as NetworkError. No cookies, no referrer, no caching.

export class ApiError extends Error {
  constructor(status, body, headers) {
    const e = (body && body.error) || {};
    super(e.message || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = e.code || '';
    this.field = e.field || '';
    this.body = body;
    const ra = headers ? Number.parseInt(headers.get('Retry-After') || '', 10) : NaN;
    this.retryAfter = Number.isFinite(ra) && ra > 0 ? ra : 0;
  }
}

export class NetworkError extends Error {
  constructor(cause) {
    super('network unreachable');
    this.name = 'NetworkError';
    this.cause = cause;
  }
}

// fetch path; resolves {status, data, headers} for 2xx (data: parsed JSON,
// or the Response itself when opts.raw), throws ApiError or NetworkError.
export async function api(path, opts = {}) {
  const headers = { Accept: opts.accept || 'application/json' };
  let body;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  let res;
  try {
    res = await fetch(path, {
      method: opts.method || (body !== undefined ? 'POST' : 'GET'),
      headers,
      body,
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      signal: opts.signal,
    });
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new NetworkError(err);
  }
  if (opts.raw && res.ok) return { status: res.status, data: res, headers: res.headers };
  let data = null;
  const ct = res.headers.get('Content-Type') || '';
  if (ct.startsWith('application/json')) {
    try {
      data = await res.json();
    } catch {
      data = null;
    }
  }
  if (!res.ok) throw new ApiError(res.status, data, res.headers);
  return { status: res.status, data, headers: res.headers };
}

// A random id for a response: the server's idempotency key.
export function newId() {
  if (globalThis.crypto && typeof crypto.randomUUID === 'function')
    return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

// Today as YYYY-MM-DD in UTC, the calendar the server checks days against
// (the day is all the time a response keeps).
export function today() {
  return new Date().toISOString().slice(0, 10);
}
