// duplicates.test.mjs - the matcher inside the registry: a person
// registered in one script is answered with the same person registered in
// another, explained field by field; the review queue confirms (a
// reversible merge that keeps both records and their histories) or
// rejects (never proposed again); ?q= finds a name typed in any script;
// tracing requests see persons registered after them.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { setup, client, makeToken, run } from './helpers.mjs';

let env;
let first; // the person as an Armenian register wrote him
let russian; // the same man as a Russian list wrote him

function sqlite(db, sql) {
  const r = spawnSync('sqlite3', [db, sql], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

before(async () => {
  env = await setup({ persons: 200 });
  const r = await env.api('POST', '/api/v1/persons', {
    body: { given_name: 'Արամ', family_name: 'Հովհաննիսյան', patronymic: 'Գևորգի', sex: 'male', birth_date: '1971-03-14',
      origin_settlement: 'stepanakert', source: 'test: Armenian register (synthetic)' },
  });
  assert.equal(r.status, 201, r.text);
  first = r.json;
});

after(async () => {
  if (env) await env.close();
});

test('registering the same man from a Russian list answers with the Armenian record, explained', async () => {
  const r = await env.api('POST', '/api/v1/persons', {
    body: { given_name: 'Арам', family_name: 'Оганесян', patronymic: 'Геворкович', sex: 'male', birth_date: '1971-03-14',
      source: 'test: Russian list (synthetic)' },
  });
  assert.equal(r.status, 201, r.text);
  russian = r.json;
  assert.ok(Array.isArray(r.json.duplicates), r.text);
  const hit = r.json.duplicates.find((d) => d.id === first.id);
  assert.ok(hit, `the Armenian record was not proposed: ${JSON.stringify(r.json.duplicates)}`);
  assert.ok(hit.probability >= 0.5 && hit.probability <= 1);
  for (const f of ['family', 'given', 'father', 'birth']) {
    assert.ok(hit.explanation[f], `no explanation for ${f}`);
    assert.equal(typeof hit.explanation[f].level, 'string');
    assert.equal(typeof hit.explanation[f].weight, 'number');
  }
  assert.equal(hit.explanation.birth.level, 'exact');
  // And the other way: the Armenian record's duplicates include the Russian one.
  const d = await env.api('GET', `/api/v1/persons/${first.id}/duplicates`);
  assert.equal(d.status, 200, d.text);
  assert.ok(d.json.items.some((x) => x.id === r.json.id));
});

test('a different man with the same surname is not proposed', async () => {
  const r = await env.api('POST', '/api/v1/persons', {
    body: { given_name: 'Narine', family_name: 'Hovhannisyan', sex: 'female', birth_date: '1990-08-02', source: 'test (synthetic)' },
  });
  assert.equal(r.status, 201);
  assert.equal(r.json.duplicates.some((d) => d.id === first.id), false);
});

test('?q= finds him typed in Latin, Cyrillic or Armenian, in either order', async () => {
  for (const q of ['Hovhannisyan Aram', 'Оганесян Арам', 'OVANESYAN ARAM', 'Հովհաննիսյան']) {
    const r = await env.api('GET', `/api/v1/persons?q=${encodeURIComponent(q)}&limit=50`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.items.some((p) => p.id === first.id), `q=${q} did not find the Armenian record`);
    assert.ok(r.json.items.some((p) => p.id === russian.id), `q=${q} did not find the Russian record`);
  }
  // Given name first, in another romanisation: at least his Russian-list record.
  const swapped = await env.api('GET', `/api/v1/persons?q=${encodeURIComponent('Aram Ovanesian')}&limit=50`);
  assert.ok(swapped.json.items.some((p) => p.id === russian.id || p.id === first.id));
  const none = await env.api('GET', `/api/v1/persons?q=${encodeURIComponent('Zzyzx Qwvrt')}`);
  assert.equal(none.json.items.length, 0);
});

test('review queue: reject is final, confirm merges reversibly, decisions are audited', async () => {
  const reviewer = run(['user', 'add', `reviewer-${process.pid}`, '--role', 'tracing_officer', '--db', env.db,
    '--password-stdin'], { input: 'Synthetic-reviewer-pass\n' });
  assert.equal(reviewer.status, 0);
  const rev = client(env.url, { token: makeToken(env.db, `reviewer-${process.pid}`) });
  const analyst = run(['user', 'add', `an-${process.pid}`, '--role', 'analyst', '--db', env.db, '--password-stdin'],
    { input: 'Synthetic-analyst-pass\n' });
  assert.equal(analyst.status, 0);
  assert.equal((await client(env.url, { token: makeToken(env.db, `an-${process.pid}`) })('GET', '/api/v1/duplicates')).status, 403);

  const q = await rev('GET', '/api/v1/duplicates?limit=100');
  assert.equal(q.status, 200, q.text);
  const pair = q.json.items.find((p) => p.left.id === first.id || p.right.id === first.id);
  assert.ok(pair, 'the pair is in the queue');
  assert.equal(pair.status, 'pending');
  const later = pair.right.id === first.id ? pair.left : pair.right;

  // Confirm: the later registration becomes a duplicate of the earlier.
  const c = await rev('POST', `/api/v1/duplicates/${pair.id}/decision`, { body: { decision: 'confirm' } });
  assert.equal(c.status, 200, c.text);
  assert.equal(c.json.status, 'confirmed');
  const dup = await env.api('GET', `/api/v1/persons/${c.json.duplicate}?include_closed=true`);
  assert.equal(dup.status, 200);
  assert.equal(dup.json.record_status, 'duplicate');
  assert.equal(dup.json.duplicate_of, c.json.kept);
  const hist = await env.api('GET', `/api/v1/persons/${c.json.duplicate}/history`);
  assert.ok(hist.json.items.some((h) => h.action === 'merge'));
  const list = await env.api('GET', `/api/v1/persons?q=${encodeURIComponent('Оганесян')}&limit=50`);
  assert.equal(list.json.items.some((p) => p.id === c.json.duplicate), false, 'a merged duplicate left the default list');
  assert.equal((await rev('POST', `/api/v1/duplicates/${pair.id}/decision`, { body: { decision: 'confirm' } })).status, 409);

  // Undo: both records as they were, the history keeps both moves.
  const u = await rev('POST', `/api/v1/duplicates/${pair.id}/decision`, { body: { decision: 'undo' } });
  assert.equal(u.status, 200, u.text);
  const back = await env.api('GET', `/api/v1/persons/${c.json.duplicate}`);
  assert.equal(back.json.record_status, 'active');
  assert.equal(back.json.duplicate_of, null);
  const hist2 = await env.api('GET', `/api/v1/persons/${c.json.duplicate}/history`);
  assert.ok(hist2.json.items.some((h) => h.action === 'unmerge'));

  // Reject: never proposed again, even when the person is edited.
  const rj = await rev('POST', `/api/v1/duplicates/${pair.id}/decision`, { body: { decision: 'reject' } });
  assert.equal(rj.status, 200, rj.text);
  const again = await env.api('PATCH', `/api/v1/persons/${later.id}`, {
    body: { notes: 'edited after the rejection' }, ifMatch: `"${back.json.version}"`,
  });
  assert.equal(again.status, 200, again.text);
  const pending = await rev('GET', '/api/v1/duplicates?limit=100');
  assert.equal(pending.json.items.some((p) => p.id === pair.id), false);
  const rejected = await rev('GET', '/api/v1/duplicates?status=rejected');
  assert.ok(rejected.json.items.some((p) => p.id === pair.id));
  assert.equal(sqlite(env.db, `SELECT count(*) FROM person_pairs WHERE uuid = '${pair.id}'`), '1');

  const actions = sqlite(env.db, `SELECT group_concat(action) FROM audit WHERE action IN ('person.merge', 'person.unmerge', 'duplicate.reject')`);
  assert.match(actions, /person\.merge/);
  assert.match(actions, /person\.unmerge/);
  assert.match(actions, /duplicate\.reject/);
  assert.equal((await rev('POST', `/api/v1/duplicates/${pair.id}/decision`, { body: { decision: 'maybe' } })).status, 422);
});

test('a tracing request sees a person registered after it', async () => {
  const req = await env.api('POST', '/api/v1/tracing-requests', {
    body: { inquirer_name: 'Synthetic Inquirer', relation: 'sibling', sought_given: 'Gayane', sought_family: 'Mkrtchyan',
      sought_sex: 'female', sought_birth_date: '1985-11-03' },
  });
  assert.equal(req.status, 201, req.text);
  assert.equal(req.json.matching_engine, 'connected');
  // The same woman registered without consent to tracing is never offered.
  const silent = await env.api('POST', '/api/v1/persons', {
    body: { given_name: 'Gayane', family_name: 'Mkrtchyan', sex: 'female', birth_date: '1985-11-03', source: 'test (synthetic)' },
  });
  assert.equal(silent.status, 201, silent.text);
  const before = await env.api('GET', `/api/v1/tracing-requests/${req.json.id}`);
  assert.equal(JSON.stringify(before.json.matches).includes(silent.json.id), false, 'a person without consent was offered');
  const p = await env.api('POST', '/api/v1/persons', {
    body: { given_name: 'Գայանե', family_name: 'Մկրտչյան', sex: 'female', birth_date: '1985-11-03', consent_tracing: true,
      consent_date: '2024-01-10', source: 'test (synthetic)' },
  });
  assert.equal(p.status, 201, p.text);
  const after = await env.api('GET', `/api/v1/tracing-requests/${req.json.id}`);
  assert.equal(after.status, 200);
  assert.ok(after.json.matches.some((m) => (m.person && (m.person.id || m.person) === p.json.id) || m.person_id === p.json.id ||
    JSON.stringify(m).includes(p.json.id)), `no candidate: ${JSON.stringify(after.json.matches)}`);
  assert.equal(after.json.status, 'potential_match');
});
