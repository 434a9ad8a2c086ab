// snapshots.test.mjs - the server's readers keep their read snapshot from one
// GET to the next while nothing is committed (src/store/db.c). Under a
// steady load of reads, so that every reader holds a kept snapshot, each
// acknowledged write must be seen by the very next reads, whichever reader
// answers them; and a commit made by another process (the command line) too.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, syntheticPerson, etagVersion, run } from './helpers.mjs';

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
});

// GETs of one record from many connections at once: they reach every
// network thread, so every reader (and its kept snapshot) answers some.
const FANOUT = 12;
function fanout(id) {
  return Promise.all(Array.from({ length: FANOUT }, () => env.api('GET', `/api/v1/persons/${id}`)));
}

test('every acknowledged write is read back at once by every reader', async () => {
  const steady = await env.api('POST', '/api/v1/persons', { body: syntheticPerson() });
  assert.equal(steady.status, 201, steady.text);
  let stop = false;
  const background = Array.from({ length: 4 }, async () => {
    while (!stop) {
      const r = await env.api('GET', `/api/v1/persons/${steady.json.id}`);
      assert.equal(r.status, 200, r.text);
    }
  });
  try {
    for (let i = 0; i < 25; i++) {
      const c = await env.api('POST', '/api/v1/persons', { body: syntheticPerson({ notes: `created ${i}` }) });
      assert.equal(c.status, 201, c.text);
      for (const r of await fanout(c.json.id)) {
        assert.equal(r.status, 200, `create ${i} not yet seen: ${r.text}`);
        assert.equal(r.json.notes, `created ${i}`);
      }
      const u = await env.api('PATCH', `/api/v1/persons/${c.json.id}`, {
        ifMatch: `"${etagVersion(c)}"`, body: { notes: `updated ${i}` },
      });
      assert.equal(u.status, 200, u.text);
      for (const r of await fanout(c.json.id)) {
        assert.equal(r.json.notes, `updated ${i}`, `update ${i} not yet seen`);
        assert.equal(etagVersion(r), etagVersion(u));
      }
    }
  } finally {
    stop = true;
    await Promise.all(background);
  }
});

test('a change committed by another process is read at once', async () => {
  const name = `snapshot-cli-${process.pid}`;
  const before = await env.api('GET', '/api/v1/users');
  assert.equal(before.status, 200, before.text);
  assert.ok(!before.json.items.some((u) => u.username === name));
  // Every reader answers (and keeps a snapshot) before the other process commits.
  await Promise.all(Array.from({ length: FANOUT }, () => env.api('GET', '/api/v1/users')));
  run(['user', 'add', name, '--role', 'analyst', '--db', env.db, '--password-stdin'],
    { input: 'Synthetic-pass-for-snapshot\n' });
  const seen = await Promise.all(Array.from({ length: FANOUT }, () => env.api('GET', '/api/v1/users')));
  for (const r of seen) {
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.items.some((u) => u.username === name), 'a reader answered from before the commit');
  }
});
