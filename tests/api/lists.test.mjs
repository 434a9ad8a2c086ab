// lists.test.mjs - lists over a few thousand demo records (`homeward demo
// --persons 3000`): cursor pagination walked page by page (no duplicates,
// none missing, order respected) for the default order and for sorts;
// filters; name search typed in Armenian, Cyrillic and Latin; settlements
// found by each of their names. The database itself (read with the sqlite3
// command line, read-only) is the oracle for what the lists must hold.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { setup, assertProblem, walk, syntheticPerson } from './helpers.mjs';

let env;

before(async () => {
  env = await setup({ persons: 3000 });
});

after(async () => {
  await env?.close();
});

/** Rows of a query on the test database, each row an array of strings. */
function sql(query) {
  const out = execFileSync('sqlite3', ['-readonly', '-separator', '\t', env.db, query], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return out.split('\n').filter((l) => l.length).map((l) => l.split('\t'));
}

function uuids(query) {
  return sql(query).map((r) => r[0]);
}

const ACTIVE = "FROM persons WHERE record_status = 'active'";

const b64url = (t) => Buffer.from(t).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

test('the demo data is there: thousands of persons, households, return cases in every status', () => {
  assert.ok(Number(sql(`SELECT count(*) ${ACTIVE}`)[0][0]) >= 3000);
  assert.ok(Number(sql('SELECT count(*) FROM households')[0][0]) >= 300);
  const statuses = sql('SELECT DISTINCT status FROM return_cases').map((r) => r[0]).sort();
  assert.deepEqual(statuses, ['arrived', 'counselled', 'followed_up', 'in_transit', 'ready', 'registered', 'scheduled', 'suspended', 'withdrawn']);
});

async function walkAndCompare(p, limit, orderBy) {
  const { items, pages } = await walk(env.api, p, limit);
  const ids = items.map((i) => i.id);
  assert.equal(new Set(ids).size, ids.length, `${p}: duplicates across pages`);
  const want = uuids(`SELECT uuid ${ACTIVE} ORDER BY ${orderBy}`);
  const missing = want.filter((u) => !ids.includes(u)).length;
  assert.equal(missing, 0, `${p}: ${missing} records missing`);
  assert.equal(ids.length, want.length, `${p}: ${ids.length} listed, ${want.length} stored`);
  assert.deepEqual(ids, want, `${p}: order differs`);
  assert.equal(pages, Math.ceil(want.length / limit) || 1);
  return items;
}

test('persons, default order: every page walked, no duplicates, none missing, in key order', async () => {
  const items = await walkAndCompare('/api/v1/persons', 37, 'id');
  // Key order is registration order: the readable numbers rise.
  const nums = items.map((p) => Number(/^HW-(\d+)-\d$/.exec(p.number)[1]));
  for (let i = 1; i < nums.length; i++) assert.ok(nums[i] > nums[i - 1], `number order broken at ${i}`);
});

test('persons sorted by family_name (ascending; ties by key) walk completely', async () => {
  const items = await walkAndCompare('/api/v1/persons?sort=family_name', 50, "ifnull(family_name, ''), id");
  for (let i = 1; i < items.length; i++) {
    const a = Buffer.from(items[i - 1].family_name ?? '');
    const b = Buffer.from(items[i].family_name ?? '');
    assert.ok(Buffer.compare(a, b) <= 0, `family_name order broken at ${i}`);
  }
});

test('persons sorted by -birth_year (descending, empty years last) walk completely', async () => {
  // Make sure some persons have no birth year: that is where cursors broke.
  for (let i = 0; i < 2; i++) {
    assert.equal((await env.api('POST', '/api/v1/persons', { body: syntheticPerson({ birth_date: null }) })).status, 201);
  }
  const items = await walkAndCompare('/api/v1/persons?sort=-birth_year', 45, 'ifnull(birth_year, -9223372036854775807) DESC, id DESC');
  const years = items.map((p) => p.birth_year);
  assert.ok(years.includes(null), 'persons without a birth year are listed');
  const firstNull = years.indexOf(null);
  assert.ok(years.slice(firstNull).every((y) => y === null), 'persons without a year come last');
  for (let i = 1; i < firstNull; i++) assert.ok(years[i - 1] >= years[i]);
});

test('persons sorted by birth_year (ascending, empty years first) walk completely', async () => {
  const items = await walkAndCompare('/api/v1/persons?sort=birth_year', 97, 'ifnull(birth_year, -9223372036854775807), id');
  const years = items.map((p) => p.birth_year);
  const lastNull = years.lastIndexOf(null);
  assert.ok(lastNull >= 0);
  assert.ok(years.slice(0, lastNull + 1).every((y) => y === null), 'persons without a year come first');
});

test('persons sorted by -birth_date and by status walk completely', async () => {
  await walkAndCompare('/api/v1/persons?sort=-birth_date', 99, "ifnull(birth_date, '') DESC, id DESC");
  await walkAndCompare('/api/v1/persons?sort=status', 100, "ifnull(status, ''), id");
});

test('filters: sex, origin_settlement, birth_year, status, and combined', async () => {
  const topOrigin = sql(`SELECT origin_settlement_id, count(*) ${ACTIVE} AND origin_settlement_id IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 1`)[0][0];
  const year = sql(`SELECT birth_year, count(*) ${ACTIVE} AND birth_year IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 1`)[0][0];
  const cases = [
    ['sex=female', "sex = 'female'", (p) => p.sex === 'female'],
    ['sex=male', "sex = 'male'", (p) => p.sex === 'male'],
    [`origin_settlement=${topOrigin}`, `origin_settlement_id = '${topOrigin}'`, (p) => p.origin_settlement === topOrigin],
    [`birth_year=${year}`, `birth_year = ${Number(year)}`, (p) => p.birth_year === Number(year) && p.birth_date.startsWith(year)],
    ['status=displaced', "status = 'displaced'", (p) => p.status === 'displaced'],
    [`sex=female&birth_year=${year}&origin_settlement=${topOrigin}`, `sex = 'female' AND birth_year = ${Number(year)} AND origin_settlement_id = '${topOrigin}'`,
      (p) => p.sex === 'female' && p.birth_year === Number(year) && p.origin_settlement === topOrigin],
    ['name_script=cyrl', "name_script = 'cyrl'", (p) => p.name_script === 'cyrl'],
  ];
  for (const [qs, where, pred] of cases) {
    const { items } = await walk(env.api, `/api/v1/persons?${qs}`, 100);
    const want = uuids(`SELECT uuid ${ACTIVE} AND ${where} ORDER BY id`);
    assert.ok(want.length > 0, `${qs}: the demo has no such persons`);
    assert.ok(items.every(pred), `${qs}: a listed person does not match`);
    assert.deepEqual(items.map((p) => p.id), want, `${qs}: listed differs from stored`);
  }
  // A filter with a sort, paged.
  const { items } = await walk(env.api, '/api/v1/persons?sex=male&sort=-family_name', 60);
  assert.deepEqual(items.map((p) => p.id), uuids(`SELECT uuid ${ACTIVE} AND sex = 'male' ORDER BY ifnull(family_name, '') DESC, id DESC`));
});

test('return cases: walked by status sort, and each status filter matches the store', async () => {
  const { items } = await walk(env.api, '/api/v1/returns?sort=status', 29);
  const want = uuids('SELECT uuid FROM return_cases ORDER BY status, id');
  assert.deepEqual(items.map((c) => c.id), want);
  for (const s of ['registered', 'counselled', 'ready', 'scheduled', 'in_transit', 'arrived', 'followed_up', 'suspended', 'withdrawn']) {
    const l = await walk(env.api, `/api/v1/returns?status=${s}`, 100);
    assert.deepEqual(l.items.map((c) => c.id), uuids(`SELECT uuid FROM return_cases WHERE status = '${s}' ORDER BY id`), s);
    assert.ok(l.items.every((c) => c.status === s));
  }
});

test('households walk completely, also sorted by a number some of them lack', async () => {
  const { items } = await walk(env.api, '/api/v1/households', 64);
  assert.deepEqual(items.map((h) => h.id), uuids("SELECT uuid FROM households WHERE record_status = 'active' ORDER BY id"));
  // Households without a declared size sort as the lowest value.
  for (let i = 0; i < 3; i++) {
    assert.equal((await env.api('POST', '/api/v1/households', { body: { notes: `no size ${i}` } })).status, 201);
  }
  const HH = "FROM households WHERE record_status = 'active'";
  const desc = await walk(env.api, '/api/v1/households?sort=-declared_size', 50);
  assert.deepEqual(desc.items.map((h) => h.id), uuids(`SELECT uuid ${HH} ORDER BY ifnull(declared_size, -9223372036854775807) DESC, id DESC`));
  assert.deepEqual(desc.items.slice(-3).map((h) => h.declared_size), [null, null, null]);
  const asc = await walk(env.api, '/api/v1/households?sort=declared_size', 50);
  assert.deepEqual(asc.items.map((h) => h.id), uuids(`SELECT uuid ${HH} ORDER BY ifnull(declared_size, -9223372036854775807), id`));
});

test('bad list parameters answer 400 naming the parameter', async () => {
  const cases = [
    ['limit=0', 'limit'], ['limit=501', 'limit'], ['limit=ten', 'limit'], ['limit=-5', 'limit'],
    ['sort=contact', 'sort'], ['sort=-notes', 'sort'], ['sort=nonexistent', 'sort'],
    ['cursor=not-a-cursor', 'cursor'], ['cursor=WzEsMiwzLDRd', 'cursor'],
    [`cursor=${b64url('["","x","abc"]')}`, 'cursor'], [`cursor=${b64url('["",null,0]')}`, 'cursor'],
    [`cursor=${b64url('[1,null,5]')}`, 'cursor'], [`cursor=${b64url('{"a":1}')}`, 'cursor'],
    ['sex=other', 'sex'], ['birth_year=abc', 'birth_year'], ['birth_year=', 'birth_year'],
    ['origin_settlement=atlantis', 'origin_settlement'], ['status=lost', 'status'],
    ['household=not-a-uuid', 'household'], ['consent_tracing=maybe', 'consent_tracing'],
    ['contact=x', 'contact'], ['notes=x', 'notes'], ['shoe_size=42', 'shoe_size'],
    ['include_closed=yes', 'include_closed'],
  ];
  for (const [qs, field] of cases) {
    assertProblem(await env.api('GET', `/api/v1/persons?${qs}`), 400, field);
  }
  // Parameters that are not UTF-8 text are refused, never silently dropped
  // (a dropped filter would widen the list).
  for (const [qs, field] of [['q=%C3%28', 'q'], ['origin_settlement=%FF', 'origin_settlement'], ['sex=fe%80male', 'sex'], ['q=a%01b', 'q']]) {
    assertProblem(await env.api('GET', `/api/v1/persons?${qs}`), 400, field);
  }
  assertProblem(await env.api('GET', '/api/v1/persons?%FF=1'), 400);
  assertProblem(await env.api('GET', '/api/v1/settlements?q=%C3%28'), 400, 'q');
  // A cursor belongs to its sort order.
  const first = await env.api('GET', '/api/v1/persons?limit=5&sort=family_name');
  assert.equal(typeof first.json.next, 'string');
  assertProblem(await env.api('GET', `/api/v1/persons?limit=5&sort=-family_name&cursor=${first.json.next}`), 400, 'cursor');
  assertProblem(await env.api('GET', `/api/v1/persons?limit=5&cursor=${first.json.next}`), 400, 'cursor');
  // A page of 100 is an ordinary page; an empty list has next null.
  const page = await env.api('GET', '/api/v1/persons?limit=100');
  assert.equal(page.json.items.length, 100);
  assert.equal(typeof page.json.next, 'string');
  const tiny = await env.api('GET', '/api/v1/persons?limit=1&q=Zzyzxqvw');
  assert.equal(tiny.status, 200);
  assert.deepEqual(tiny.json, { items: [], next: null });
});

test('closed records leave the default list but stay reachable with include_closed=true', async () => {
  const p = (await env.api('POST', '/api/v1/persons', { body: syntheticPerson({ family_name: 'Closedtestyan' }) })).json;
  const u = await env.api('PATCH', `/api/v1/persons/${p.id}`, { ifMatch: '"1"', body: { record_status: 'closed' } });
  assert.equal(u.status, 200, u.text);
  assert.equal((await env.api('GET', '/api/v1/persons?q=Closedtestyan')).json.items.length, 0);
  const inc = await env.api('GET', '/api/v1/persons?q=Closedtestyan&include_closed=true');
  assert.deepEqual(inc.json.items.map((x) => x.id), [p.id]);
  assert.equal((await env.api('GET', `/api/v1/persons/${p.id}`)).status, 200);
});

// ---- name search across scripts ----

async function search(q) {
  const { items } = await walk(env.api, `/api/v1/persons?q=${encodeURIComponent(q)}`, 100);
  return items;
}

function idSet(items) {
  return new Set(items.map((p) => p.id));
}

function sameSet(a, b, msg) {
  assert.deepEqual([...a].sort(), [...b].sort(), msg);
}

// The search folds every script to Latin ASCII (ICU "NFKC; Any-Latin;
// Latin-ASCII; Any-Lower", src/util/text.c) and matches word prefixes.
// Armenian Պետրոսյան folds to "petrosyan", as the Latin spelling does;
// Russian Петросян folds to "petrosan" (я -> â -> a), so it meets the Latin
// "Petrosan" and the Cyrillic-written records, not "petrosyan".
test('q= in Armenian and in Latin finds the same persons (shared fold "petrosyan")', async () => {
  const hy = await search('Պետրոսյան');
  const en = await search('Petrosyan');
  sameSet(idSet(hy), idSet(en), 'Armenian and Latin spellings differ');
  sameSet(idSet(await search('PETROSYAN')), idSet(en), 'case matters');
  sameSet(idSet(await search('petrosyan')), idSet(en), 'case matters');
  const stored = uuids(`SELECT uuid ${ACTIVE} AND family_name IN ('Petrosyan', 'PETROSYAN', 'Պետրոսյան')`);
  assert.ok(stored.length > 10, 'the demo has Petrosyans in Armenian and Latin script');
  const found = idSet(en);
  for (const u of stored) assert.ok(found.has(u), `a stored Petrosyan was not found: ${u}`);
  const scripts = new Set(en.filter((p) => ['Petrosyan', 'PETROSYAN', 'Պետրոսյան'].includes(p.family_name)).map((p) => p.name_script));
  assert.ok(scripts.has('armn') && scripts.has('latn'), `scripts found: ${[...scripts]}`);
});

test('q= in Cyrillic finds the persons written in Cyrillic (fold "petrosan")', async () => {
  const ru = await search('Петросян');
  const stored = uuids(`SELECT uuid ${ACTIVE} AND family_name = 'Петросян'`);
  assert.ok(stored.length > 10, 'the demo has Петросян in Cyrillic');
  // Cyrillic Петросян and Latin Petrosan share a fold: both find every
  // stored Петросян (the matcher may add other spellings to either).
  const found = idSet(ru);
  const latin = idSet(await search('Petrosan'));
  for (const u of stored) {
    assert.ok(found.has(u), `a stored Петросян was not found: ${u}`);
    assert.ok(latin.has(u), `a stored Петросян was not found as Petrosan: ${u}`);
  }
  assert.ok(ru.some((p) => p.name_script === 'cyrl'));
});

test('a given name typed in Armenian, Cyrillic or Latin (Արամ / Арам / Aram) finds the same persons in all three scripts', async () => {
  const hy = await search('Արամ');
  const ru = await search('Арам');
  const en = await search('Aram');
  sameSet(idSet(hy), idSet(en), 'Armenian vs Latin');
  sameSet(idSet(ru), idSet(en), 'Cyrillic vs Latin');
  const byGiven = (g) => uuids(`SELECT uuid ${ACTIVE} AND given_name = '${g}'`);
  for (const g of ['Aram', 'Арам', 'Արամ']) {
    const stored = byGiven(g);
    assert.ok(stored.length > 0, `the demo has given name ${g}`);
    for (const u of stored) assert.ok(idSet(en).has(u), `${g} ${u} not found`);
  }
  const scripts = new Set(en.filter((p) => ['Aram', 'Арам', 'Արամ'].includes(p.given_name)).map((p) => p.name_script));
  for (const s of ['armn', 'cyrl', 'latn']) assert.ok(scripts.has(s), `no ${s} Aram found`);
});

test('a full name finds every stored person with both words, in either order; a prefix finds longer names; nonsense finds nothing', async () => {
  // Only lower bounds here: the matcher may add other spellings of a name.
  const stored = uuids(`SELECT uuid ${ACTIVE} AND given_name IN ('Aram', 'Արամ') AND family_name IN ('Petrosyan', 'PETROSYAN', 'Պետրոսյան')`);
  for (const q of ['Aram Petrosyan', 'Petrosyan Aram', 'Արամ Պետրոսյան']) {
    const hits = idSet(await search(q));
    for (const u of stored) assert.ok(hits.has(u), `${q} misses ${u}`);
  }
  const prefix = idSet(await search('Petros'));
  for (const u of uuids(`SELECT uuid ${ACTIVE} AND family_name IN ('Petrosyan', 'PETROSYAN', 'Պետրոսյան', 'Petrossian')`)) {
    assert.ok(prefix.has(u), `the prefix Petros misses ${u}`);
  }
  assert.equal((await search('Zzyzxqvw')).length, 0);
  // Search combines with a filter.
  const fem = await walk(env.api, '/api/v1/persons?q=Petrosyan&sex=female', 50);
  assert.ok(fem.items.length > 0);
  assert.ok(fem.items.every((x) => x.sex === 'female'));
  const femStored = uuids(`SELECT uuid ${ACTIVE} AND sex = 'female' AND family_name IN ('Petrosyan', 'PETROSYAN', 'Պետրոսյան')`);
  const femIds = idSet(fem.items);
  for (const u of femStored) assert.ok(femIds.has(u), `female Petrosyan ${u} missing`);
});

test('a person created in one script is found from the others', async () => {
  const r = await env.api('POST', '/api/v1/persons', { body: { given_name: 'Զորայր', family_name: 'Փորձարկյան', source: 'synthetic' } });
  assert.equal(r.status, 201, r.text);
  // ICU romanises ձ as j: Փորձարկյան folds to "porjarkyan".
  for (const q of ['Փորձարկյան', 'Porjarkyan', 'porj', 'Զորայր Փորձ', 'Zorayr']) {
    const hits = await search(q);
    assert.ok(hits.some((x) => x.id === r.json.id), `${q} did not find the person`);
  }
  // Renaming updates the search words: the new name finds the person.
  const u = await env.api('PATCH', `/api/v1/persons/${r.json.id}`, { ifMatch: '"1"', body: { family_name: 'Nortestyan' } });
  assert.equal(u.status, 200);
  assert.ok((await search('Nortestyan')).some((x) => x.id === r.json.id));
  assert.ok((await search('Nortest')).some((x) => x.id === r.json.id));
});

// ---- settlements ----

test('settlements: Stepanakert is found by its Armenian, Azerbaijani, Russian and English names', async () => {
  const names = ['Ստեփանակերտ', 'Xankəndi', 'Степанакерт', 'Stepanakert', 'Khankendi', 'stepanakert', 'XANKƏNDI', 'Ханкенди', 'Степан'];
  for (const q of names) {
    const r = await env.api('GET', `/api/v1/settlements?q=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200, `${q}: ${r.text}`);
    assert.equal(r.json.next, null);
    const hit = r.json.items.find((s) => s.id === 'stepanakert');
    assert.ok(hit, `${q} did not find stepanakert: ${r.text.slice(0, 300)}`);
    assert.equal(hit.names.hy, 'Ստեփանակերտ');
    assert.equal(hit.names.az, 'Xankəndi');
    assert.equal(hit.names.ru, 'Степанакерт');
    assert.equal(hit.names.en, 'Stepanakert');
    assert.ok(Math.abs(hit.lat - 39.8) < 0.1 && Math.abs(hit.lon - 46.75) < 0.1, 'coordinates');
  }
  for (const q of ['Շուշի', 'Şuşa', 'Шуши', 'Shushi', 'Shusha']) {
    const r = await env.api('GET', `/api/v1/settlements?q=${encodeURIComponent(q)}`);
    assert.ok(r.json.items.some((s) => s.id === 'shushi'), `${q} did not find shushi`);
  }
  const none = await env.api('GET', '/api/v1/settlements?q=Qwzxvbnm');
  assert.deepEqual(none.json.items, []);
});

test('settlements: read one, limits, errors', async () => {
  const g = await env.api('GET', '/api/v1/settlements/stepanakert');
  assert.equal(g.status, 200);
  assert.equal(g.json.id, 'stepanakert');
  assert.ok(Array.isArray(g.json.other_names) && g.json.other_names.includes('Khankendi'));
  assertProblem(await env.api('GET', '/api/v1/settlements/atlantis'), 404);
  assertProblem(await env.api('GET', '/api/v1/settlements'), 400, 'q');
  assertProblem(await env.api('GET', '/api/v1/settlements?q='), 400, 'q');
  assertProblem(await env.api('GET', '/api/v1/settlements?q=a&limit=0'), 400, 'limit');
  assertProblem(await env.api('GET', '/api/v1/settlements?q=a&limit=201'), 400, 'limit');
  assertProblem(await env.api('GET', `/api/v1/settlements?q=${'x'.repeat(201)}`), 400, 'q');
  const one = await env.api('GET', '/api/v1/settlements?q=a&limit=1');
  assert.equal(one.status, 200);
  assert.ok(one.json.items.length <= 1);
});
