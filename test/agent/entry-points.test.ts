// The three ways in: `--import tsprof/agent`, `import 'tsprof/agent'`, and pprofHandler() in the app's own server.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { pprofHandler, startAgent, type PprofHandler } from '../../src/agent/index.js';
import { fixturesDir, startChildApp } from './child-app.js';

describe('side-effect entry point', () => {
  test('`node --import tsprof/agent app.mjs` (the package name) serves the heap profile', async () => {
    const app = await startChildApp(join(fixturesDir, 'retainer.mjs'), {
      importAgent: false,
      nodeArgs: ['--import', 'tsprof/agent'],
      env: { RETAIN_MB: '5' },
    });
    try {
      const url = /tsprof agent: serving (\S+)\/debug\/pprof\//.exec(app.stderr())![1]!;
      const res = await fetch(`${url}/debug/pprof/heap`);
      assert.equal(res.status, 200);
      const profile = Profile.decode(gunzipSync(Buffer.from(await res.arrayBuffer())));
      assert.ok(profile.sample.length > 0);
    } finally {
      await app.stop();
    }
  });

  test("`import 'tsprof/agent'` first thing in the app works the same", async () => {
    const app = await startChildApp(join(fixturesDir, 'import-first.mjs'), { importAgent: false });
    try {
      const url = /tsprof agent: serving (\S+)\/debug\/pprof\//.exec(app.stderr())![1]!;
      const text = await (await fetch(`${url}/debug/pprof/heap?debug=1`)).text();
      // The function at the line of its body that calls Array.from (heap lines), in its file relative to the app.
      assert.match(text, /#\tholdSomeMemory\ttest\/fixtures\/agent\/import-first\.mjs:7\n/);
    } finally {
      await app.stop();
    }
  });
});

/** serve runs a node:http server on loopback and returns its origin. */
async function serve(listener: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ origin: string; close(): Promise<void> }> {
  const server = createServer(listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

describe('pprofHandler in the app’s own server', () => {
  const handlers: PprofHandler[] = [];
  after(async () => {
    for (const h of handlers) await h.close();
  });

  test('node:http: mounted under the default prefix, the app keeps its other routes', async () => {
    const handler = pprofHandler();
    handlers.push(handler);
    // Sampling starts with the handler: hold ~5 MB allocated after it, so there are samples.
    const held = Array.from({ length: 5000 }, () => new Array(127));
    const server = await serve((req, res) => {
      if (req.url?.startsWith('/debug/pprof')) return handler(req, res);
      res.end('app route\n');
    });
    try {
      assert.equal(await (await fetch(`${server.origin}/hello`)).text(), 'app route\n');
      const index = await fetch(`${server.origin}/debug/pprof/`);
      assert.equal(index.status, 200);
      assert.match(await index.text(), /<h1>\/debug\/pprof\/<\/h1>/);
      const heap = await fetch(`${server.origin}/debug/pprof/heap`);
      assert.equal(heap.status, 200);
      assert.ok(Profile.decode(gunzipSync(Buffer.from(await heap.arrayBuffer()))).sample.length > 0);
      assert.equal(held.length, 5000);
    } finally {
      await server.close();
    }
  });

  test('a custom prefix; requests outside it go to next() or get a 404', async () => {
    const handler = pprofHandler({ prefix: '/ops/pprof/' });
    handlers.push(handler);
    const server = await serve((req, res) => handler(req, res, () => res.end('next\n')));
    try {
      assert.equal((await fetch(`${server.origin}/ops/pprof/cmdline`)).status, 200);
      assert.equal(await (await fetch(`${server.origin}/elsewhere`)).text(), 'next\n');
      const unknown = await fetch(`${server.origin}/ops/pprof/nosuchprofile`);
      assert.equal(unknown.status, 404);
      assert.match(await unknown.text(), /unknown profile: nosuchprofile/);
    } finally {
      await server.close();
    }
    const bare = await serve((req, res) => handler(req, res));
    try {
      const res = await fetch(`${bare.origin}/elsewhere`);
      assert.equal(res.status, 404);
      assert.match(await res.text(), /profiles are under \/ops\/pprof\//);
    } finally {
      await bare.close();
    }
  });

  test('Express-style mounting (the framework strips the mount path, keeps originalUrl)', async () => {
    const handler = pprofHandler();
    handlers.push(handler);
    // What app.use('/debug/pprof', handler) does to the request before calling it.
    const server = await serve((req, res) => {
      const mount = '/debug/pprof';
      if (!req.url?.startsWith(mount)) return res.end('app\n');
      Object.assign(req, { originalUrl: req.url, url: req.url.slice(mount.length) || '/' });
      handler(req, res, () => res.end('next\n'));
    });
    try {
      const res = await fetch(`${server.origin}/debug/pprof/heap?debug=1`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /^heap profile: /);
      assert.equal((await fetch(`${server.origin}/debug/pprof/`)).status, 200);
    } finally {
      await server.close();
    }
  });

  test('with a token, the handler also requires the bearer token', async () => {
    const handler = pprofHandler({ token: 'handler-token-42' });
    handlers.push(handler);
    const server = await serve((req, res) => handler(req, res));
    try {
      assert.equal((await fetch(`${server.origin}/debug/pprof/heap`)).status, 401);
      const ok = await fetch(`${server.origin}/debug/pprof/heap`, { headers: { Authorization: 'Bearer handler-token-42' } });
      assert.equal(ok.status, 200);
      await ok.arrayBuffer();
    } finally {
      await server.close();
    }
  });

  test('startAgent and pprofHandler share the one heap sampler; it stops with the last user', async () => {
    const agent = await startAgent({ address: '127.0.0.1:0' });
    const handler = pprofHandler();
    await agent.stop();
    const server = await serve((req, res) => handler(req, res));
    try {
      assert.equal((await fetch(`${server.origin}/debug/pprof/heap`)).status, 200, 'still sampling for the handler');
    } finally {
      await server.close();
      await handler.close();
    }
  });
});
