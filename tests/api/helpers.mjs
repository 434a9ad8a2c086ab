// helpers.mjs - shared helpers for the black-box API tests: a temporary
// database made with `homeward init`, a server started on a free loopback
// port (read from its "listening on" line), tokens and users made with the
// CLI, a small fetch client, and a clean stop (SIGTERM, exit code 0: under
// AddressSanitizer a leak or an error makes the exit code non-zero).
//
// Only Node's own modules (Node 18 APIs); no network beyond 127.0.0.1.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = process.env.HOMEWARD_BIN
  ? path.resolve(ROOT, process.env.HOMEWARD_BIN)
  : path.join(ROOT, 'build', 'homeward');

// Sanitizer builds are slow: give the server time to come up.
const START_TIMEOUT_MS = 60000;
const STOP_TIMEOUT_MS = 60000;
// No request may hang a test run.
const REQUEST_TIMEOUT_MS = 60000;

/** Run the binary synchronously; returns {status, stdout, stderr}. */
export function run(args, { input, check = true } = {}) {
  const r = spawnSync(BIN, args, { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  if (check && r.status !== 0) {
    throw new Error(`homeward ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A temporary directory with a fresh database. Returns {dir, db, adminPassword, cleanup}. */
export function makeDb() {
  assert.ok(existsSync(BIN), `no binary at ${BIN} (build it, or set HOMEWARD_BIN)`);
  const dir = mkdtempSync(path.join(tmpdir(), 'homeward-api-'));
  const db = path.join(dir, 'homeward.db');
  const r = run(['init', '--db', db]);
  const m = /admin password:\s*(\S+)/.exec(r.stdout);
  assert.ok(m, `init did not print the admin password: ${r.stdout}`);
  return {
    dir,
    db,
    adminPassword: m[1],
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A bearer token for user (printed on stdout by `token create`). */
export function makeToken(db, user = 'admin', name = 'test') {
  const r = run(['token', 'create', '--db', db, '--user', user, '--name', name]);
  const t = r.stdout.trim();
  assert.match(t, /^\S{20,}$/, `token create printed ${JSON.stringify(r.stdout)}`);
  return t;
}

let userSeq = 0;
/** Add a user with a role; returns {username, password}. */
export function makeUser(db, role, username) {
  username = username || `${role.replace(/_/g, '-')}-${process.pid}-${++userSeq}`;
  const password = `Synthetic-pass-${userSeq}-${process.pid}-xq`;
  run(['user', 'add', username, '--role', role, '--db', db, '--password-stdin'], { input: password + '\n' });
  return { username, password };
}

/** Fill the database with demo data (before starting the server). */
export function demo(db, persons) {
  return run(['demo', '--db', db, '--persons', String(persons)]);
}

/**
 * Start `homeward serve` on 127.0.0.1 with a free port. Resolves to
 * {url, port, proc, stderr(), stop(), kill9()}.
 */
export function startServer(db) {
  return new Promise((resolve, reject) => {
    const proc = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--quiet'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let done = false;
    const exited = new Promise((res) => proc.on('exit', (code, signal) => res({ code, signal })));
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      proc.kill('SIGKILL');
      reject(new Error(`server did not start in time; stderr: ${err}`));
    }, START_TIMEOUT_MS);
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (d) => {
      err += d;
    });
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(out);
      if (m && !done) {
        done = true;
        clearTimeout(timer);
        const server = {
          url: m[1],
          port: Number(m[2]),
          proc,
          stderr: () => err,
          /** SIGTERM and wait; asserts a clean exit (code 0) in time. */
          async stop() {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
            let timer;
            const late = new Promise((res) => {
              timer = setTimeout(() => res(null), STOP_TIMEOUT_MS);
            });
            const ended = await Promise.race([exited, late]);
            clearTimeout(timer);
            if (!ended) {
              proc.kill('SIGKILL');
              await exited;
              assert.fail(`server did not stop within ${STOP_TIMEOUT_MS} ms of SIGTERM; stderr:\n${err}`);
            }
            const { code, signal } = ended;
            assert.equal(signal, null, `server died of ${signal}; stderr:\n${err}`);
            assert.equal(code, 0, `server exited ${code}; stderr:\n${err}`);
          },
          /** kill -9 and wait. */
          async kill9() {
            proc.kill('SIGKILL');
            await exited;
          },
        };
        resolve(server);
      }
    });
    proc.on('exit', (code, signal) => {
      if (!done) {
        done = true;
        clearTimeout(timer);
        reject(new Error(`server exited (${code ?? signal}) before listening; stderr: ${err}`));
      }
    });
  });
}

/**
 * A tiny client. api(base, {token, cookie, origin}) returns
 * req(method, path, {body, raw, headers, token, ifMatch}) -> {status, headers, json, text}.
 * body: JSON-encoded with Content-Type application/json unless raw is given.
 */
export function client(base, defaults = {}) {
  return async function req(method, p, opts = {}) {
    const headers = { ...(opts.headers || {}) };
    const token = 'token' in opts ? opts.token : defaults.token;
    if (token) headers.Authorization = `Bearer ${token}`;
    const cookie = 'cookie' in opts ? opts.cookie : defaults.cookie;
    if (cookie) headers.Cookie = cookie;
    const origin = 'origin' in opts ? opts.origin : defaults.origin;
    if (origin) headers.Origin = origin;
    if (opts.ifMatch !== undefined) headers['If-Match'] = String(opts.ifMatch);
    let body;
    if (opts.raw !== undefined) {
      body = opts.raw;
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
        headers['Content-Type'] = 'application/json';
      }
    }
    const res = await fetch(base + p, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await res.text();
    let json = null;
    const ct = res.headers.get('content-type') || '';
    if (/json/.test(ct) && text.length) {
      json = JSON.parse(text);
    }
    return { status: res.status, headers: res.headers, json, text };
  };
}

/** Assert an RFC 9457 problem with status and (optionally) the field named. */
export function assertProblem(r, status, field) {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text}`);
  assert.match(r.headers.get('content-type') || '', /^application\/problem\+json/);
  assert.equal(r.json.status, status);
  assert.equal(typeof r.json.detail, 'string');
  assert.ok(r.json.detail.length > 0);
  if (field !== undefined) {
    assert.equal(r.json.field, field, `expected field ${field}: ${r.text}`);
    assert.ok(Array.isArray(r.json.errors), `errors[] missing: ${r.text}`);
    assert.ok(
      r.json.errors.some((e) => e.field === field && typeof e.detail === 'string' && e.detail.length),
      `errors[] does not name ${field}: ${r.text}`,
    );
  }
}

/** The ETag's version number. */
export function etagVersion(r) {
  const e = r.headers.get('etag');
  assert.ok(e, 'no ETag');
  const m = /^"(\d+)"$/.exec(e);
  assert.ok(m, `ETag ${e} is not "N"`);
  return Number(m[1]);
}

/**
 * One environment per test file: a database (optionally with demo data),
 * a server and an admin token. Call inside before(); env.close() in after().
 */
export async function setup({ persons = 0 } = {}) {
  const t = makeDb();
  let server;
  let token;
  try {
    if (persons) demo(t.db, persons);
    server = await startServer(t.db);
    token = makeToken(t.db, 'admin', 'admin-test');
  } catch (e) {
    if (server) await server.kill9();
    t.cleanup();
    throw e;
  }
  return {
    ...t,
    server,
    url: server.url,
    token,
    api: client(server.url, { token }),
    anon: client(server.url),
    async close() {
      try {
        await server.stop();
      } finally {
        t.cleanup();
      }
    },
  };
}

/** Walk every page of a list; returns the items in order and the page count. */
export async function walk(api, p, limit) {
  const items = [];
  const seen = new Set();
  let pages = 0;
  let cursor = null;
  const sep = p.includes('?') ? '&' : '?';
  for (;;) {
    const r = await api('GET', `${p}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(Array.isArray(r.json.items));
    assert.ok(r.json.items.length <= limit);
    for (const it of r.json.items) {
      // A record seen on an earlier page: the cursor went back (or loops).
      assert.ok(!seen.has(it.id), `${p}: page ${pages + 1} repeats ${it.id} from an earlier page`);
      seen.add(it.id);
    }
    items.push(...r.json.items);
    pages++;
    assert.ok(pages < 10000, 'the list never ends');
    if (r.json.next === null) break;
    assert.equal(typeof r.json.next, 'string');
    assert.equal(r.json.items.length, limit, 'a page before the last is full');
    cursor = r.json.next;
  }
  return { items, pages };
}

/** A generated, clearly synthetic person. */
let personSeq = 0;
export function syntheticPerson(extra = {}) {
  personSeq++;
  return {
    given_name: `Testgiven${personSeq}`,
    family_name: `Synthetyan${process.pid % 1000}x${personSeq}`,
    sex: personSeq % 2 ? 'female' : 'male',
    birth_date: '1978-05',
    origin_settlement: 'stepanakert',
    source: 'api test (synthetic)',
    ...extra,
  };
}
