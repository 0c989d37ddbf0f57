// A throwaway npm registry for the @callperm scope, serving the tarballs `pnpm pack` made, so that npm
// installs them as it would from the real registry (dependencies between them included). Everything else
// still comes from the configured registry (npm is told `@callperm:registry=<this>`).
// Usage: node registry.mjs DIR_OF_TARBALLS PORT_FILE PREFIX   (serves under /PREFIX/, writes its port to PORT_FILE)
// A fresh PREFIX per run keeps npm's cache (keyed by URL) from mixing up tarballs of different builds.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

const [dir, portFile, prefix] = process.argv.slice(2);
if (!dir || !portFile || !prefix) throw new Error('usage: node registry.mjs DIR_OF_TARBALLS PORT_FILE PREFIX');

const tarballs = new Map(); // file name -> bytes
const packuments = new Map(); // package name -> packument (without the base URL filled in)
for (const file of readdirSync(dir).filter((f) => f.endsWith('.tgz'))) {
  const bytes = readFileSync(join(dir, file));
  const manifest = JSON.parse(execFileSync('tar', ['-xzOf', join(dir, file), 'package/package.json'], { encoding: 'utf8' }));
  tarballs.set(file, bytes);
  const doc = packuments.get(manifest.name) ?? { name: manifest.name, 'dist-tags': {}, versions: {} };
  doc['dist-tags'].latest = manifest.version;
  doc.versions[manifest.version] = {
    ...manifest,
    _id: `${manifest.name}@${manifest.version}`,
    dist: {
      file,
      shasum: createHash('sha1').update(bytes).digest('hex'),
      integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
    },
  };
  packuments.set(manifest.name, doc);
}

const server = createServer((req, res) => {
  const base = `http://${req.headers.host}/${prefix}`;
  const full = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  const path = full.startsWith(`/${prefix}/`) ? full.slice(prefix.length + 1) : '/';
  const tarball = /^\/-\/tarballs\/([^/]+)$/.exec(path);
  if (tarball && tarballs.has(tarball[1])) {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(tarballs.get(tarball[1]));
    return;
  }
  const doc = packuments.get(path.slice(1));
  if (req.method === 'GET' && doc) {
    const versions = Object.fromEntries(Object.entries(doc.versions).map(([v, m]) => {
      const { file, ...dist } = m.dist;
      return [v, { ...m, dist: { ...dist, tarball: `${base}/-/tarballs/${file}` } }];
    }));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ...doc, versions }));
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: 'not_found' }));
});
server.listen(0, '127.0.0.1', () => writeFileSync(portFile, String(server.address().port)));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
