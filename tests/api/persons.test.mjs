// persons.test.mjs - the person registry over HTTP: create, read, update
// with If-Match (412 stale, 428 missing), every kind of validation error
// (each a 4xx naming the field, nothing written), and history (who changed
// what; protected values never shown).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setup, client, makeUser, makeToken, assertProblem, etagVersion, syntheticPerson } from './helpers.mjs';

let env;
let reg; // a registrar's client
let regName;

before(async () => {
  env = await setup();
  const u = makeUser(env.db, 'registrar');
  regName = u.username;
  reg = client(env.url, { token: makeToken(env.db, u.username, 'registrar-test') });
});

after(async () => {
  await env?.close();
});

const nextYear = new Date().getUTCFullYear() + 1;
const tomorrow = new Date(Date.now() + 2 * 86400e3).toISOString().slice(0, 10);

async function create(body, api = env.api) {
  const r = await api('POST', '/api/v1/persons', { body });
  assert.equal(r.status, 201, r.text);
  return r;
}

test('create a person: 201, Location, ETag "1", a readable number, derived script', async () => {
  const body = syntheticPerson({
    given_name: 'Արամ',
    family_name: 'Փորձնականյան',
    patronymic: 'Գևորգի',
    other_names: ['Арам Порцнаканян', 'Aram Portsnakanyan'],
    birth_date: '1978-05-12',
    birth_place: 'Synthetic birthplace',
    birth_settlement: 'shushi',
    displacement_date: '2023-09-25',
    displacement_route: 'Lachin corridor\n(synthetic)',
    current_country: 'AM',
    current_region: 'Syunik',
    current_locality: 'Goris',
    current_settlement: 'goris',
    specific_needs: ['elderly_alone', 'medical'],
    consent_registration: true,
    consent_tracing: true,
    consent_sharing: false,
    consent_date: '2024-01-15',
    status: 'displaced',
    notes: 'Generated for a test.',
  });
  const r = await create(body);
  const p = r.json;
  assert.match(p.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(r.headers.get('location'), `/api/v1/persons/${p.id}`);
  assert.equal(etagVersion(r), 1);
  assert.equal(p.version, 1);
  assert.match(p.number, /^HW-\d{4,}-\d$/);
  assert.equal(p.name_script, 'armn');
  assert.equal(p.birth_year, 1978);
  for (const k of ['given_name', 'family_name', 'patronymic', 'birth_date', 'origin_settlement', 'birth_settlement',
    'displacement_date', 'displacement_route', 'current_country', 'current_settlement', 'consent_date', 'status', 'notes']) {
    assert.equal(p[k], body[k], k);
  }
  assert.deepEqual(p.other_names, body.other_names);
  assert.deepEqual([...p.specific_needs].sort(), ['elderly_alone', 'medical']);
  assert.equal(p.consent_tracing, true);
  assert.equal(p.consent_sharing, false);
  assert.equal(p.record_status, 'active');
  const g = await env.api('GET', `/api/v1/persons/${p.id}`);
  assert.equal(g.status, 200);
  assert.equal(etagVersion(g), 1);
  assert.equal(g.json.family_name, 'Փորձնականյան');
  assert.equal(g.json.number, p.number);
  // Numbers are unique.
  const r2 = await create(syntheticPerson());
  assert.notEqual(r2.json.number, p.number);
});

test('name_script follows the names: Cyrillic, Latin, mixed', async () => {
  assert.equal((await create({ given_name: 'Арам', family_name: 'Тестовян' })).json.name_script, 'cyrl');
  assert.equal((await create({ given_name: 'Aram', family_name: 'Testovyan' })).json.name_script, 'latn');
  assert.equal((await create({ given_name: 'Aram', family_name: 'Тестовян' })).json.name_script, 'mixed');
});

test('partial and approximate dates are accepted as sent', async () => {
  for (const d of ['1978', '1978-05', '1978-05-12', '1978~', '1978-05~', '1978-05-12~', '1980-02-29', '2000-02-29']) {
    const r = await create(syntheticPerson({ birth_date: d }));
    assert.equal(r.json.birth_date, d);
    assert.equal(r.json.birth_year, Number(d.slice(0, 4)));
  }
});

test('every validation error kind answers 422 naming the field, and writes nothing', async () => {
  const marker = `Invalidyan${process.pid}`;
  const base = { given_name: 'Valid', family_name: marker };
  const cases = [
    // wrong type
    [{ given_name: 12 }, 'given_name'],
    [{ sex: 1 }, 'sex'],
    [{ consent_tracing: 'yes' }, 'consent_tracing'],
    [{ other_names: 'Just One' }, 'other_names'],
    [{ other_names: ['ok', 5] }, 'other_names'],
    [{ specific_needs: 'medical' }, 'specific_needs'],
    [{ birth_date: 1978 }, 'birth_date'],
    [{ notes: { text: 'x' } }, 'notes'],
    [{ household: 17 }, 'household'],
    // too long
    [{ given_name: 'x'.repeat(101) }, 'given_name'],
    [{ given_name: 'Ա'.repeat(101) }, 'given_name'],
    [{ notes: 'n'.repeat(2001) }, 'notes'],
    [{ contact: 'c'.repeat(501) }, 'contact'],
    [{ other_names: Array.from({ length: 11 }, (_, i) => `Other${i}`) }, 'other_names'],
    [{ other_names: ['o'.repeat(201)] }, 'other_names'],
    // bad enumeration
    [{ sex: 'other' }, 'sex'],
    [{ status: 'lost' }, 'status'],
    [{ specific_needs: ['flying'] }, 'specific_needs'],
    [{ relation_to_head: 'cousin' }, 'relation_to_head'],
    [{ record_status: 'deleted' }, 'record_status'],
    [{ current_country: 'am' }, 'current_country'],
    [{ current_country: 'ARM' }, 'current_country'],
    // bad partial dates
    [{ birth_date: '1978-13' }, 'birth_date'],
    [{ birth_date: '1978-02-30' }, 'birth_date'],
    [{ birth_date: '1979-02-29' }, 'birth_date'],
    [{ birth_date: '1978-00' }, 'birth_date'],
    [{ birth_date: '1978-04-31' }, 'birth_date'],
    [{ birth_date: '1978-5' }, 'birth_date'],
    [{ birth_date: '78' }, 'birth_date'],
    [{ birth_date: '1978/05/12' }, 'birth_date'],
    [{ birth_date: '12.05.1978' }, 'birth_date'],
    [{ birth_date: '1978-05-12T00:00' }, 'birth_date'],
    [{ birth_date: '1978~~' }, 'birth_date'],
    [{ birth_date: '1850' }, 'birth_date'],
    [{ displacement_date: '2023-09-31' }, 'displacement_date'],
    [{ consent_registration: true, consent_date: '2024-02' }, 'consent_date'],
    // future dates
    [{ birth_date: String(nextYear) }, 'birth_date'],
    [{ birth_date: '2999-01-01' }, 'birth_date'],
    [{ displacement_date: tomorrow }, 'displacement_date'],
    [{ consent_registration: true, consent_date: tomorrow }, 'consent_date'],
    // control characters (invalid UTF-8 cannot be sent in JSON text)
    [{ given_name: 'Ar\u0007am' }, 'given_name'],
    [{ given_name: 'Ar\nam' }, 'given_name'],
    [{ notes: 'bell \u0001 here' }, 'notes'],
    [{ notes: 'c1 \u0085 control' }, 'notes'],
    [{ other_names: ['tab\u001bname'] }, 'other_names'],
    // unknown field
    [{ nickname: 'Ari' }, 'nickname'],
    [{ Given_Name: 'Ari' }, 'Given_Name'],
    // bad settlement references
    [{ origin_settlement: 'atlantis' }, 'origin_settlement'],
    [{ current_settlement: 'Stepanakert' }, 'current_settlement'],
    [{ birth_settlement: randomUUID() }, 'birth_settlement'],
    // bad household references
    [{ household: randomUUID() }, 'household'],
    [{ household: 'not-a-uuid' }, 'household'],
    // rules across fields
    [{ relation_to_head: 'child' }, 'relation_to_head'],
    [{ consent_tracing: true }, 'consent_date'],
    [{ record_status: 'duplicate' }, 'record_status'],
    // written by the system
    [{ name_script: 'cyrl' }, 'name_script'],
    [{ birth_year: 1950 }, 'birth_year'],
  ];
  for (const [patch, field] of cases) {
    const r = await env.api('POST', '/api/v1/persons', { body: { ...base, ...patch } });
    assert.ok(r.status === 422 || r.status === 400, `${JSON.stringify(patch)} gave ${r.status}: ${r.text}`);
    assertProblem(r, r.status, field);
  }
  // NUL cannot reach a field: the JSON parser refuses it (400).
  assertProblem(await env.api('POST', '/api/v1/persons', { body: { ...base, family_name: `${marker}\u0000` } }), 400);
  // Missing required: a person needs a given or a family name.
  const miss = await env.api('POST', '/api/v1/persons', { body: { sex: 'female', notes: marker } });
  assertProblem(miss, 422, 'family_name');
  assertProblem(await env.api('POST', '/api/v1/persons', { body: { given_name: '', family_name: null } }), 422, 'family_name');
  assertProblem(await env.api('POST', '/api/v1/persons', { body: { given_name: '   ' } }), 422, 'family_name');
  // No partial record was written.
  const l = await env.api('GET', `/api/v1/persons?q=${marker}&include_closed=true`);
  assert.equal(l.status, 200);
  assert.deepEqual(l.json.items, []);
});

test('several bad fields are all listed in errors[]', async () => {
  const r = await env.api('POST', '/api/v1/persons', {
    body: { given_name: 'Multi', sex: 'x', birth_date: '1978-13', origin_settlement: 'nowhere', shoe_size: 42 },
  });
  assertProblem(r, 422);
  const fields = r.json.errors.map((e) => e.field).sort();
  assert.deepEqual(fields, ['birth_date', 'origin_settlement', 'sex', 'shoe_size']);
  assert.ok(fields.includes(r.json.field));
});

test('text is cleaned: spaces collapsed, NFC; multi-line fields keep newlines', async () => {
  const r = await create({ given_name: '  Ani   Maria ', family_name: 'Cle\u0301anyan', notes: 'line one\nline two' });
  assert.equal(r.json.given_name, 'Ani Maria');
  assert.equal(r.json.family_name, 'Cl\u00e9anyan');
  assert.equal(r.json.notes, 'line one\nline two');
  // 100 Armenian letters is within the limit (characters, not bytes).
  const a = await create({ given_name: 'Ա'.repeat(100), family_name: 'Lengthyan' });
  assert.equal(a.json.given_name.length, 100);
});

test('update with If-Match: 200 and a new ETag; stale 412; missing 428; malformed If-Match 400', async () => {
  const p = (await create(syntheticPerson())).json;
  const u = await env.api('PATCH', `/api/v1/persons/${p.id}`, { ifMatch: '"1"', body: { status: 'returned', notes: 'Updated once.' } });
  assert.equal(u.status, 200, u.text);
  assert.equal(etagVersion(u), 2);
  assert.equal(u.json.version, 2);
  assert.equal(u.json.status, 'returned');
  assert.equal(u.json.given_name, p.given_name, 'a PATCH keeps the fields it does not name');
  // Stale: still version 1 in hand.
  const stale = await env.api('PATCH', `/api/v1/persons/${p.id}`, { ifMatch: '"1"', body: { notes: 'lost update' } });
  assertProblem(stale, 412);
  // Missing precondition.
  const none = await env.api('PATCH', `/api/v1/persons/${p.id}`, { body: { notes: 'no precondition' } });
  assertProblem(none, 428);
  // Malformed.
  for (const im of ['"abc"', 'two', '"-1"', '"2', '2"', '"2"x', '" 2"', '"+2"', '""']) {
    assertProblem(await env.api('PATCH', `/api/v1/persons/${p.id}`, { ifMatch: im, body: { notes: 'x' } }), 400);
  }
  // A weak ETag form is accepted.
  const w = await env.api('PATCH', `/api/v1/persons/${p.id}`, { ifMatch: 'W/"2"', body: { notes: 'weak etag' } });
  assert.equal(w.status, 200, w.text);
  assert.equal(w.json.version, 3);
  // The version member works instead of If-Match; stale there is 412 too.
  const bv = await env.api('PATCH', `/api/v1/persons/${p.id}`, { body: { version: 3, notes: 'by body version' } });
  assert.equal(bv.status, 200, bv.text);
  assert.equal(bv.json.version, 4);
  assertProblem(await env.api('PATCH', `/api/v1/persons/${p.id}`, { body: { version: 3, notes: 'stale body' } }), 412);
  assertProblem(await env.api('PATCH', `/api/v1/persons/${p.id}`, { body: { version: '4', notes: 'x' } }), 422, 'version');
  // None of the refused writes changed anything.
  const g = await env.api('GET', `/api/v1/persons/${p.id}`);
  assert.equal(g.json.version, 4);
  assert.equal(g.json.notes, 'by body version');
  // PATCH of a person that does not exist: 404.
  assertProblem(await env.api('PATCH', `/api/v1/persons/${randomUUID()}`, { ifMatch: '"1"', body: { notes: 'x' } }), 404);
});

test('concurrent updates with the same If-Match: exactly one wins, the others get 412', async () => {
  const p = (await create(syntheticPerson())).json;
  const results = await Promise.all(
    Array.from({ length: 8 }, (_, i) => env.api('PATCH', `/api/v1/persons/${p.id}`, { ifMatch: '"1"', body: { notes: `racer ${i}` } })),
  );
  const codes = results.map((r) => r.status).sort();
  assert.deepEqual(codes, [200, 412, 412, 412, 412, 412, 412, 412], results.map((r) => r.text).join('\n'));
  const winner = results.find((r) => r.status === 200);
  const g = await env.api('GET', `/api/v1/persons/${p.id}`);
  assert.equal(g.json.version, 2);
  assert.equal(g.json.notes, winner.json.notes);
  const h = await env.api('GET', `/api/v1/persons/${p.id}/history`);
  assert.equal(h.json.items.length, 2);
});

test('an update that changes nothing keeps the version', async () => {
  const p = (await create(syntheticPerson())).json;
  const u = await env.api('PATCH', `/api/v1/persons/${p.id}`, { ifMatch: '"1"', body: { given_name: p.given_name } });
  assert.equal(u.status, 200, u.text);
  assert.equal(u.json.version, 1);
  // Sending back what was read (system fields included) is allowed. Members
  // added for reading (links to possible duplicates) are left out here.
  const back = { ...p };
  delete back.duplicates;
  const same = await env.api('PATCH', `/api/v1/persons/${p.id}`, { ifMatch: '"1"', body: back });
  assert.equal(same.status, 200, same.text);
  assert.equal(same.json.version, 1);
  const h = await env.api('GET', `/api/v1/persons/${p.id}/history`);
  assert.equal(h.json.items.length, 1);
});

test('an invalid update answers 422 naming the field and changes nothing', async () => {
  const p = (await create(syntheticPerson())).json;
  const cases = [
    [{ birth_date: '1978-02-30' }, 'birth_date'],
    [{ sex: 'unknown-ish' }, 'sex'],
    [{ origin_settlement: 'atlantis' }, 'origin_settlement'],
    [{ given_name: null, family_name: null }, 'family_name'],
    [{ nickname: 'x' }, 'nickname'],
    [{ name_script: 'cyrl' }, 'name_script'],
    [{ household: randomUUID() }, 'household'],
  ];
  for (const [body, field] of cases) {
    assertProblem(await env.api('PATCH', `/api/v1/persons/${p.id}`, { ifMatch: '"1"', body }), 422, field);
  }
  const g = await env.api('GET', `/api/v1/persons/${p.id}`);
  assert.equal(g.json.version, 1);
  assert.equal(g.json.birth_date, p.birth_date);
  const h = await env.api('GET', `/api/v1/persons/${p.id}/history`);
  assert.equal(h.json.items.length, 1);
});

test('a field can be cleared with null', async () => {
  const p = (await create(syntheticPerson({ birth_place: 'Somewhere (synthetic)' }))).json;
  const u = await env.api('PATCH', `/api/v1/persons/${p.id}`, { ifMatch: '"1"', body: { birth_place: null, birth_date: null } });
  assert.equal(u.status, 200, u.text);
  assert.equal(u.json.birth_place, null);
  assert.equal(u.json.birth_date, null);
  assert.equal(u.json.birth_year, null);
});

test('history after create and two updates shows who changed what; contact by name only', async () => {
  const secret1 = 'synthetic-phone-+374-00-111111';
  const secret2 = 'synthetic-phone-+374-00-222222';
  const c = await create(syntheticPerson({ contact: secret1, notes: 'first' }), reg);
  const id = c.json.id;
  assert.ok(!JSON.stringify(c.json.changes || {}).includes(secret1));
  const u1 = await reg('PATCH', `/api/v1/persons/${id}`, { ifMatch: '"1"', body: { notes: 'second', status: 'returned' } });
  assert.equal(u1.status, 200, u1.text);
  const u2 = await env.api('PATCH', `/api/v1/persons/${id}`, { ifMatch: '"2"', body: { contact: secret2, sex: 'unknown' } });
  assert.equal(u2.status, 200, u2.text);
  assert.equal(u2.json.version, 3);

  const h = await env.api('GET', `/api/v1/persons/${id}/history`);
  assert.equal(h.status, 200);
  const items = h.json.items;
  assert.equal(items.length, 3);
  assert.deepEqual(items.map((i) => i.version), [1, 2, 3]);
  assert.deepEqual(items.map((i) => i.action), ['create', 'update', 'update']);
  assert.deepEqual(items.map((i) => i.user), [regName, regName, 'admin']);
  for (const i of items) assert.ok(!Number.isNaN(Date.parse(i.at)), `bad time ${i.at}`);
  // Create lists the fields that were set.
  assert.deepEqual(items[0].changes.given_name, { from: null, to: c.json.given_name });
  assert.ok('contact' in items[0].changes, 'the create names contact');
  // First update: notes and status, from and to; nothing else.
  assert.deepEqual(Object.keys(items[1].changes).sort(), ['notes', 'status']);
  assert.deepEqual(items[1].changes.notes, { from: 'first', to: 'second' });
  assert.deepEqual(items[1].changes.status, { from: 'displaced', to: 'returned' });
  // Second update: contact by name only, sex with values.
  assert.deepEqual(Object.keys(items[2].changes).sort(), ['contact', 'sex']);
  assert.deepEqual(items[2].changes.sex, { from: c.json.sex, to: 'unknown' });
  assert.ok(!('from' in items[2].changes.contact) && !('to' in items[2].changes.contact));
  // The protected values appear nowhere in the history.
  assert.ok(!h.text.includes(secret1) && !h.text.includes(secret2), 'history shows a protected value');
  assert.ok(!h.text.includes('synthetic-phone'), 'history shows part of a protected value');
  // A reader without the protected fields sees the same history, also without values.
  const tracer = client(env.url, { token: makeToken(env.db, makeUser(env.db, 'tracing_officer').username) });
  const th = await tracer('GET', `/api/v1/persons/${id}/history`);
  assert.equal(th.status, 200);
  assert.ok(!th.text.includes('synthetic-phone'));
  const tg = await tracer('GET', `/api/v1/persons/${id}`);
  assert.equal(tg.status, 200);
  assert.equal(tg.json.contact, undefined);
  assert.ok(!tg.text.includes('synthetic-phone'));
  // History of an unknown person: 404.
  assertProblem(await env.api('GET', `/api/v1/persons/${randomUUID()}/history`), 404);
});

test('a person joins a household; relation_to_head then is allowed', async () => {
  const hh = await env.api('POST', '/api/v1/households', { body: { origin_settlement: 'shushi', declared_size: 2 } });
  assert.equal(hh.status, 201, hh.text);
  const p = await create(syntheticPerson({ household: hh.json.id, relation_to_head: 'head' }));
  assert.equal(p.json.household, hh.json.id);
  assert.equal(p.json.relation_to_head, 'head');
  // Leaving the household while keeping the relation is refused.
  assertProblem(await env.api('PATCH', `/api/v1/persons/${p.json.id}`, { ifMatch: '"1"', body: { household: null } }), 422, 'relation_to_head');
  const ok = await env.api('PATCH', `/api/v1/persons/${p.json.id}`, { ifMatch: '"1"', body: { household: null, relation_to_head: null } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.household, null);
});
