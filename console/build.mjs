// Bundles the console (src/main.jsx, src/style.css) with esbuild into OUTDIR (default
// ../build/share/mailpush/console): content-hashed app-HASH.js and app-HASH.css, and index.html
// naming them. Fails when the first load (JS + CSS) is over 200 KB gzipped.
import * as esbuild from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const outdir = process.argv[2] || join(here, '..', 'build', 'share', 'mailpush', 'console');
const limit = 200 * 1024;

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const result = await esbuild.build({
  entryPoints: { app: join(here, 'src', 'main.jsx') },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  entryNames: '[name]-[hash]',
  outdir,
  metafile: true,
  logLevel: 'warning',
});
const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
const js = outputs.find((f) => f.endsWith('.js'));
const css = outputs.find((f) => f.endsWith('.css'));
const html = readFileSync(join(here, 'src', 'index.html'), 'utf8')
  .replace('%APP_JS%', js)
  .replace('%APP_CSS%', css);
writeFileSync(join(outdir, 'index.html'), html);
let gzipped = 0;
for (const f of readdirSync(outdir)) gzipped += gzipSync(readFileSync(join(outdir, f))).length;
console.log(`console: ${readdirSync(outdir).join(' ')} → ${outdir} (${(gzipped / 1024).toFixed(1)} KB gzipped)`);
if (gzipped > limit) {
  console.error(`console: the first load is ${gzipped} bytes gzipped, over the ${limit} limit`);
  process.exit(1);
}
