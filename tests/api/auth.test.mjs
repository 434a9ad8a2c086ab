// auth.test.mjs - logging in with a session cookie (HttpOnly, SameSite=Strict),
// the CSRF rule for cookie writes (Origin must match Host), logout, API
// tokens (create, list, revoke), users, organisations and the role checks
// the route table names.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setup, client, run, makeUser, makeToken, assertProblem, syntheticPerson } from './helpers.mjs';

let env;

before(async () => {
  env = await setup();
});

after(async () => {
  await env?.close();
});

function sessionCookie(r) {
  const sc = r.headers.get('set-cookie') || '';
  const m = /hw_session=([^;]*)/.exec(sc);
  return { raw: sc, value: m ? m[1] : null };
}

async function login(username, password) {
  const r = await env.anon('POST', '/api/v1/sessions', { body: { username, password } });
  assert.equal(r.status, 201, r.text);
  const c = sessionCookie(r);
  assert.ok(c.value && c.value.length >= 20, `no session cookie: ${c.raw}`);
  return { r, cookie: `hw_session=${c.value}` };
}

test('login sets an HttpOnly, SameSite=Strict session cookie and answers who logged in', async () => {
  const { r, cookie } = await login('admin', env.adminPassword);
  const sc = r.headers.get('set-cookie');
  assert.match(sc, /;\s*HttpOnly/i);
  assert.match(sc, /;\s*SameSite=Strict/i);
  assert.match(sc, /;\s*Path=\//i);
  assert.equal(r.json.user.username, 'admin');
  assert.equal(r.json.user.role, 'admin');
  assert.equal(typeof r.json.csrf_token, 'string');
  assert.equal(typeof r.json.expires_at, 'string');
  // The answer never carries the password or its hash.
  assert.ok(!r.text.includes(env.adminPassword));
  assert.ok(!/argon2|pw_hash|password/i.test(JSON.stringify(r.json.user)));
  const who = await env.anon('GET', '/api/v1/sessions/current', { cookie });
  assert.equal(who.status, 200, who.text);
  assert.equal(who.json.user.username, 'admin');
  assert.equal(who.json.via, 'session');
});

test('login with a wrong password or unknown user is 401; missing members are 422 naming them', async () => {
  assertProblem(await env.anon('POST', '/api/v1/sessions', { body: { username: 'admin', password: 'wrong-password-123' } }), 401);
  assertProblem(await env.anon('POST', '/api/v1/sessions', { body: { username: 'nobody-here', password: 'wrong-password-123' } }), 401);
  const a = await env.anon('POST', '/api/v1/sessions', { body: { password: 'x-password-long' } });
  assertProblem(a, 422, 'username');
  const b = await env.anon('POST', '/api/v1/sessions', { body: { username: 'admin' } });
  assertProblem(b, 422, 'password');
  const c = await env.anon('POST', '/api/v1/sessions', { body: { username: 5, password: 'x-password-long' } });
  assertProblem(c, 422, 'username');
  const d = await env.anon('POST', '/api/v1/sessions', { body: [] });
  assertProblem(d, 400);
  // A failed login sets no cookie.
  const e = await env.anon('POST', '/api/v1/sessions', { body: { username: 'admin', password: 'wrong-password-123' } });
  assert.equal(sessionCookie(e).value, null);
});

test('a cookie write without Origin is refused (403); with a foreign Origin too; with this Origin it works', async () => {
  const { cookie } = await login('admin', env.adminPassword);
  const body = syntheticPerson({ family_name: 'Csrftestyan' });
  const noOrigin = await env.anon('POST', '/api/v1/persons', { cookie, body });
  assertProblem(noOrigin, 403);
  const foreign = await env.anon('POST', '/api/v1/persons', { cookie, origin: 'http://evil.example', body });
  assertProblem(foreign, 403);
  const otherPort = await env.anon('POST', '/api/v1/persons', { cookie, origin: `http://127.0.0.1:${env.server.port + 1}`, body });
  assertProblem(otherPort, 403);
  // Nothing was written by the refused requests.
  const l0 = await env.api('GET', '/api/v1/persons?q=Csrftestyan');
  assert.equal(l0.json.items.length, 0);
  const formLike = await env.anon('POST', '/api/v1/persons', { cookie, origin: env.url, raw: JSON.stringify(body), headers: { 'Content-Type': 'text/plain' } });
  assertProblem(formLike, 403);
  const ok = await env.anon('POST', '/api/v1/persons', { cookie, origin: env.url, body });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.json.family_name, 'Csrftestyan');
  // Reads with the cookie need no Origin.
  const read = await env.anon('GET', `/api/v1/persons/${ok.json.id}`, { cookie });
  assert.equal(read.status, 200);
  // The person records who created it.
  const h = await env.api('GET', `/api/v1/persons/${ok.json.id}/history`);
  assert.equal(h.json.items[0].user, 'admin');
});

test('logout needs the Origin too, ends the session and clears the cookie', async () => {
  const { cookie } = await login('admin', env.adminPassword);
  assertProblem(await env.anon('DELETE', '/api/v1/sessions/current', { cookie }), 403);
  // Still logged in after the refused logout.
  assert.equal((await env.anon('GET', '/api/v1/sessions/current', { cookie })).status, 200);
  // A cookie write needs the JSON content type too (a form cannot send it).
  assertProblem(await env.anon('DELETE', '/api/v1/sessions/current', { cookie, origin: env.url, headers: { 'Content-Type': 'text/plain' } }), 403);
  assert.equal((await env.anon('GET', '/api/v1/sessions/current', { cookie })).status, 200);
  const out = await env.anon('DELETE', '/api/v1/sessions/current', {
    cookie,
    origin: env.url,
    headers: { 'Content-Type': 'application/json' },
  });
  assert.equal(out.status, 200, out.text);
  const sc = out.headers.get('set-cookie') || '';
  assert.match(sc, /hw_session=;/);
  assert.match(sc, /Max-Age=0/i);
  assertProblem(await env.anon('GET', '/api/v1/sessions/current', { cookie }), 401);
  assertProblem(await env.anon('GET', '/api/v1/persons', { cookie }), 401);
  // Another session of the same user is unaffected.
  const second = await login('admin', env.adminPassword);
  assert.equal((await env.anon('GET', '/api/v1/sessions/current', { cookie: second.cookie })).status, 200);
});

test('logging out with a token is refused (400): tokens are revoked instead', async () => {
  const r = await env.api('DELETE', '/api/v1/sessions/current');
  assertProblem(r, 400);
  const who = await env.api('GET', '/api/v1/sessions/current');
  assert.equal(who.status, 200);
  assert.equal(who.json.via, 'token');
  assert.equal(who.json.user.username, 'admin');
});

test('tokens: create (shown once), list (never the secret), use, revoke (then 401)', async () => {
  const c = await env.api('POST', '/api/v1/tokens', { body: { name: 'script-token', expires_days: 30 } });
  assert.equal(c.status, 201, c.text);
  assert.match(c.json.token, /^hwt_/);
  assert.match(c.json.id, /^[0-9a-f-]{36}$/);
  assert.equal(c.json.name, 'script-token');
  assert.equal(typeof c.json.expires_at, 'string');
  const secret = c.json.token;
  const l = await env.api('GET', '/api/v1/tokens');
  assert.equal(l.status, 200);
  assert.equal(l.json.next, null);
  const mine = l.json.items.find((t) => t.id === c.json.id);
  assert.ok(mine, 'the new token is listed');
  assert.equal(mine.name, 'script-token');
  assert.ok(!l.text.includes(secret), 'the list shows the secret');
  const use = client(env.url, { token: secret });
  const who = await use('GET', '/api/v1/sessions/current');
  assert.equal(who.status, 200);
  assert.equal(who.json.user.username, 'admin');
  const rv = await env.api('DELETE', `/api/v1/tokens/${c.json.id}`);
  assert.equal(rv.status, 200, rv.text);
  assert.equal(rv.json.revoked, true);
  assertProblem(await use('GET', '/api/v1/sessions/current'), 401);
  assertProblem(await use('GET', '/api/v1/persons'), 401);
  // Revoking again, or a token that never existed: 404.
  assertProblem(await env.api('DELETE', `/api/v1/tokens/${c.json.id}`), 404);
  assertProblem(await env.api('DELETE', `/api/v1/tokens/${randomUUID()}`), 404);
  // The token we test with still works.
  assert.equal((await env.api('GET', '/api/v1/tokens')).status, 200);
});

test('tokens: a token can revoke itself', async () => {
  const c = await env.api('POST', '/api/v1/tokens', { body: { name: 'self-revoking' } });
  assert.equal(c.status, 201);
  assert.equal(c.json.expires_at ?? null, null, 'a token without expires_days does not expire');
  const self = client(env.url, { token: c.json.token });
  assert.equal((await self('DELETE', `/api/v1/tokens/${c.json.id}`)).status, 200);
  assertProblem(await self('GET', '/api/v1/tokens'), 401);
});

test('tokens: validation names the field', async () => {
  assertProblem(await env.api('POST', '/api/v1/tokens', { body: {} }), 422, 'name');
  assertProblem(await env.api('POST', '/api/v1/tokens', { body: { name: '' } }), 422, 'name');
  assertProblem(await env.api('POST', '/api/v1/tokens', { body: { name: 7 } }), 422, 'name');
  assertProblem(await env.api('POST', '/api/v1/tokens', { body: { name: 'x'.repeat(101) } }), 422, 'name');
  assertProblem(await env.api('POST', '/api/v1/tokens', { body: { name: 'bad\u0001name' } }), 422, 'name');
  assertProblem(await env.api('POST', '/api/v1/tokens', { body: { name: 'n', expires_days: 0 } }), 422, 'expires_days');
  assertProblem(await env.api('POST', '/api/v1/tokens', { body: { name: 'n', expires_days: 3651 } }), 422, 'expires_days');
  assertProblem(await env.api('POST', '/api/v1/tokens', { body: { name: 'n', expires_days: '5' } }), 422, 'expires_days');
});

test("tokens: a user lists and revokes only their own; another user's token is 404 to them", async () => {
  const u = makeUser(env.db, 'registrar');
  const ut = makeToken(env.db, u.username, 'reg-token');
  const reg = client(env.url, { token: ut });
  const mine = await reg('POST', '/api/v1/tokens', { body: { name: 'reg-made' } });
  assert.equal(mine.status, 201);
  const adminTok = await env.api('POST', '/api/v1/tokens', { body: { name: 'admin-made' } });
  const l = await reg('GET', '/api/v1/tokens');
  assert.ok(l.json.items.some((t) => t.id === mine.json.id));
  assert.ok(!l.json.items.some((t) => t.id === adminTok.json.id), "a registrar sees admin's tokens");
  assertProblem(await reg('DELETE', `/api/v1/tokens/${adminTok.json.id}`), 404);
  // The admin's token still works.
  assert.equal((await client(env.url, { token: adminTok.json.token })('GET', '/api/v1/tokens')).status, 200);
  // An admin may list everyone's with ?all=true and revoke any.
  const all = await env.api('GET', '/api/v1/tokens?all=true');
  assert.ok(all.json.items.some((t) => t.id === mine.json.id));
  assert.equal((await env.api('DELETE', `/api/v1/tokens/${mine.json.id}`)).status, 200);
  assertProblem(await client(env.url, { token: mine.json.token })('GET', '/api/v1/tokens'), 401);
});

test('users: an admin creates one (password generated, shown once) who can then log in', async () => {
  const name = `fieldworker-${process.pid}`;
  const r = await env.api('POST', '/api/v1/users', { body: { username: name, role: 'registrar', display_name: 'Field Worker (synthetic)', language: 'hy' } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.username, name);
  assert.equal(r.json.role, 'registrar');
  assert.equal(typeof r.json.password, 'string');
  assert.ok(r.json.password.length >= 12);
  const { r: lr } = await login(name, r.json.password);
  assert.equal(lr.json.user.role, 'registrar');
  const l = await env.api('GET', '/api/v1/users');
  assert.equal(l.status, 200);
  assert.ok(l.json.items.some((u) => u.username === name));
  assert.ok(!l.text.includes(r.json.password));
  assert.ok(!/\$argon2/.test(l.text), 'password hashes are listed');
  // With a chosen password, none is echoed back.
  const r2 = await env.api('POST', '/api/v1/users', { body: { username: `${name}-2`, role: 'monitor', password: 'Chosen-pass-for-monitor-1' } });
  assert.equal(r2.status, 201, r2.text);
  assert.equal(r2.json.password, undefined);
  await login(`${name}-2`, 'Chosen-pass-for-monitor-1');
});

test('users: validation names the field; a taken username is 409', async () => {
  const cases = [
    [{ role: 'registrar' }, 'username'],
    [{ username: 'a', role: 'registrar' }, 'username'],
    [{ username: 'has space', role: 'registrar' }, 'username'],
    [{ username: 'okname1' }, 'role'],
    [{ username: 'okname1', role: 'superuser' }, 'role'],
    [{ username: 'okname1', role: 'registrar', language: 'fr' }, 'language'],
    [{ username: 'okname1', role: 'registrar', password: 'short' }, 'password'],
    [{ username: 'okname1', role: 'registrar', password: 'password1234' }, 'password'],
    [{ username: 'okname1', role: 'registrar', organisation: 'No Such Organisation' }, 'organisation'],
    [{ username: 'okname1', role: 'registrar', display_name: 'x'.repeat(129) }, 'display_name'],
  ];
  for (const [body, field] of cases) {
    assertProblem(await env.api('POST', '/api/v1/users', { body }), 422, field);
  }
  // None of them was created.
  const l = await env.api('GET', '/api/v1/users');
  assert.ok(!l.json.items.some((u) => u.username === 'okname1'));
  assertProblem(await env.api('POST', '/api/v1/users', { body: { username: 'admin', role: 'registrar' } }), 409, 'username');
});

test('organisations: create, list, duplicate 409, bad kind 422', async () => {
  const name = `Synthetic Relief Org ${process.pid}`;
  const r = await env.api('POST', '/api/v1/organisations', { body: { name, kind: 'ngo' } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.name, name);
  assert.equal(r.json.kind, 'ngo');
  const l = await env.api('GET', '/api/v1/organisations');
  assert.equal(l.status, 200);
  assert.ok(l.json.items.some((o) => o.name === name));
  assertProblem(await env.api('POST', '/api/v1/organisations', { body: { name, kind: 'ngo' } }), 409, 'name');
  assertProblem(await env.api('POST', '/api/v1/organisations', { body: { name: 'Other Org', kind: 'club' } }), 422, 'kind');
  assertProblem(await env.api('POST', '/api/v1/organisations', { body: { kind: 'ngo' } }), 422, 'name');
  assertProblem(await env.api('POST', '/api/v1/organisations', { body: { name: 'x'.repeat(201), kind: 'ngo' } }), 422, 'name');
  // A user can belong to the new organisation.
  const u = await env.api('POST', '/api/v1/users', { body: { username: `member-${process.pid}`, role: 'monitor', organisation: r.json.id } });
  assert.equal(u.status, 201, u.text);
  assert.ok(JSON.stringify(u.json).includes(r.json.id) || JSON.stringify(u.json).includes(name), u.text);
});

test('roles: each route needs the permission the table names (403 otherwise)', async () => {
  const reg = client(env.url, { token: makeToken(env.db, makeUser(env.db, 'registrar').username) });
  const analyst = client(env.url, { token: makeToken(env.db, makeUser(env.db, 'analyst').username) });
  const monitor = client(env.url, { token: makeToken(env.db, makeUser(env.db, 'monitor').username) });
  const auditor = client(env.url, { token: makeToken(env.db, makeUser(env.db, 'auditor').username) });
  const tracer = client(env.url, { token: makeToken(env.db, makeUser(env.db, 'tracing_officer').username) });

  const p = await reg('POST', '/api/v1/persons', { body: syntheticPerson({ family_name: 'Roletestyan', contact: 'synthetic-contact@example.org' }) });
  assert.equal(p.status, 201, p.text);
  assertProblem(await reg('GET', '/api/v1/users'), 403);
  assertProblem(await reg('POST', '/api/v1/organisations', { body: { name: 'R org', kind: 'ngo' } }), 403);

  assertProblem(await analyst('GET', '/api/v1/persons'), 403);
  assertProblem(await analyst('GET', `/api/v1/persons/${p.json.id}`), 403);
  assert.equal((await analyst('GET', '/api/v1/settlements?q=stepanakert')).status, 200);

  assertProblem(await monitor('POST', '/api/v1/persons', { body: syntheticPerson() }), 403);
  assertProblem(await monitor('GET', '/api/v1/persons'), 403);
  assert.equal((await monitor('GET', '/api/v1/returns')).status, 200);
  assertProblem(await monitor('POST', '/api/v1/returns', { body: { person: p.json.id, intention: 'undecided' } }), 403);

  assertProblem(await auditor('GET', '/api/v1/persons'), 403);
  assertProblem(await auditor('GET', '/api/v1/settlements?q=shushi'), 403);
  // Every authenticated user may see who they are and manage their tokens.
  assert.equal((await auditor('GET', '/api/v1/sessions/current')).status, 200);
  assert.equal((await auditor('GET', '/api/v1/tokens')).status, 200);

  // A tracing officer reads persons but not their protected contact.
  const t = await tracer('GET', `/api/v1/persons/${p.json.id}`);
  assert.equal(t.status, 200);
  assert.equal(t.json.contact, undefined);
  assert.ok(!t.text.includes('synthetic-contact@example.org'));
  const tl = await tracer('GET', '/api/v1/persons?q=Roletestyan');
  assert.equal(tl.json.items.length, 1);
  assert.ok(!tl.text.includes('synthetic-contact@example.org'));
  assertProblem(await tracer('PATCH', `/api/v1/persons/${p.json.id}`, { ifMatch: '"1"', body: { notes: 'x' } }), 403);
});

test('a disabled user can no longer log in, and their token and session stop working', async () => {
  const u = makeUser(env.db, 'registrar');
  const tok = client(env.url, { token: makeToken(env.db, u.username, 'to-be-disabled') });
  const { cookie } = await login(u.username, u.password);
  assert.equal((await tok('GET', '/api/v1/persons?limit=1')).status, 200);
  run(['user', 'disable', u.username, '--db', env.db]);
  assertProblem(await tok('GET', '/api/v1/persons?limit=1'), 401);
  assertProblem(await env.anon('GET', '/api/v1/sessions/current', { cookie }), 401);
  assertProblem(await env.anon('POST', '/api/v1/sessions', { body: { username: u.username, password: u.password } }), 401);
  // Enabling again lets the user log in; disabling revoked the old token for good.
  run(['user', 'enable', u.username, '--db', env.db]);
  await login(u.username, u.password);
  assertProblem(await tok('GET', '/api/v1/persons?limit=1'), 401);
});

test('a token revoked from the command line stops working at once', async () => {
  const u = makeUser(env.db, 'monitor');
  const secret = makeToken(env.db, u.username, 'cli-revoked');
  const tok = client(env.url, { token: secret });
  assert.equal((await tok('GET', '/api/v1/returns?limit=1')).status, 200);
  const l = await tok('GET', '/api/v1/tokens');
  const t = l.json.items.find((x) => x.name === 'cli-revoked');
  assert.ok(t, l.text);
  // Used by many requests at once, so that every worker has seen (and
  // remembers) the token before it is revoked by another process.
  const many = () => Promise.all(Array.from({ length: 16 }, () => tok('GET', '/api/v1/returns?limit=1')));
  for (const r of await many()) assert.equal(r.status, 200);
  run(['token', 'revoke', t.id, '--db', env.db]);
  for (const r of await many()) assertProblem(r, 401);
});

test('a token remembered by the server stops working once revoked through the API', async () => {
  const c = await env.api('POST', '/api/v1/tokens', { body: { name: 'remembered' } });
  assert.equal(c.status, 201, c.text);
  const tok = client(env.url, { token: c.json.token });
  const many = () => Promise.all(Array.from({ length: 16 }, () => tok('GET', '/api/v1/persons?limit=1')));
  for (const r of await many()) assert.equal(r.status, 200);
  assert.equal((await env.api('DELETE', `/api/v1/tokens/${c.json.id}`)).status, 200);
  for (const r of await many()) assertProblem(r, 401);
});
