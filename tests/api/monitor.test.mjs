// monitor.test.mjs - the monitoring record over HTTP (issue 5): detainee
// lifecycle and protected fields, tracing with consent-gated disclosure,
// incidents and their verification, link periods (overlap refused) and the
// all-open report, the seeded commitments and assessments, and indicators
// as of a past day that stay the same after later events. Generated data.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, makeUser, makeToken, client, assertProblem, etagVersion, syntheticPerson } from './helpers.mjs';

let env;
let analyst;
let monitor;

before(async () => {
  env = await setup();
  const a = makeUser(env.db, 'analyst');
  analyst = client(env.url, { token: makeToken(env.db, a.username, 'analyst') });
  const m = makeUser(env.db, 'monitor');
  monitor = client(env.url, { token: makeToken(env.db, m.username, 'monitor') });
});

after(async () => {
  await env?.close();
});

async function ok(r, status = 200) {
  assert.equal(r.status, status, r.text);
  return r.json;
}

test('a detainee walks its lifecycle; illegal moves answer 409 with the allowed moves', async () => {
  const d = await ok(
    await env.api('POST', '/api/v1/detainees', {
      body: {
        category: 'prisoner_of_war',
        surname: 'Synthetov',
        first_names: 'Testname',
        rank: 'private',
        status: 'captured',
        status_date: '2024-01-10',
        capture_source: 'test source',
        detention_place: 'Synthetic place 1',
      },
    }),
    201,
  );
  assert.match(d.number, /^DT-\d{4,}-\d$/);
  assert.equal(d.status, 'captured');
  assert.equal(d.detention_place, undefined, 'protected: withheld');
  assert.ok(d.protected.includes('detention_place'));
  assert.equal(d.events.length, 1);

  const moved = await ok(
    await env.api('POST', `/api/v1/detainees/${d.id}/events`, { body: { to: 'detained', date: '2024-01-12', source: 'ICRC' } }),
  );
  assert.equal(moved.status, 'detained');
  assert.deepEqual([...moved.allowed_moves].sort(), ['charged', 'deceased', 'released', 'visited']);

  const bad = await env.api('POST', `/api/v1/detainees/${d.id}/events`, { body: { to: 'repatriated', date: '2024-01-13' } });
  assertProblem(bad, 409, 'to');
  assert.equal(bad.json.current, 'detained');
  assert.ok(bad.json.allowed_moves.includes('released'));

  assertProblem(
    await env.api('POST', `/api/v1/detainees/${d.id}/events`, { body: { to: 'charged', date: '2024-01-11' } }),
    422,
    'date',
  );
  // A stale If-Match is refused.
  assertProblem(
    await env.api('POST', `/api/v1/detainees/${d.id}/events`, { body: { to: 'charged' }, ifMatch: '"1"' }),
    412,
  );
  // The status is not an ordinary field.
  const g = await env.api('GET', `/api/v1/detainees/${d.id}`);
  assertProblem(
    await env.api('PATCH', `/api/v1/detainees/${d.id}`, { body: { status: 'released' }, ifMatch: `"${etagVersion(g)}"` }),
    409,
    'status',
  );
  // A visit moves a detained person to visited.
  const v = await ok(
    await env.api('POST', `/api/v1/detainees/${d.id}/visits`, { body: { visitor: 'ICRC', date: '2024-02-01', outcome: 'seen' } }),
    201,
  );
  assert.equal(v.visitor, 'ICRC');
  const ev = await ok(await env.api('GET', `/api/v1/detainees/${d.id}/events`));
  assert.deepEqual(
    ev.items.map((e) => e.to),
    ['captured', 'detained', 'visited'],
  );
  assert.equal(ev.items[1].source, 'ICRC');
  // Protected values are sealed, shown only when revealed with a purpose.
  const shown = await ok(await env.api('GET', `/api/v1/detainees/${d.id}?reveal=detention_place&purpose=legal`));
  assert.equal(shown.detention_place, 'Synthetic place 1');
  const tr = await ok(
    await env.api('POST', `/api/v1/detainees/${d.id}/transfers`, { body: { date: '2024-02-10', to_place: 'Synthetic place 2' } }),
    201,
  );
  assert.equal(tr.to_place, undefined);
  assert.deepEqual(tr.protected, ['to_place']);
  const moved2 = await ok(await env.api('GET', `/api/v1/detainees/${d.id}?reveal=detention_place&purpose=legal`));
  assert.equal(moved2.detention_place, 'Synthetic place 2');
  assertProblem(await monitor('GET', `/api/v1/detainees/${d.id}`), 403);
  const hist = await ok(await env.api('GET', `/api/v1/detainees/${d.id}/history`));
  assert.ok(hist.items.length >= 4);
  assert.ok(!/Synthetic place/.test(JSON.stringify(hist)), 'history never holds protected values');
});

test('roles: an analyst reads indicators but not detainees; a monitor cannot write detainees', async () => {
  assertProblem(await analyst('GET', '/api/v1/detainees'), 403);
  await ok(await analyst('GET', '/api/v1/indicators'));
  assertProblem(await monitor('POST', '/api/v1/detainees', { body: { category: 'missing', surname: 'X' } }), 403);
  await ok(await monitor('GET', '/api/v1/links'));
});

test('link periods never overlap; the all-open report finds staggered lifting', async () => {
  const seeds = await ok(await env.api('GET', '/api/v1/links?seed=true&limit=100'));
  assert.ok(seeds.items.length >= 8);
  assert.ok(seeds.items.some((l) => l.kind === 'gas_pipeline') && seeds.items.some((l) => l.kind === 'internet'));
  const a = await ok(await monitor('POST', '/api/v1/links', { body: { kind: 'road', name: 'Synthetic road A' } }), 201);
  const b = await ok(await monitor('POST', '/api/v1/links', { body: { kind: 'power_line', name: 'Synthetic line B' } }), 201);
  await ok(await monitor('POST', `/api/v1/links/${a.id}/periods`, { body: { status: 'closed', from: '2023-01-01', to: '2023-03-31' } }), 201);
  const over = await monitor('POST', `/api/v1/links/${a.id}/periods`, { body: { status: 'open', from: '2023-03-31' } });
  assertProblem(over, 409, 'from');
  assert.equal(over.json.conflicts_with.status, 'closed');
  const open = await ok(await monitor('POST', `/api/v1/links/${a.id}/periods`, { body: { status: 'open', from: '2023-04-01' } }), 201);
  await ok(await monitor('POST', `/api/v1/links/${b.id}/periods`, { body: { status: 'restricted', from: '2023-01-01', to: '2023-04-09' } }), 201);
  await ok(await monitor('POST', `/api/v1/links/${b.id}/periods`, { body: { status: 'open', from: '2023-04-10' } }), 201);

  const r = await ok(await monitor('GET', `/api/v1/links/all-open?links=${a.id},${b.id}&at=2023-04-30`));
  assert.equal(r.all_open.length, 1);
  assert.equal(r.all_open[0].from, '2023-04-10');
  assert.equal(r.all_open[0].to, null);
  assert.equal(r.all_open[0].days, 21);
  assert.equal(r.complete, true);
  assert.equal(r.simultaneous, false);
  // As of a day before B reopened, not complete.
  const r2 = await ok(await monitor('GET', `/api/v1/links/all-open?links=${a.id},${b.id}&at=2023-04-05`));
  assert.equal(r2.all_open.length, 0);
  assert.equal(r2.complete, false);

  const p = await ok(await monitor('GET', `/api/v1/links/${a.id}/periods?at=2023-02-01`));
  assert.equal(p.items.length, 2);
  assert.equal(p.summary.current.status, 'closed');
  assert.equal(p.summary.days_closed, 32);
  // Ending the open period, then a period that would overlap it is refused.
  await ok(await monitor('PATCH', `/api/v1/links/${a.id}/periods/${open.id}`, { body: { to: '2023-06-30' } }));
  assertProblem(
    await monitor('PATCH', `/api/v1/links/${a.id}/periods/${open.id}`, { body: { from: '2023-03-15' } }),
    409,
    'from',
  );
  const l = await ok(await monitor('GET', `/api/v1/links/${a.id}`));
  assert.equal(l.summary.longest_closure.days, 90);
  assertProblem(await monitor('GET', '/api/v1/links/all-open?at=2023-13-01'), 400, 'at');
});

test('tracing: details reach the inquirer only with the found person\'s consent', async () => {
  const person = await ok(
    await env.api('POST', '/api/v1/persons', {
      body: syntheticPerson({ contact: '+000 555 0199', current_country: 'AM', current_locality: 'Testville' }),
    }),
    201,
  );
  const t = await ok(
    await env.api('POST', '/api/v1/tracing-requests', {
      body: {
        inquirer_name: 'Inquirer Synthetic',
        inquirer_contact: 'inquirer@example.invalid',
        relation: 'sibling',
        sought_given: person.given_name,
        sought_family: person.family_name,
        request_date: '2024-01-05',
      },
    }),
    201,
  );
  assert.equal(t.status, 'open');
  assert.equal(t.inquirer_contact, undefined);
  assertProblem(await env.api('POST', `/api/v1/tracing-requests/${t.id}/transitions`, { body: { to: 'confirmed' } }), 409, 'to');
  const proposed = await ok(
    await env.api('POST', `/api/v1/tracing-requests/${t.id}/matches`, { body: { person: person.id, date: '2024-01-20' } }),
    201,
  );
  assert.equal(proposed.status, 'potential_match');
  const m = proposed.matches[0];
  assert.equal(m.origin, 'officer');
  assert.equal(m.probability, null);
  assertProblem(
    await env.api('POST', `/api/v1/tracing-requests/${t.id}/matches`, { body: { person: person.id } }),
    409,
    'person',
  );
  const confirmed = await ok(
    await env.api('POST', `/api/v1/tracing-requests/${t.id}/matches/${m.id}/decision`, {
      body: { decision: 'confirmed', date: '2024-02-04' },
    }),
  );
  assert.equal(confirmed.status, 'confirmed');
  let d = await ok(await env.api('POST', `/api/v1/tracing-requests/${t.id}/disclosure`, { body: {} }));
  assert.equal(d.match_found, true);
  assert.equal(d.found[0].consent, false);
  assert.ok(!d.text && !JSON.stringify(d).includes('555 0199'));
  await ok(
    await env.api('POST', `/api/v1/tracing-requests/${t.id}/matches/${m.id}/consent`, {
      body: { consent: true, date: '2024-02-05', note: 'agreed by phone' },
    }),
  );
  d = await ok(await env.api('POST', `/api/v1/tracing-requests/${t.id}/disclosure`, { body: {} }));
  assert.equal(d.found[0].found.contact, '+000 555 0199');
  assert.equal(d.found[0].found.whereabouts.locality, 'Testville');
  const audit = await env.api('GET', '/api/v1/audit?limit=100');
  if (audit.status === 200) {
    assert.ok(JSON.stringify(audit.json).includes('tracing_request.disclose'));
  }
  assertProblem(await env.api('POST', `/api/v1/tracing-requests/${t.id}/transitions`, { body: { to: 'closed' } }), 422, 'reason');
  const closed = await ok(
    await env.api('POST', `/api/v1/tracing-requests/${t.id}/transitions`, { body: { to: 'closed', reason: 'reunited' } }),
  );
  assert.equal(closed.status, 'closed');
  assert.deepEqual(closed.allowed_moves, ['open']);
});

test('incidents: verification moves with reasons, ties to returns count as obstruction', async () => {
  const i = await ok(
    await monitor('POST', '/api/v1/incidents', {
      body: { title: 'Synthetic intimidation at a checkpoint', type: 'intimidation', start_date: '2024-03', settlement: 'stepanakert' },
    }),
    201,
  );
  assert.equal(i.verification, 'unverified');
  const bad = await monitor('POST', `/api/v1/incidents/${i.id}/verifications`, { body: { to: 'verified', reason: 'x' } });
  assertProblem(bad, 409, 'to');
  assert.deepEqual(bad.json.allowed_moves, ['partially_verified', 'disputed']);
  assertProblem(await monitor('POST', `/api/v1/incidents/${i.id}/verifications`, { body: { to: 'partially_verified' } }), 422, 'reason');
  await ok(await monitor('POST', `/api/v1/incidents/${i.id}/verifications`, { body: { to: 'partially_verified', reason: 'one witness' } }));
  const src = await ok(
    await monitor('POST', `/api/v1/incidents/${i.id}/sources`, {
      body: { kind: 'witness', date: '2024-03-02', reliability: 'fairly_reliable', witness_identity: 'Witness W (synthetic)' },
    }),
    201,
  );
  assert.equal(src.witness_identity, undefined);
  await ok(await monitor('POST', `/api/v1/incidents/${i.id}/perpetrators`, { body: { description: 'armed men, as reported', source: src.id } }), 201);
  await ok(await monitor('POST', `/api/v1/incidents/${i.id}/acts`, { body: { act_type: 'threat', consequences: 'turned back' } }), 201);

  const p = await ok(await env.api('POST', '/api/v1/persons', { body: syntheticPerson() }), 201);
  const rc = await ok(
    await env.api('POST', '/api/v1/returns', { body: { person: p.id, intention: 'wishes_to_return', requested_date: '2024-02-01' } }),
    201,
  );
  const before = await ok(await monitor('GET', '/api/v1/indicators/incidents?at=2024-12-31'));
  const fig = (r, id) => r.figures.find((f) => f.id === id);
  const n0 = fig(before, 'incidents.returns_obstructed_by_force').value.return_cases;
  const ties = await ok(await monitor('POST', `/api/v1/incidents/${i.id}/returns`, { body: { return_case: rc.id, note: 'turned back' } }), 201);
  assert.equal(ties.returns[0].return_case, rc.id);
  const after = await ok(await monitor('GET', '/api/v1/indicators/incidents?at=2024-12-31'));
  assert.equal(fig(after, 'incidents.returns_obstructed_by_force').value.return_cases, n0 + 1);
  assert.equal(typeof fig(after, 'incidents.by_type').computed_as, 'string');
  const full = await ok(await monitor('GET', `/api/v1/incidents/${i.id}`));
  assert.equal(full.verification, 'partially_verified');
  assert.equal(full.verifications[0].reason, 'one witness');
  assert.equal(full.perpetrators[0].source, src.id);
  assert.ok(full.sources[0].protected.includes('witness_identity'));
});

test('commitments ship with the resolution and the ICJ order; the latest assessment is the level', async () => {
  const list = await ok(await monitor('GET', '/api/v1/commitments?limit=100'));
  assert.equal(list.items.filter((c) => c.seed).length, 8);
  const icj = list.items.filter((c) => c.source === 'icj_order_2023_11_17');
  assert.equal(icj.length, 2);
  assert.ok(icj.some((c) => c.text.startsWith('ensure that persons who have left Nagorno Karabakh after 19 September 2023')));
  const blockade = list.items.find((c) => c.category === 'blockade');
  assert.equal(
    blockade.text,
    'For the complete and simultaneous lift of the blockades of transport and other means of communication, without any restriction of sovereignty.',
  );
  const inc = await ok(await monitor('POST', '/api/v1/incidents', { body: { title: 'Synthetic closure', type: 'blockade_event' } }), 201);
  assertProblem(
    await monitor('POST', `/api/v1/commitments/${blockade.id}/assessments`, { body: { date: '2024-01-01', level: 4, rationale: 'x' } }),
    422,
    'level',
  );
  assertProblem(
    await monitor('POST', `/api/v1/commitments/${blockade.id}/assessments`, {
      body: { date: '2024-01-01', level: 1, rationale: 'x', evidence: [{ kind: 'incident', id: '00000000-0000-4000-8000-000000000000' }] },
    }),
    422,
    'evidence',
  );
  await ok(
    await monitor('POST', `/api/v1/commitments/${blockade.id}/assessments`, {
      body: { date: '2024-06-01', level: 2, rationale: 'partly lifted (test)', evidence: [{ kind: 'incident', id: inc.id, note: 'closure' }] },
    }),
    201,
  );
  await ok(
    await monitor('POST', `/api/v1/commitments/${blockade.id}/assessments`, {
      body: { date: '2024-01-01', level: 0, rationale: 'earlier assessment entered later (test)' },
    }),
    201,
  );
  const c = await ok(await monitor('GET', `/api/v1/commitments/${blockade.id}`));
  assert.equal(c.current.level, 2, 'the latest by date, not by entry');
  assert.equal(c.current.level_name, 'intermediate');
  assert.equal(c.assessments.length, 2);
  assert.equal(c.assessments[1].evidence[0].id, inc.id);
  assert.ok(c.suggested_evidence.figures.some((f) => f.id === 'links.all_open'));
  const lv = await ok(await monitor('GET', '/api/v1/indicators/commitments?at=2024-03-01'));
  const levels = lv.figures.find((f) => f.id === 'commitments.levels').value;
  assert.equal(levels.find((x) => x.id === blockade.id).level, 0);
});

test('indicators as of a past day stay the same after later events', async () => {
  const d = await ok(
    await env.api('POST', '/api/v1/detainees', {
      body: { category: 'civilian_detainee', surname: 'Pastov', status: 'detained', status_date: '2022-03-01' },
    }),
    201,
  );
  await ok(await env.api('POST', `/api/v1/detainees/${d.id}/events`, { body: { to: 'released', date: '2022-05-01' } }));
  const first = await ok(await analyst('GET', '/api/v1/indicators?at=2022-12-31'));
  assert.equal(first.at, '2022-12-31');
  const st = first.areas.detainees.find((f) => f.id === 'detainees.by_status');
  assert.equal(st.value.released, 1);
  assert.equal(st.records, 1);
  assert.equal(typeof st.computed_as, 'string');
  const days = first.areas.detainees.find((f) => f.id === 'detainees.days_capture_to_release');
  assert.equal(days.value.median_days, 61);
  // Later: repatriation, a new detainee, an edit, an incident.
  await ok(await env.api('POST', `/api/v1/detainees/${d.id}/events`, { body: { to: 'repatriated', date: '2023-02-01' } }));
  const g = await env.api('GET', `/api/v1/detainees/${d.id}`);
  await ok(await env.api('PATCH', `/api/v1/detainees/${d.id}`, { body: { rank: 'none (corrected)' }, ifMatch: `"${etagVersion(g)}"` }));
  await ok(
    await env.api('POST', '/api/v1/detainees', { body: { category: 'missing', surname: 'Laterov', status_date: '2023-05-01' } }),
    201,
  );
  await ok(await monitor('POST', '/api/v1/incidents', { body: { title: 'Synthetic later', type: 'use_of_force', start_date: '2023-06-01' } }), 201);
  const again = await ok(await analyst('GET', '/api/v1/indicators?at=2022-12-31'));
  assert.deepEqual(again.areas, first.areas);
  const now = await ok(await analyst('GET', '/api/v1/indicators/detainees?at=2023-12-31'));
  assert.equal(now.figures.find((f) => f.id === 'detainees.by_status').value.repatriated, 1);
  assertProblem(await analyst('GET', '/api/v1/indicators?at=2999-01-01'), 400, 'at');
  assertProblem(await analyst('GET', '/api/v1/indicators?when=2020-01-01'), 400, 'when');
  assertProblem(await analyst('GET', '/api/v1/indicators/nothing'), 404);
});
