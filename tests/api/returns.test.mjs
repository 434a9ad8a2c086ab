// returns.test.mjs - return cases: opening one for a person or a household
// (exactly one of them), validation, the state machine (a full legal walk,
// suspend/resume, withdraw, going back, illegal moves answered 409 with the
// allowed moves), If-Match on moves, history and listing by status.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setup, assertProblem, etagVersion, syntheticPerson } from './helpers.mjs';

let env;
let person;
let hh;

before(async () => {
  env = await setup();
  person = (await env.api('POST', '/api/v1/persons', { body: syntheticPerson() })).json;
  hh = (await env.api('POST', '/api/v1/households', { body: { origin_settlement: 'shushi' } })).json;
});

after(async () => {
  await env?.close();
});

const utcDay = () => new Date().toISOString().slice(0, 10);
// The server's today (UTC); a request may straddle midnight, so accept the
// day before or after the request as well.
async function aroundToday(f) {
  const before = utcDay();
  const r = await f();
  return { r, days: [before, utcDay()] };
}
const tomorrow = new Date(Date.now() + 2 * 86400e3).toISOString().slice(0, 10);

async function open(body = {}) {
  const r = await env.api('POST', '/api/v1/returns', { body: { person: person.id, intention: 'wishes_to_return', requested_date: '2024-03-01', ...body } });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function move(c, to, extra = {}) {
  const r = await env.api('POST', `/api/v1/returns/${c.id}/transitions`, { ifMatch: `"${c.version}"`, body: { to, ...extra } });
  assert.equal(r.status, 200, `${c.status} -> ${to}: ${r.text}`);
  assert.equal(r.json.status, to);
  assert.equal(etagVersion(r), c.version + 1);
  return r.json;
}

function sorted(a) {
  return [...a].sort();
}

test('open a return case for a person: registered, RC number, allowed moves', async () => {
  const r = await env.api('POST', '/api/v1/returns', {
    body: {
      person: person.id,
      intention: 'wishes_to_return',
      intention_date: '2024-02',
      conditions: ['security_guarantees', 'property', 'documents'],
      conditions_note: 'Synthetic note\nsecond line',
      destination_settlement: 'stepanakert',
      requested_date: '2024-03-01',
    },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.get('location'), `/api/v1/returns/${r.json.id}`);
  assert.equal(etagVersion(r), 1);
  const c = r.json;
  assert.match(c.number, /^RC-\d{4,}-\d$/);
  assert.equal(c.status, 'registered');
  assert.equal(c.person, person.id);
  assert.equal(c.household, null);
  assert.equal(c.status_date, '2024-03-01');
  assert.deepEqual(sorted(c.conditions), ['documents', 'property', 'security_guarantees']);
  const g = await env.api('GET', `/api/v1/returns/${c.id}`);
  assert.equal(g.status, 200);
  assert.deepEqual(sorted(g.json.allowed_moves), ['counselled', 'suspended', 'withdrawn']);
  assert.deepEqual(g.json.transitions, []);
  assert.equal(g.json.days_to_arrival, null);
});

test('a return case for a household; requested_date defaults to today', async () => {
  const { r, days } = await aroundToday(() => env.api('POST', '/api/v1/returns', { body: { household: hh.id, intention: 'undecided' } }));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.household, hh.id);
  assert.equal(r.json.person, null);
  assert.ok(days.includes(r.json.requested_date), `${r.json.requested_date} is not today (${days})`);
  assert.equal(r.json.status, 'registered');
});

test('both or neither of household and person: 422 naming the field', async () => {
  const both = await env.api('POST', '/api/v1/returns', { body: { household: hh.id, person: person.id, intention: 'undecided' } });
  assertProblem(both, 422);
  assert.ok(['household', 'person'].includes(both.json.field), both.text);
  assertProblem(both, 422, both.json.field);
  const neither = await env.api('POST', '/api/v1/returns', { body: { intention: 'undecided' } });
  assertProblem(neither, 422);
  assert.ok(['household', 'person'].includes(neither.json.field), neither.text);
  assertProblem(neither, 422, neither.json.field);
  // Nor may an update leave a case with both.
  const c = await open();
  const u = await env.api('PATCH', `/api/v1/returns/${c.id}`, { ifMatch: '"1"', body: { household: hh.id } });
  assertProblem(u, 422);
  assert.ok(['household', 'person'].includes(u.json.field));
});

test('return case validation names the field', async () => {
  const base = { person: person.id, intention: 'wishes_to_return' };
  const cases = [
    [{ intention: undefined }, 'intention'],
    [{ intention: null }, 'intention'],
    [{ intention: 'maybe' }, 'intention'],
    [{ intention: 3 }, 'intention'],
    [{ conditions: ['jobs'] }, 'conditions'],
    [{ conditions: 'property' }, 'conditions'],
    [{ conditions_note: 'c'.repeat(1001) }, 'conditions_note'],
    [{ intention_date: '2024-13' }, 'intention_date'],
    [{ intention_date: tomorrow }, 'intention_date'],
    [{ requested_date: '2024-03' }, 'requested_date'],
    [{ requested_date: '2023-02-29' }, 'requested_date'],
    [{ requested_date: tomorrow }, 'requested_date'],
    [{ destination_settlement: 'atlantis' }, 'destination_settlement'],
    [{ crossing_point: randomUUID() }, 'crossing_point'],
    [{ person: randomUUID() }, 'person'],
    [{ person: 'nobody' }, 'person'],
    [{ person: undefined, household: randomUUID() }, 'household'],
    [{ status: 'arrived' }, 'status'],
    [{ arrived_date: '2024-01-01' }, 'arrived_date'],
    [{ notes: 'x\u0003y' }, 'notes'],
    [{ destination: 'stepanakert' }, 'destination'],
  ];
  for (const [patch, field] of cases) {
    const body = { ...base, ...patch };
    for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
    assertProblem(await env.api('POST', '/api/v1/returns', { body }), 422, field);
  }
});

test('a full legal walk from registered to followed_up', async () => {
  let c = await open();
  const path = ['counselled', 'ready', 'scheduled', 'in_transit', 'arrived', 'followed_up'];
  const dates = ['2024-03-05', '2024-03-10', '2024-03-15', '2024-03-20', '2024-03-21', '2024-04-21'];
  for (let i = 0; i < path.length; i++) {
    c = await move(c, path[i], { reason: `step ${i + 1}`, date: dates[i] });
    assert.equal(c.status_date, dates[i]);
  }
  assert.equal(c.version, 7);
  assert.deepEqual(c.allowed_moves, []);
  assert.equal(c.scheduled_date, '2024-03-15');
  assert.equal(c.arrived_date, '2024-03-21');
  assert.equal(c.days_to_arrival, 20);
  assert.equal(c.transitions.length, 6);
  assert.deepEqual(c.transitions.map((t) => t.to), path);
  assert.deepEqual(c.transitions.map((t) => t.from), ['registered', ...path.slice(0, -1)]);
  // Final: any further move is refused with no allowed moves.
  const r = await env.api('POST', `/api/v1/returns/${c.id}/transitions`, { ifMatch: `"${c.version}"`, body: { to: 'suspended', reason: 'x' } });
  assertProblem(r, 409, 'to');
  assert.deepEqual(r.json.allowed_moves, []);
  assert.equal(r.json.current, 'followed_up');
  // The history holds the create and every move, with who and what.
  const h = await env.api('GET', `/api/v1/returns/${c.id}/history`);
  assert.equal(h.status, 200);
  assert.deepEqual(h.json.items.map((i) => i.action), ['create', ...path.map(() => 'transition')]);
  assert.deepEqual(h.json.items[1].changes.status, { from: 'registered', to: 'counselled' });
  assert.equal(h.json.items[1].changes.reason, 'step 1');
  assert.ok(h.json.items.every((i) => i.user === 'admin'));
  assert.deepEqual(h.json.items.map((i) => i.version), [1, 2, 3, 4, 5, 6, 7]);
});

test('illegal moves answer 409 with the current status and the allowed moves', async () => {
  const c = await open();
  const cases = ['arrived', 'followed_up', 'in_transit', 'scheduled', 'ready', 'registered', 'no_such_status'];
  for (const to of cases) {
    const r = await env.api('POST', `/api/v1/returns/${c.id}/transitions`, { ifMatch: '"1"', body: { to, reason: 'try' } });
    assertProblem(r, 409, 'to');
    assert.equal(r.json.current, 'registered');
    assert.deepEqual(sorted(r.json.allowed_moves), ['counselled', 'suspended', 'withdrawn']);
  }
  // Nothing moved.
  const g = await env.api('GET', `/api/v1/returns/${c.id}`);
  assert.equal(g.json.status, 'registered');
  assert.equal(g.json.version, 1);
  // In transit: cannot be withdrawn, can be turned back (suspended) or arrive.
  let t = c;
  for (const s of ['counselled', 'ready', 'scheduled', 'in_transit']) t = await move(t, s);
  const w = await env.api('POST', `/api/v1/returns/${t.id}/transitions`, { ifMatch: `"${t.version}"`, body: { to: 'withdrawn', reason: 'changed mind' } });
  assertProblem(w, 409, 'to');
  assert.deepEqual(sorted(w.json.allowed_moves), ['arrived', 'suspended']);
});

test('suspend needs a reason and resumes to the status it left; a scheduled case can go back to ready', async () => {
  let c = await open();
  c = await move(c, 'counselled');
  c = await move(c, 'ready');
  c = await move(c, 'scheduled');
  assert.deepEqual(sorted(c.allowed_moves), ['in_transit', 'ready', 'suspended', 'withdrawn']);
  const noReason = await env.api('POST', `/api/v1/returns/${c.id}/transitions`, { ifMatch: `"${c.version}"`, body: { to: 'suspended' } });
  assertProblem(noReason, 422, 'reason');
  const emptyReason = await env.api('POST', `/api/v1/returns/${c.id}/transitions`, { ifMatch: `"${c.version}"`, body: { to: 'suspended', reason: '' } });
  assertProblem(emptyReason, 422, 'reason');
  c = await move(c, 'suspended', { reason: 'road closed (synthetic)' });
  assert.equal(c.suspended_from, 'scheduled');
  assert.deepEqual(sorted(c.allowed_moves), ['scheduled', 'withdrawn']);
  // While suspended it cannot jump elsewhere.
  const jump = await env.api('POST', `/api/v1/returns/${c.id}/transitions`, { ifMatch: `"${c.version}"`, body: { to: 'in_transit' } });
  assertProblem(jump, 409, 'to');
  assert.deepEqual(sorted(jump.json.allowed_moves), ['scheduled', 'withdrawn']);
  c = await move(c, 'scheduled', { reason: 'road open again' });
  assert.equal(c.status, 'scheduled');
  c = await move(c, 'ready', { reason: 'date moved' });
  assert.deepEqual(sorted(c.allowed_moves), ['counselled', 'scheduled', 'suspended', 'withdrawn']);
  // Turned back on the road: in_transit -> suspended -> in_transit.
  c = await move(c, 'scheduled');
  c = await move(c, 'in_transit');
  c = await move(c, 'suspended', { reason: 'turned back at the crossing (synthetic)' });
  assert.equal(c.suspended_from, 'in_transit');
  assert.deepEqual(sorted(c.allowed_moves), ['in_transit', 'withdrawn']);
  c = await move(c, 'in_transit');
  c = await move(c, 'arrived');
  assert.deepEqual(c.allowed_moves, ['followed_up']);
});

test('withdraw needs a reason; withdrawn is final; a suspended case can be withdrawn', async () => {
  let a = await open();
  assertProblem(await env.api('POST', `/api/v1/returns/${a.id}/transitions`, { ifMatch: '"1"', body: { to: 'withdrawn' } }), 422, 'reason');
  a = await move(a, 'withdrawn', { reason: 'no longer wishes to return (synthetic)' });
  assert.deepEqual(a.allowed_moves, []);
  const again = await env.api('POST', `/api/v1/returns/${a.id}/transitions`, { ifMatch: `"${a.version}"`, body: { to: 'registered' } });
  assertProblem(again, 409, 'to');
  assert.deepEqual(again.json.allowed_moves, []);
  let b = await open();
  b = await move(b, 'counselled');
  b = await move(b, 'suspended', { reason: 'waiting (synthetic)' });
  b = await move(b, 'withdrawn', { reason: 'gave up (synthetic)' });
  assert.equal(b.status, 'withdrawn');
  assert.deepEqual(b.allowed_moves, []);
});

test('moves: stale If-Match 412, bad members 422, dates checked', async () => {
  const c = await open();
  const url = `/api/v1/returns/${c.id}/transitions`;
  assertProblem(await env.api('POST', url, { ifMatch: '"7"', body: { to: 'counselled' } }), 412);
  assertProblem(await env.api('POST', url, { body: { to: 'counselled', version: 9 } }), 412);
  assertProblem(await env.api('POST', url, { ifMatch: '"x"', body: { to: 'counselled' } }), 400);
  assertProblem(await env.api('POST', url, { ifMatch: '"1"', body: {} }), 422, 'to');
  assertProblem(await env.api('POST', url, { ifMatch: '"1"', body: { to: 5 } }), 422, 'to');
  assertProblem(await env.api('POST', url, { ifMatch: '"1"', body: { to: 'counselled', date: tomorrow } }), 422, 'date');
  assertProblem(await env.api('POST', url, { ifMatch: '"1"', body: { to: 'counselled', date: '2024-03' } }), 422, 'date');
  assertProblem(await env.api('POST', url, { ifMatch: '"1"', body: { to: 'counselled', date: '2024-02-30' } }), 422, 'date');
  assertProblem(await env.api('POST', url, { ifMatch: '"1"', body: { to: 'counselled', date: '2024-02-01' } }), 422, 'date');
  assertProblem(await env.api('POST', url, { ifMatch: '"1"', body: { to: 'counselled', reason: 'r'.repeat(1001) } }), 422, 'reason');
  assertProblem(await env.api('POST', url, { ifMatch: '"1"', body: { to: 'counselled', reason: 'bad \u0001' } }), 422, 'reason');
  assertProblem(await env.api('POST', url, { ifMatch: '"1"', body: { to: 'counselled', by: 'someone' } }), 422, 'by');
  assertProblem(await env.api('POST', `/api/v1/returns/${randomUUID()}/transitions`, { ifMatch: '"1"', body: { to: 'counselled' } }), 404);
  assertProblem(await env.api('POST', '/api/v1/returns/not-a-uuid/transitions', { ifMatch: '"1"', body: { to: 'counselled' } }), 404);
  // None of it moved the case.
  const g = await env.api('GET', `/api/v1/returns/${c.id}`);
  assert.equal(g.json.status, 'registered');
  assert.equal(g.json.version, 1);
  // The version member works in place of If-Match.
  const { r: ok, days } = await aroundToday(() => env.api('POST', url, { body: { to: 'counselled', version: 1 } }));
  assert.equal(ok.status, 200, ok.text);
  assert.ok(days.includes(ok.json.status_date), `${ok.json.status_date} is not today (${days})`);
});

test('updating a return case: If-Match, status cannot be written, history', async () => {
  const c = await open();
  assertProblem(await env.api('PATCH', `/api/v1/returns/${c.id}`, { body: { notes: 'x' } }), 428);
  assertProblem(await env.api('PATCH', `/api/v1/returns/${c.id}`, { ifMatch: '"2"', body: { notes: 'x' } }), 412);
  assertProblem(await env.api('PATCH', `/api/v1/returns/${c.id}`, { ifMatch: '"1"', body: { status: 'arrived' } }), 422, 'status');
  assertProblem(await env.api('PATCH', `/api/v1/returns/${c.id}`, { ifMatch: '"1"', body: { requested_date: null } }), 422, 'requested_date');
  const u = await env.api('PATCH', `/api/v1/returns/${c.id}`, { ifMatch: '"1"', body: { intention: 'undecided', conditions: ['housing'] } });
  assert.equal(u.status, 200, u.text);
  assert.equal(u.json.version, 2);
  assert.equal(u.json.status, 'registered');
  // Sending back the status unchanged is allowed.
  const same = await env.api('PATCH', `/api/v1/returns/${c.id}`, { ifMatch: '"2"', body: { status: 'registered', notes: 'n' } });
  assert.equal(same.status, 200, same.text);
  const h = await env.api('GET', `/api/v1/returns/${c.id}/history`);
  assert.deepEqual(h.json.items.map((i) => i.action), ['create', 'update', 'update']);
  assert.deepEqual(h.json.items[1].changes.intention, { from: 'wishes_to_return', to: 'undecided' });
});

test('return cases list and filter by status and person', async () => {
  const mine = [];
  for (let i = 0; i < 3; i++) mine.push(await open());
  await move(mine[0], 'counselled');
  const l = await env.api('GET', `/api/v1/returns?person=${person.id}&status=counselled&limit=100`);
  assert.equal(l.status, 200);
  assert.ok(l.json.items.length >= 1);
  assert.ok(l.json.items.every((c) => c.status === 'counselled' && c.person === person.id));
  assert.ok(l.json.items.some((c) => c.id === mine[0].id));
  const reg = await env.api('GET', '/api/v1/returns?status=registered&limit=100');
  assert.ok(reg.json.items.every((c) => c.status === 'registered'));
  assert.ok(reg.json.items.some((c) => c.id === mine[1].id));
  assert.ok(!reg.json.items.some((c) => c.id === mine[0].id));
  assertProblem(await env.api('GET', '/api/v1/returns?status=lost'), 400, 'status');
  assertProblem(await env.api('GET', '/api/v1/returns?intention=maybe'), 400, 'intention');
  const bySort = await env.api('GET', '/api/v1/returns?sort=-requested_date&limit=100');
  const d = bySort.json.items.map((c) => c.requested_date);
  for (let i = 1; i < d.length; i++) assert.ok(d[i - 1] >= d[i]);
});
