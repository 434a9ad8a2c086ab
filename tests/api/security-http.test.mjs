// security-http.test.mjs - attacks over HTTP: every route x every role x
// own/other organisation (generated from the route table), SQL injection in
// every parameter of every route, stored and reflected XSS, CSRF, brute
// force, session fixation, logout, expiry and reuse after a password
// change, purpose-bound reveals and restricted records.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { run, setup, client, makeToken, syntheticPerson } from './helpers.mjs';

// The policy of DESIGN.md, written out here independently of the program.
const POLICY = {
  admin: '*',
  registrar: ['person.read', 'person.write', 'household.read', 'household.write', 'return.read', 'return.write',
    'settlement.read', 'duplicate.review', 'link.read', 'indicator.read'],
  tracing_officer: ['person.read', 'household.read', 'return.read', 'settlement.read', 'detainee.read',
    'tracing.read', 'tracing.write', 'duplicate.review', 'indicator.read'],
  detention_officer: ['person.read', 'settlement.read', 'detainee.read', 'detainee.write', 'indicator.read'],
  monitor: ['return.read', 'settlement.read', 'incident.read', 'incident.write', 'link.read', 'link.write',
    'commitment.read', 'commitment.write', 'indicator.read'],
  analyst: ['settlement.read', 'indicator.read', 'link.read', 'commitment.read'],
  auditor: ['audit.read'],
};
const ROLES = Object.keys(POLICY);
const allowed = (role, perm) =>
  perm === 'public' || perm === 'authenticated' || POLICY[role] === '*' || POLICY[role].includes(perm);

let env;
let routes;
const users = {}; // users[org][role] = {username, password, token, api}
let restricted; // a restricted person of organisation A
let open; // a person of organisation A that is not restricted

function sqlite(db, sql) {
  const r = spawnSync('sqlite3', [db, sql], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

before(async () => {
  env = await setup({ persons: 50 });
  routes = JSON.parse(run(['routes']).stdout);
  const org = await env.api('POST', '/api/v1/organisations', { body: { name: `Other NGO ${process.pid}`, kind: 'ngo' } });
  assert.equal(org.status, 201, org.text);
  for (const [key, orgName] of [['A', null], ['B', `Other NGO ${process.pid}`]]) {
    users[key] = {};
    for (const role of ROLES) {
      const username = `${role.replace(/_/g, '-')}-${key}-${process.pid}`;
      const password = `Synthetic-${role}-${key}-pass`;
      const args = ['user', 'add', username, '--role', role, '--db', env.db, '--password-stdin'];
      if (orgName) args.push('--organisation', orgName);
      run(args, { input: `${password}\n` });
      const token = makeToken(env.db, username);
      users[key][role] = { username, password, token, api: client(env.url, { token }) };
    }
  }
  const reg = users.A.registrar.api;
  restricted = (await reg('POST', '/api/v1/persons', {
    body: syntheticPerson({ family_name: `Hiddenyan${process.pid}`, restricted: true, contact: 'restricted-demo@example.org' }),
  })).json;
  open = (await reg('POST', '/api/v1/persons', { body: syntheticPerson({ contact: 'open-demo@example.org' }) })).json;
  assert.ok(restricted && restricted.restricted === true);
  assert.ok(open && open.id);
});

after(async () => {
  if (env) await env.close();
});

function fill(path, id) {
  return path.replace(/\{[a-z_]+\}/g, id);
}

test('every route x every role: allowed exactly where the policy says, never a 2xx otherwise', async () => {
  let checked = 0;
  for (const r of routes) {
    for (const role of ROLES) {
      const api = users.A[role].api;
      const path = fill(r.path, open.id);
      const res = await api(r.method, path, r.method === 'GET' || r.method === 'DELETE' ? {} : { body: {} });
      checked++;
      if (allowed(role, r.permission)) {
        assert.notEqual(res.status, 403, `${role} ${r.method} ${r.path} refused: ${res.text}`);
        assert.notEqual(res.status, 401, `${role} ${r.method} ${r.path}: ${res.text}`);
      } else {
        assert.equal(res.status, 403, `${role} ${r.method} ${r.path} answered ${res.status}: ${res.text}`);
      }
      assert.ok(res.status < 500, `${role} ${r.method} ${r.path}: ${res.status} ${res.text}`);
    }
    // Nobody at all: 401 unless public.
    const anon = await env.anon(r.method, fill(r.path, open.id), r.method === 'GET' || r.method === 'DELETE' ? {} : { body: {} });
    if (r.permission === 'public') assert.notEqual(anon.status, 401);
    else assert.equal(anon.status, 401, `${r.method} ${r.path} without login: ${anon.status}`);
  }
  assert.ok(checked >= routes.length * ROLES.length);
});

test('own and other organisation: a restricted record is visible only to its organisation', async () => {
  for (const role of ROLES.filter((x) => allowed(x, 'person.read'))) {
    const own = await users.A[role].api('GET', `/api/v1/persons/${restricted.id}`);
    assert.equal(own.status, 200, `${role} of the same organisation: ${own.text}`);
    const other = await users.B[role].api('GET', `/api/v1/persons/${restricted.id}`);
    assert.equal(other.status, 404, `${role} of another organisation saw a restricted record`);
    assert.equal((await users.B[role].api('GET', `/api/v1/persons/${restricted.id}/history`)).status, 404);
    const list = await users.B[role].api('GET', `/api/v1/persons?q=Hiddenyan${process.pid}`);
    assert.equal(list.status, 200);
    assert.equal(list.json.items.length, 0, `${role} of another organisation found it in a list`);
    assert.equal((await users.B[role].api('GET', `/api/v1/persons/${open.id}`)).status, 200);
  }
  const patch = await users.B.registrar.api('PATCH', `/api/v1/persons/${restricted.id}`, { body: { notes: 'x' }, ifMatch: '"1"' });
  assert.equal(patch.status, 404);
  assert.equal((await users.A.registrar.api('GET', `/api/v1/persons?q=Hiddenyan${process.pid}`)).json.items.length, 1);
});

test('every {id} route x every role x own/other organisation: restricted records stay with their organisation', async () => {
  // One restricted record of each kind that belongs to an organisation.
  const admin = users.A.admin.api;
  const made = {
    persons: restricted.id,
    households: (await admin('POST', '/api/v1/households', { body: { restricted: true, declared_size: 2 } })).json.id,
    returns: (await admin('POST', '/api/v1/returns', { body: { person: restricted.id, intention: 'undecided', restricted: true } })).json.id,
    detainees: (await admin('POST', '/api/v1/detainees', { body: { category: 'civilian_detainee', surname: 'Restrictedyan', restricted: true } })).json.id,
    'tracing-requests': (await admin('POST', '/api/v1/tracing-requests', { body: { inquirer_name: 'Synthetic', sought_family: 'Restrictedyan', restricted: true } })).json.id,
    incidents: (await admin('POST', '/api/v1/incidents', { body: { title: 'Synthetic restricted incident', type: 'other', restricted: true } })).json.id,
  };
  for (const [k, v] of Object.entries(made)) assert.ok(v, `could not make a restricted ${k}`);
  let checked = 0;
  for (const r of routes) {
    const m = /^\/api\/v1\/([a-z-]+)\/\{id\}/.exec(r.path);
    if (!m || !made[m[1]] || (r.path.match(/\{/g) || []).length !== 1) continue;
    const path = r.path.replace('{id}', made[m[1]]);
    for (const role of ROLES) {
      if (!allowed(role, r.permission)) continue;
      const opts = r.method === 'GET' ? {} : { body: {} };
      const other = await users.B[role].api(r.method, path, opts);
      assert.ok(other.status === 404, `${role} of another organisation: ${r.method} ${r.path} answered ${other.status}`);
      if (r.method === 'GET') {
        const own = await users.A[role].api(r.method, path, opts);
        assert.equal(own.status, 200, `${role} of the same organisation: ${r.method} ${r.path}: ${own.text}`);
      }
      checked++;
    }
  }
  assert.ok(checked > 30, `only ${checked} combinations checked`);
});

test('protected fields: absent unless revealed with a purpose by a role that may see them', async () => {
  const plain = await users.A.registrar.api('GET', `/api/v1/persons/${open.id}`);
  assert.equal(plain.json.contact, undefined);
  assert.deepEqual(plain.json.protected, ['contact']);
  assert.doesNotMatch(plain.text, /open-demo@example/);
  const noPurpose = await users.A.registrar.api('GET', `/api/v1/persons/${open.id}?reveal=contact`);
  assert.equal(noPurpose.status, 400);
  assert.equal(noPurpose.json.field, 'purpose');
  const shown = await users.A.registrar.api('GET', `/api/v1/persons/${open.id}?reveal=contact&purpose=protection`);
  assert.equal(shown.status, 200);
  assert.equal(shown.json.contact, 'open-demo@example.org');
  for (const role of ['tracing_officer', 'detention_officer']) {
    const r = await users.A[role].api('GET', `/api/v1/persons/${open.id}?reveal=contact&purpose=tracing`);
    assert.equal(r.status, 403, `${role} revealed a contact`);
  }
  const list = await users.A.registrar.api('GET', '/api/v1/persons?reveal=contact&purpose=tracing');
  assert.equal(list.status, 400);
  const all = await users.A.registrar.api('GET', '/api/v1/persons?limit=100');
  assert.doesNotMatch(all.text, /@example\.org/, 'a list carried a protected value');
  const bulk = await users.A.registrar.api('GET', '/api/v1/persons?limit=300');
  assert.equal(bulk.status, 403, 'a bulk read without the export permission');
  assert.equal((await env.api('GET', '/api/v1/persons?limit=300')).status, 200);
});

const PAYLOADS = [
  "' OR '1'='1",
  "1' OR 1=1 --",
  "\" OR \"\"=\"",
  "x'); DROP TABLE persons; --",
  "' UNION SELECT username, password_hash FROM users --",
  "1; UPDATE users SET role='admin'",
  "%' AND 1=0 UNION SELECT sql FROM sqlite_master --",
  "ab\\' OR 1=1#",
];

test('SQL injection payloads in every parameter of every route change nothing and break nothing', async () => {
  const before = {
    users: sqlite(env.db, 'SELECT count(*) || group_concat(role) FROM users'),
    persons: Number(sqlite(env.db, 'SELECT count(*) FROM persons')),
  };
  let requests = 0;
  for (const p of PAYLOADS) {
    const e = encodeURIComponent(p);
    for (const r of routes) {
      const path = fill(r.path, e);
      const query = `?q=${e}&sort=${e}&limit=${e}&cursor=${e}&sex=${e}&status=${e}&origin_settlement=${e}&birth_year=${e}&household=${e}&reveal=${e}&purpose=${e}`;
      for (const url of [path, path + query]) {
        const body = {};
        for (const k of ['username', 'password', 'name', 'kind', 'role', 'family_name', 'given_name', 'sex',
          'birth_date', 'origin_settlement', 'household', 'intention', 'to', 'reason', 'person', 'notes']) body[k] = p;
        const res = await env.api(r.method, url, r.method === 'GET' ? {} : { body });
        requests++;
        assert.ok(res.status < 500, `${r.method} ${url}: ${res.status} ${res.text}`);
      }
    }
    // A search for a payload finds no more than a search for nonsense.
    const s = await env.api('GET', `/api/v1/persons?q=${e}`);
    assert.equal(s.status, 200);
    assert.ok(s.json.items.length < before.persons / 2, `q=${p} returned ${s.json.items.length} persons`);
  }
  assert.ok(requests > 100);
  assert.equal(sqlite(env.db, 'SELECT count(*) || group_concat(role) FROM users'), before.users);
  assert.equal(sqlite(env.db, 'PRAGMA integrity_check'), 'ok');
  assert.ok(Number(sqlite(env.db, 'SELECT count(*) FROM persons')) >= before.persons, 'persons were lost');
});

test('stored and reflected XSS come back escaped in JSON', async () => {
  const evil = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "</title><svg onload=alert('x')>"];
  for (const v of evil) {
    const r = await env.api('POST', '/api/v1/persons', { body: syntheticPerson({ given_name: v, notes: v }) });
    assert.equal(r.status, 201, r.text);
    assert.doesNotMatch(r.text, /[<>]/, 'a raw angle bracket in a JSON answer');
    assert.equal(r.json.given_name, v);
    const g = await env.api('GET', `/api/v1/persons/${r.json.id}`);
    assert.doesNotMatch(g.text, /[<>]/);
    assert.equal(g.json.notes, v);
    assert.match(g.headers.get('content-type'), /^application\/json/);
    // Reflected: a field name or parameter echoed in an error.
    const bad = await env.api('POST', '/api/v1/persons', { body: { family_name: 'A', [v]: 1 } });
    assert.equal(bad.status, 422);
    assert.doesNotMatch(bad.text, /[<>]/);
    const q = await env.api('GET', `/api/v1/persons?${encodeURIComponent(v)}=1`);
    assert.equal(q.status, 400);
    assert.doesNotMatch(q.text, /[<>]/);
  }
});

async function login(username, password, extraHeaders = {}) {
  const res = await fetch(`${env.url}/api/v1/sessions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...extraHeaders },
    body: JSON.stringify({ username, password }),
  });
  const text = await res.text();
  const sc = res.headers.get('set-cookie') || '';
  const m = /hw_session=([^;]+)/.exec(sc);
  return { status: res.status, text, setCookie: sc, cookie: m ? `hw_session=${m[1]}` : null, json: text ? JSON.parse(text) : null };
}

test('CSRF: cookie writes need this site Origin and JSON; without, with a wrong one: 403', async () => {
  const u = users.A.registrar;
  const s = await login(u.username, u.password);
  assert.equal(s.status, 201, s.text);
  assert.match(s.setCookie, /HttpOnly/);
  assert.match(s.setCookie, /SameSite=Strict/);
  assert.match(s.setCookie, /Path=\//);
  const api = client(env.url, { cookie: s.cookie });
  assert.equal((await api('GET', '/api/v1/persons?limit=1')).status, 200, 'a safe read needs no Origin');
  assert.equal((await api('POST', '/api/v1/persons', { body: syntheticPerson() })).status, 403);
  assert.equal((await api('POST', '/api/v1/persons', { body: syntheticPerson(), origin: 'http://evil.example' })).status, 403);
  assert.equal((await api('POST', '/api/v1/persons', {
    raw: JSON.stringify(syntheticPerson()), origin: env.url, headers: { 'Content-Type': 'text/plain' },
  })).status, 403);
  assert.equal((await api('DELETE', '/api/v1/sessions/current', { origin: 'http://evil.example' })).status, 403);
  assert.equal((await api('POST', '/api/v1/persons', { body: syntheticPerson(), origin: env.url })).status, 201);
});

test('brute force: unknown and known users answer alike, delays grow, the 101st failure in an hour is refused', async () => {
  const known = users.A.auditor.username;
  const a = await login(known, 'Wrong-password-123');
  const b = await login(`nosuchuser${process.pid}`, 'Wrong-password-123');
  assert.equal(a.status, 401);
  assert.equal(b.status, 401);
  assert.equal(a.text, b.text, 'the answers tell known from unknown users');
  // Growing delays after five failures, for both.
  for (const name of [users.A.analyst.username, `ghost${process.pid}`]) {
    let last;
    for (let i = 0; i < 7; i++) last = await login(name, `Wrong-password-${i}`);
    assert.equal(last.status, 429, last.text);
  }
  // A hundred failures in the last hour (older than any delay): then even the right password is refused.
  const victim = users.A.monitor;
  const rows = [];
  for (let i = 0; i < 100; i++) {
    rows.push(`('${victim.username}', strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-${50 - Math.floor(i / 3)} minutes'), 0, 'test')`);
  }
  sqlite(env.db, `INSERT INTO login_attempts (username, at, ok, client) VALUES ${rows.join(',')}`);
  const refused = await login(victim.username, victim.password);
  assert.equal(refused.status, 429, refused.text);
  const ghostRows = rows.map((r) => r.replace(victim.username, `ghost2${process.pid}`));
  sqlite(env.db, `INSERT INTO login_attempts (username, at, ok, client) VALUES ${ghostRows.join(',')}`);
  const ghost = await login(`ghost2${process.pid}`, 'whatever-password');
  assert.equal(ghost.status, 429);
  assert.equal(ghost.json.detail, refused.json.detail);
  // Another account is not affected.
  assert.equal((await login(users.A.registrar.username, users.A.registrar.password)).status, 201);
});

test('sessions: fixation, logout, password change, idle and absolute expiry', async () => {
  const u = users.A.tracing_officer;
  // Fixation: a cookie chosen before login is never adopted.
  const planted = 'hw_session=attacker-chosen-value-000000000000000000000';
  const s = await login(u.username, u.password, { Cookie: planted });
  assert.equal(s.status, 201);
  assert.notEqual(s.cookie, planted);
  assert.equal((await client(env.url, { cookie: planted })('GET', '/api/v1/sessions/current')).status, 401);
  const me = client(env.url, { cookie: s.cookie, origin: env.url });
  assert.equal((await me('GET', '/api/v1/sessions/current')).json.user.username, u.username);
  // Logout ends it.
  const out = await me('DELETE', '/api/v1/sessions/current', { headers: { 'Content-Type': 'application/json' } });
  assert.equal(out.status, 200, out.text);
  assert.equal((await me('GET', '/api/v1/sessions/current')).status, 401);
  // A password change ends every session of the user.
  const s2 = await login(u.username, u.password);
  run(['user', 'passwd', u.username, '--db', env.db, '--password-stdin'], { input: `${u.password}-changed\n` });
  u.password += '-changed';
  assert.equal((await client(env.url, { cookie: s2.cookie })('GET', '/api/v1/sessions/current')).status, 401);
  // Idle for 31 minutes: gone.
  const s3 = await login(u.username, u.password);
  assert.equal(s3.status, 201);
  sqlite(env.db, `UPDATE sessions SET last_seen_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-31 minutes') WHERE user_id = (SELECT id FROM users WHERE username = '${u.username}')`);
  assert.equal((await client(env.url, { cookie: s3.cookie })('GET', '/api/v1/sessions/current')).status, 401);
  // Past the absolute 12 hours: gone.
  const s4 = await login(u.username, u.password);
  assert.match(s4.json.expires_at, /^\d{4}-/);
  const hours = (Date.parse(s4.json.expires_at) - Date.now()) / 3600e3;
  assert.ok(hours > 11.9 && hours <= 12.01, `session lasts ${hours} h`);
  sqlite(env.db, `UPDATE sessions SET expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 seconds') WHERE user_id = (SELECT id FROM users WHERE username = '${u.username}')`);
  assert.equal((await client(env.url, { cookie: s4.cookie })('GET', '/api/v1/sessions/current')).status, 401);
  // A disabled user's tokens stop working.
  run(['user', 'disable', users.B.analyst.username, '--db', env.db]);
  assert.equal((await users.B.analyst.api('GET', '/api/v1/sessions/current')).status, 401);
});

test('security headers on every kind of answer', async () => {
  const answers = [
    await env.anon('GET', '/api/v1/health'),
    await env.anon('GET', '/api/v1/persons'),
    await env.api('GET', '/api/v1/nowhere'),
    await env.api('GET', '/api/v1/persons?limit=2'),
  ];
  for (const r of answers) {
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
    assert.match(r.headers.get('content-security-policy'), /default-src 'none'/);
    assert.match(r.headers.get('content-security-policy'), /frame-ancestors 'none'/);
    assert.equal(r.headers.get('cache-control'), 'no-store');
  }
});
