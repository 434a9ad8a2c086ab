// dispatch.test.mjs - what the dispatcher enforces for every route before a
// handler runs: authentication (401 on every non-public route, the loop made
// from `homeward routes`), unknown paths (404), wrong methods (405 + Allow),
// body limits (413), content types (415), malformed JSON (400); plus health
// and the OpenAPI description matching the route table.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { run, setup, assertProblem } from './helpers.mjs';

let env;
let routes;

before(async () => {
  routes = JSON.parse(run(['routes']).stdout);
  env = await setup();
});

after(async () => {
  await env?.close();
});

function concrete(p) {
  return p.replace(/\{[^}]+\}/g, randomUUID());
}

const sample = { given_name: 'Sample', family_name: 'Routetestyan' };

test('homeward routes prints a well-formed route table', () => {
  assert.ok(Array.isArray(routes) && routes.length >= 20, 'too few routes');
  const seen = new Set();
  for (const r of routes) {
    assert.match(r.method, /^(GET|POST|PATCH|PUT|DELETE)$/);
    assert.match(r.path, /^\/api\/v1\//);
    assert.equal(typeof r.permission, 'string');
    assert.ok(Number.isInteger(r.body_max) && r.body_max >= 0);
    assert.equal(typeof r.summary, 'string');
    const k = `${r.method} ${r.path}`;
    assert.ok(!seen.has(k), `duplicate route ${k}`);
    seen.add(k);
  }
  // Only health, the API description and login are public.
  const pub = routes.filter((r) => r.permission === 'public').map((r) => `${r.method} ${r.path}`).sort();
  assert.deepEqual(pub, ['GET /api/v1/health', 'GET /api/v1/openapi.json', 'POST /api/v1/sessions']);
});

test('GET /api/v1/health answers without credentials', async () => {
  const r = await env.anon('GET', '/api/v1/health');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.equal(r.json.status, 'ok');
  assert.equal(typeof r.json.version, 'string');
  assert.ok(Number.isInteger(r.json.schema) && r.json.schema >= 1);
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
});

test('every non-public route answers 401 without credentials', async () => {
  let n = 0;
  for (const rt of routes.filter((x) => x.permission !== 'public')) {
    const p = concrete(rt.path);
    const opts = rt.body_max > 0 ? { body: sample } : {};
    const r = await env.anon(rt.method, p, opts);
    assertProblem(r, 401);
    assert.match(r.headers.get('www-authenticate') || '', /^Bearer/, `${rt.method} ${rt.path}`);
    n++;
  }
  assert.ok(n >= 15);
});

test('every non-public route answers 401 with a bogus token or a bogus session cookie', async () => {
  for (const rt of routes.filter((x) => x.permission !== 'public')) {
    const p = concrete(rt.path);
    const opts = rt.body_max > 0 ? { body: sample } : {};
    const a = await env.anon(rt.method, p, { ...opts, token: 'hwt_not-a-real-token-at-all-000000000000' });
    assertProblem(a, 401);
    const b = await env.anon(rt.method, p, { ...opts, cookie: 'hw_session=forged-session-value-0000000000', origin: env.url });
    assertProblem(b, 401);
  }
});

test('every route answers an admin with JSON and never a 5xx, even for ids of nothing and empty bodies', async () => {
  for (const rt of routes) {
    if (rt.method === 'DELETE' && rt.path === '/api/v1/sessions/current') continue;
    const p = concrete(rt.path);
    const opts = rt.body_max > 0 && rt.method !== 'GET' ? { body: {} } : {};
    const r = await env.api(rt.method, p, opts);
    const what = `${rt.method} ${rt.path}: ${r.status} ${r.text.slice(0, 200)}`;
    assert.ok(r.status < 500, what);
    assert.ok(r.status !== 401 && r.status !== 405, what);
    assert.match(r.headers.get('content-type') || '', /^application\/(problem\+)?json/, what);
    if (r.status >= 400) assert.equal(r.json.status, r.status, what);
  }
  // The token still works afterwards (nothing above logged it out).
  assert.equal((await env.api('GET', '/api/v1/sessions/current')).status, 200);
});

test('nothing was written by the unauthenticated requests', async () => {
  const r = await env.api('GET', '/api/v1/persons?q=Routetestyan');
  assert.equal(r.status, 200);
  assert.equal(r.json.items.length, 0);
});

test('unknown paths answer 404 as problem+json', async () => {
  for (const p of ['/api/v1/nothing-here', '/api/v1/persons/x/y/z', '/', '/api/v2/persons', '/api/v1/personsx']) {
    const r = await env.api('GET', p);
    assertProblem(r, 404);
  }
  // An unknown path is 404 even without credentials (nothing to protect).
  assertProblem(await env.anon('GET', '/api/v1/nothing-here'), 404);
});

test('ids that are not UUIDs answer 404', async () => {
  for (const p of ['/api/v1/persons/123', '/api/v1/households/abc', '/api/v1/returns/zz', '/api/v1/persons/1/history']) {
    assertProblem(await env.api('GET', p), 404);
  }
  assertProblem(await env.api('DELETE', '/api/v1/tokens/not-a-uuid'), 404);
  // A well-formed id of nothing is 404 too.
  assertProblem(await env.api('GET', `/api/v1/persons/${randomUUID()}`), 404);
  assertProblem(await env.api('GET', `/api/v1/households/${randomUUID()}/history`), 404);
});

test('a known path with a wrong method answers 405 with Allow', async () => {
  const cases = [
    ['DELETE', '/api/v1/persons', ['GET', 'POST']],
    ['PUT', `/api/v1/persons/${randomUUID()}`, ['GET', 'PATCH']],
    ['DELETE', `/api/v1/returns/${randomUUID()}`, ['GET', 'PATCH']],
    ['GET', `/api/v1/returns/${randomUUID()}/transitions`, ['POST']],
    ['POST', '/api/v1/health', ['GET']],
    ['PATCH', '/api/v1/sessions/current', ['DELETE', 'GET']],
    ['POST', '/api/v1/settlements', ['GET']],
  ];
  for (const [m, p, allow] of cases) {
    const r = await env.api(m, p, m === 'GET' ? {} : { body: {} });
    assertProblem(r, 405);
    const got = (r.headers.get('allow') || '').split(',').map((s) => s.trim()).filter(Boolean).sort();
    assert.deepEqual(got, allow, `${m} ${p}: Allow ${r.headers.get('allow')}`);
  }
  // The Allow header of each path lists exactly the table's methods for it.
  const byPath = new Map();
  for (const rt of routes) byPath.set(rt.path, [...(byPath.get(rt.path) || []), rt.method]);
  for (const [p, methods] of byPath) {
    const r = await env.api('PUT', concrete(p), { body: {} });
    assertProblem(r, 405);
    const got = r.headers.get('allow').split(',').map((s) => s.trim()).sort();
    assert.deepEqual(got, [...methods].sort(), p);
  }
});

test('a body larger than the route accepts answers 413', async () => {
  const big = { given_name: 'Big', family_name: 'Bodyan', notes: 'x'.repeat(70 * 1024) };
  const r = await env.api('POST', '/api/v1/persons', { body: big });
  assertProblem(r, 413);
  const login = await env.anon('POST', '/api/v1/sessions', { body: { username: 'admin', password: 'p'.repeat(5000) } });
  assertProblem(login, 413);
  // A route that takes no body refuses one.
  const del = await env.api('DELETE', `/api/v1/tokens/${randomUUID()}`, { body: { x: 1 } });
  assertProblem(del, 413);
  // Nothing was stored.
  const l = await env.api('GET', '/api/v1/persons?q=Bodyan');
  assert.equal(l.json.items.length, 0);
});

test('a chunked body (no Content-Length) over the limit answers 413', async () => {
  const u = new URL(env.url);
  const status = await new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        method: 'POST',
        path: '/api/v1/households',
        headers: { Authorization: `Bearer ${env.token}`, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', reject);
    req.write('{"notes": "');
    for (let i = 0; i < 20; i++) req.write('y'.repeat(1024));
    req.end('"}');
  });
  assert.equal(status, 413);
});

test('a body that is not JSON by Content-Type answers 415', async () => {
  const body = JSON.stringify(sample);
  for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
    const r = await env.api('POST', '/api/v1/persons', { raw: body, headers: { 'Content-Type': ct } });
    assertProblem(r, 415);
  }
  const r = await env.api('POST', '/api/v1/persons', { raw: body, headers: { 'Content-Type': 'application/json; charset=utf-8' } });
  assert.equal(r.status, 201, r.text);
});

test('malformed JSON answers 400 and writes nothing', async () => {
  const bodies = ['{"given_name": "Malformedyan"', '{given_name: "Malformedyan"}', 'nonsense', '{"given_name":"Malformedyan","given_name":"Malformedyan"}', '{"given_name":"Malformedyan"} trailing'];
  for (const raw of bodies) {
    const r = await env.api('POST', '/api/v1/persons', { raw, headers: { 'Content-Type': 'application/json' } });
    assertProblem(r, 400);
  }
  // JSON that is not an object.
  for (const raw of ['[1,2]', '"Malformedyan"', '42', 'null']) {
    const r = await env.api('POST', '/api/v1/persons', { raw, headers: { 'Content-Type': 'application/json' } });
    assert.ok(r.status === 400 || r.status === 422, `${raw}: ${r.status} ${r.text}`);
    assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
  }
  const l = await env.api('GET', '/api/v1/persons?q=Malformedyan');
  assert.equal(l.json.items.length, 0);
});

test('a write with no body answers 400', async () => {
  const r = await env.api('POST', '/api/v1/persons', {});
  assertProblem(r, 400);
});

test('the OpenAPI description lists exactly the routes of `homeward routes`', async () => {
  const r = await env.anon('GET', '/api/v1/openapi.json');
  assert.equal(r.status, 200);
  const doc = r.json;
  assert.match(String(doc.openapi), /^3\.1/);
  assert.ok(doc.info && typeof doc.info.title === 'string');
  const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
  const described = [];
  for (const [p, item] of Object.entries(doc.paths || {})) {
    for (const m of Object.keys(item)) {
      if (methods.includes(m)) described.push(`${m.toUpperCase()} ${p}`);
    }
  }
  // OpenAPI paths may be written relative to a server URL of /api/v1.
  const base = (doc.servers || []).map((s) => s.url).find((u) => /\/api\/v1\/?$/.test(u));
  const norm = (k) => {
    const [m, p] = k.split(' ');
    const full = base && !p.startsWith('/api/v1') ? `/api/v1${p}` : p;
    return `${m} ${full.replace(/\{[^}]+\}/g, '{id}')}`;
  };
  const want = routes.map((x) => norm(`${x.method} ${x.path}`)).sort();
  const got = described.map(norm).sort();
  const missing = want.filter((k) => !got.includes(k));
  const extra = got.filter((k) => !want.includes(k));
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] });
  assert.equal(got.length, want.length);
});
