// security-tls.test.mjs - HTTPS through libmicrohttpd's GnuTLS: TLS 1.2 and
// 1.3 accepted, older refused, HSTS and Secure cookies; and, when the test
// runs as root, the server gives up root once its port is bound.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { BIN, makeDb, startServer } from './helpers.mjs';

let t;
let tls; // {proc, port}

function openssl(args, input) {
  return spawnSync('openssl', args, { encoding: 'utf8', input, timeout: 20000 });
}

before(async () => {
  t = makeDb();
  const key = path.join(t.dir, 'key.pem');
  const cert = path.join(t.dir, 'cert.pem');
  const r = openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', '/CN=localhost']);
  assert.equal(r.status, 0, r.stderr);
  const proc = spawn(BIN, ['serve', '--db', t.db, '--listen', '127.0.0.1:0', '--quiet', '--tls-cert', cert, '--tls-key', key],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    proc.stderr.on('data', (d) => { err += d; });
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /listening on https:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    proc.on('exit', (code) => reject(new Error(`TLS server exited ${code}: ${err}`)));
  });
  tls = { proc, port };
});

after(async () => {
  if (tls) {
    const exited = new Promise((res) => tls.proc.on('exit', (code) => res(code)));
    tls.proc.kill('SIGTERM');
    assert.equal(await exited, 0);
  }
  if (t) t.cleanup();
});

function get(p, opts = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port: tls.port, path: p, rejectUnauthorized: false, ...opts }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    if (opts.body) req.write(opts.body);
    req.end();
  });
}

test('HTTPS answers with HSTS; a login cookie is Secure', async () => {
  const r = await get('/api/v1/health');
  assert.equal(r.status, 200);
  assert.match(r.headers['strict-transport-security'], /max-age=\d+/);
  const login = await get('/api/v1/sessions', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: t.adminPassword }),
  });
  assert.equal(login.status, 201, login.body);
  const cookie = login.headers['set-cookie'].join(';');
  assert.match(cookie, /Secure/);
  assert.match(cookie, /HttpOnly/);
});

test('TLS 1.2 and 1.3 are accepted, TLS 1.1 and 1.0 refused', () => {
  for (const [flag, ok] of [['-tls1_3', true], ['-tls1_2', true], ['-tls1_1', false], ['-tls1', false]]) {
    const r = openssl(['s_client', '-connect', `127.0.0.1:${tls.port}`, flag, '-cipher', 'DEFAULT@SECLEVEL=0'], '');
    const proto = /Protocol\s*:\s*(\S+)/.exec(r.stdout);
    const established = r.status === 0 && /Cipher is (?!\(NONE\))/.test(r.stdout);
    assert.equal(established, ok, `${flag}: ${proto ? proto[1] : '?'} ${r.stdout.slice(0, 200)}`);
  }
});

test('started as root, the server runs as an unprivileged user once listening', async () => {
  if (process.getuid() !== 0) {
    // Only root can drop root; as another user there is nothing to check,
    // so check instead that the server still runs as that user.
    const s = await startServer(t.db);
    const uid = /Uid:\s+(\d+)/.exec(readFileSync(`/proc/${s.proc.pid}/status`, 'utf8'))[1];
    assert.equal(Number(uid), process.getuid());
    await s.stop();
    return;
  }
  const s = await startServer(t.db);
  const status = readFileSync(`/proc/${s.proc.pid}/status`, 'utf8');
  const [, real, eff, saved] = /Uid:\s+(\d+)\s+(\d+)\s+(\d+)/.exec(status);
  assert.notEqual(Number(real), 0);
  assert.notEqual(Number(eff), 0);
  assert.notEqual(Number(saved), 0, 'root could be taken back');
  // And it still writes: the database files were handed over.
  const r = await fetch(`${s.url}/api/v1/health`);
  assert.equal(r.status, 200);
  await s.stop();
});
