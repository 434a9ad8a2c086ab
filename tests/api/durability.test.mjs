// durability.test.mjs - an acknowledged write survives a crash: 200 creates
// each answered 201, then `kill -9` of the server, a restart on the same
// database, every record is there as acknowledged, and SQLite's
// integrity_check says ok. Then a clean stop (SIGTERM, exit 0).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { makeDb, makeToken, startServer, client, syntheticPerson } from './helpers.mjs';

const N = 200;
let db;
let server;

after(async () => {
  try {
    if (server && server.proc.exitCode === null && server.proc.signalCode === null) await server.kill9();
  } finally {
    db?.cleanup();
  }
});

test(`${N} acknowledged creates survive kill -9 and the database is intact`, async () => {
  db = makeDb();
  server = await startServer(db.db);
  const token = makeToken(db.db);
  let api = client(server.url, { token });

  // Create from a few concurrent writers, as real clients would.
  const acked = new Map();
  let next = 0;
  async function writer() {
    for (;;) {
      const i = next++;
      if (i >= N) return;
      const body = syntheticPerson({ family_name: `Durableyan${i}`, notes: `acknowledged write ${i}` });
      const r = await api('POST', '/api/v1/persons', { body });
      assert.equal(r.status, 201, `create ${i}: ${r.text}`);
      acked.set(r.json.id, { i, number: r.json.number, family_name: body.family_name });
    }
  }
  await Promise.all([writer(), writer(), writer(), writer()]);
  assert.equal(acked.size, N);
  // One more acknowledged write of another kind: an update.
  const [firstId] = acked.keys();
  const u = await api('PATCH', `/api/v1/persons/${firstId}`, { ifMatch: '"1"', body: { notes: 'updated before the crash' } });
  assert.equal(u.status, 200, u.text);

  await server.kill9();
  assert.equal(server.proc.signalCode, 'SIGKILL');

  server = await startServer(db.db);
  api = client(server.url, { token });
  let found = 0;
  for (const [id, want] of acked) {
    const r = await api('GET', `/api/v1/persons/${id}`);
    assert.equal(r.status, 200, `person ${want.i} (${id}) lost: ${r.text}`);
    assert.equal(r.json.family_name, want.family_name);
    assert.equal(r.json.number, want.number);
    found++;
  }
  assert.equal(found, N);
  const g = await api('GET', `/api/v1/persons/${firstId}`);
  assert.equal(g.json.version, 2);
  assert.equal(g.json.notes, 'updated before the crash');
  // The history written with each create survived too.
  const h = await api('GET', `/api/v1/persons/${firstId}/history`);
  assert.deepEqual(h.json.items.map((x) => x.action), ['create', 'update']);
  // Search words were kept with the rows.
  const s = await api('GET', '/api/v1/persons?q=Durableyan1&limit=100');
  assert.ok(s.json.items.some((p) => p.family_name === 'Durableyan1'));

  // Numbers stay unique after the restart.
  const more = await api('POST', '/api/v1/persons', { body: syntheticPerson({ family_name: 'Afterrestartyan' }) });
  assert.equal(more.status, 201, more.text);
  assert.ok(![...acked.values()].some((v) => v.number === more.json.number));

  await server.stop();
  const out = execFileSync('sqlite3', [db.db, 'PRAGMA integrity_check'], { encoding: 'utf8' }).trim();
  assert.equal(out, 'ok');
  const fk = execFileSync('sqlite3', [db.db, 'PRAGMA foreign_key_check'], { encoding: 'utf8' }).trim();
  assert.equal(fk, '', `foreign key violations: ${fk}`);
  const count = execFileSync('sqlite3', [db.db, "SELECT count(*) FROM persons WHERE family_name LIKE 'Durableyan%'"], { encoding: 'utf8' }).trim();
  assert.equal(Number(count), N);
});
