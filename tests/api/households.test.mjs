// households.test.mjs - households over HTTP: create, read with members,
// the head rule, update with If-Match, validation, history and listing.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setup, assertProblem, etagVersion, syntheticPerson, walk } from './helpers.mjs';

let env;

before(async () => {
  env = await setup();
});

after(async () => {
  await env?.close();
});

async function household(body = {}) {
  const r = await env.api('POST', '/api/v1/households', { body: { origin_settlement: 'stepanakert', ...body } });
  assert.equal(r.status, 201, r.text);
  return r;
}

test('create a household: 201, Location, ETag, HH number, no members yet', async () => {
  const r = await household({ current_country: 'AM', current_region: 'Kotayk', current_settlement: 'yerevan', declared_size: 4, notes: 'synthetic' });
  assert.equal(r.headers.get('location'), `/api/v1/households/${r.json.id}`);
  assert.equal(etagVersion(r), 1);
  assert.match(r.json.number, /^HH-\d{4,}-\d$/);
  assert.equal(r.json.declared_size, 4);
  assert.equal(r.json.origin_settlement, 'stepanakert');
  assert.equal(r.json.current_settlement, 'yerevan');
  assert.equal(r.json.head, null);
  const g = await env.api('GET', `/api/v1/households/${r.json.id}`);
  assert.equal(g.status, 200);
  assert.equal(g.json.size, 0);
  assert.deepEqual(g.json.members, []);
});

test('members are the persons pointing at the household; the head must be one of them', async () => {
  const hh = (await household({ declared_size: 3 })).json;
  const other = (await household()).json;
  const a = await env.api('POST', '/api/v1/persons', { body: syntheticPerson({ household: hh.id, relation_to_head: 'head' }) });
  const b = await env.api('POST', '/api/v1/persons', { body: syntheticPerson({ household: hh.id, relation_to_head: 'child' }) });
  const outsider = await env.api('POST', '/api/v1/persons', { body: syntheticPerson({ household: other.id }) });
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  const g = await env.api('GET', `/api/v1/households/${hh.id}`);
  assert.equal(g.json.size, 2);
  const memberIds = g.json.members.map((m) => m.id ?? m.person ?? m.uuid).sort();
  assert.deepEqual(memberIds, [a.json.id, b.json.id].sort());
  // A head who is not a member is refused, at creation and on update.
  assertProblem(await env.api('POST', '/api/v1/households', { body: { head: a.json.id } }), 422, 'head');
  assertProblem(await env.api('PATCH', `/api/v1/households/${hh.id}`, { ifMatch: '"1"', body: { head: outsider.json.id } }), 422, 'head');
  assertProblem(await env.api('PATCH', `/api/v1/households/${hh.id}`, { ifMatch: '"1"', body: { head: randomUUID() } }), 422, 'head');
  const ok = await env.api('PATCH', `/api/v1/households/${hh.id}`, { ifMatch: '"1"', body: { head: a.json.id } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.head, a.json.id);
  assert.equal(etagVersion(ok), 2);
  // Filter lists by household.
  const l = await env.api('GET', `/api/v1/persons?household=${hh.id}`);
  assert.deepEqual(l.json.items.map((p) => p.id).sort(), [a.json.id, b.json.id].sort());
});

test('household validation names the field', async () => {
  const cases = [
    [{ declared_size: 0 }, 'declared_size'],
    [{ declared_size: 101 }, 'declared_size'],
    [{ declared_size: '3' }, 'declared_size'],
    [{ declared_size: 2.5 }, 'declared_size'],
    [{ origin_settlement: 'atlantis' }, 'origin_settlement'],
    [{ current_settlement: 5 }, 'current_settlement'],
    [{ current_country: 'Armenia' }, 'current_country'],
    [{ current_region: 'r'.repeat(101) }, 'current_region'],
    [{ notes: 'n'.repeat(2001) }, 'notes'],
    [{ notes: 'bad \u0002 char' }, 'notes'],
    [{ record_status: 'duplicate' }, 'record_status'],
    [{ memberz: [] }, 'memberz'],
    [{ head: 'not-a-uuid' }, 'head'],
  ];
  for (const [body, field] of cases) {
    assertProblem(await env.api('POST', '/api/v1/households', { body: { notes: 'Invalidhousehold', ...body } }), 422, field);
  }
});

test('household updates: If-Match required (428), stale (412), history records them', async () => {
  const hh = (await household({ declared_size: 2 })).json;
  assertProblem(await env.api('PATCH', `/api/v1/households/${hh.id}`, { body: { declared_size: 3 } }), 428);
  const u = await env.api('PATCH', `/api/v1/households/${hh.id}`, { ifMatch: '"1"', body: { declared_size: 3 } });
  assert.equal(u.status, 200, u.text);
  assertProblem(await env.api('PATCH', `/api/v1/households/${hh.id}`, { ifMatch: '"1"', body: { declared_size: 5 } }), 412);
  const u2 = await env.api('PATCH', `/api/v1/households/${hh.id}`, { ifMatch: '"2"', body: { current_country: 'AM', notes: 'moved' } });
  assert.equal(u2.status, 200, u2.text);
  const h = await env.api('GET', `/api/v1/households/${hh.id}/history`);
  assert.equal(h.status, 200);
  assert.deepEqual(h.json.items.map((i) => i.action), ['create', 'update', 'update']);
  assert.deepEqual(h.json.items[1].changes, { declared_size: { from: 2, to: 3 } });
  assert.deepEqual(Object.keys(h.json.items[2].changes).sort(), ['current_country', 'notes']);
  assert.ok(h.json.items.every((i) => i.user === 'admin'));
  assertProblem(await env.api('PATCH', `/api/v1/households/${randomUUID()}`, { ifMatch: '"1"', body: { notes: 'x' } }), 404);
});

test('households list: pages, sort by declared_size, filter by origin', async () => {
  for (let i = 0; i < 12; i++) await household({ origin_settlement: i % 2 ? 'shushi' : 'hadrut', declared_size: (i % 5) + 1 });
  const all = await walk(env.api, '/api/v1/households', 5);
  const ids = all.items.map((h) => h.id);
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(ids.length >= 12);
  const sorted = await walk(env.api, '/api/v1/households?sort=-declared_size', 4);
  assert.deepEqual(sorted.items.map((h) => h.id).sort(), [...ids].sort());
  const sizes = sorted.items.map((h) => h.declared_size ?? -Infinity);
  for (let i = 1; i < sizes.length; i++) assert.ok(sizes[i - 1] >= sizes[i], `not descending at ${i}: ${sizes}`);
  const shushi = await walk(env.api, '/api/v1/households?origin_settlement=shushi', 3);
  assert.ok(shushi.items.length >= 6);
  assert.ok(shushi.items.every((h) => h.origin_settlement === 'shushi'));
  assertProblem(await env.api('GET', '/api/v1/households?origin_settlement=atlantis'), 400, 'origin_settlement');
  assertProblem(await env.api('GET', '/api/v1/households?q=anything'), 400, 'q');
  assertProblem(await env.api('GET', '/api/v1/households?sort=notes'), 400, 'sort');
});
