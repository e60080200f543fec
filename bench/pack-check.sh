#!/usr/bin/env bash
# The packaging check of issue 11: the package as a user installs it, not as this repository sees it.
#   bash bench/pack-check.sh            (from anywhere; uses a fresh folder under /tmp and removes it)
# 1. builds and packs the package; the tarball must hold no tests, test support or bench scripts;
# 2. installs the tarball in a fresh folder outside the repository (dependencies from the registry);
# 3. imports volley, volley/batch, volley/report, volley/otel and volley/simulator, and type-checks
#    the same imports from a .ts file as a user's project would (moduleResolution nodenext);
# 4. runs runBatch over 20 lines against the in-process simulator;
# 5. runs a shipped example from node_modules, and npx volley --version.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d /tmp/volley-pack-check-XXXXXX)"
trap 'rm -rf "$work"' EXIT
step() { printf '\n== %s\n' "$*"; }

step "npm pack (in $repo)"
cd "$repo"
npm run build --silent
tarball="$(npm pack --silent --pack-destination "$work" | tail -n 1)"
tar -tzf "$work/$tarball" | sort >"$work/contents.txt"
echo "$tarball: $(wc -l <"$work/contents.txt") files, $(du -k "$work/$tarball" | cut -f1) KB"
grep -E '^package/[^/]+$' "$work/contents.txt" | sed 's/^/  /'
if grep -E '\.test\.|\.bench\.|/test-support/|^package/(bench|src)/' "$work/contents.txt"; then
  echo "FAIL: the tarball holds tests, test support, bench scripts or sources (above)"
  exit 1
fi
echo "no tests, test support, bench scripts or sources in the tarball"

step "npm install ./$tarball (in a fresh folder: $work/app)"
mkdir "$work/app"
cd "$work/app"
printf '{ "name": "app", "version": "1.0.0", "private": true, "type": "module" }\n' >package.json
npm install --no-audit --no-fund --loglevel=error "$work/$tarball"
echo "installed volley $(node -p "require('./node_modules/volley/package.json').version")"

step "import every entry point, and runBatch over 20 lines against the in-process simulator"
cat >check.mjs <<'EOF'
import { readFile } from 'node:fs/promises';
import * as root from 'volley';
import * as batch from 'volley/batch';
import * as otel from 'volley/otel';
import * as report from 'volley/report';
import * as simulator from 'volley/simulator';

const want = {
  volley: [root, ['Volley', 'flow', 'openai', 'anthropic', 'VolleyError']],
  'volley/batch': [batch, ['runBatch', 'parseLine']],
  'volley/report': [report, ['recordRun', 'buildReport', 'recordStatus']],
  'volley/otel': [otel, ['instrument']],
  'volley/simulator': [simulator, ['createSimulator', 'listen']],
};
for (const [name, [module, names]] of Object.entries(want)) {
  const missing = names.filter((n) => module[n] === undefined);
  if (missing.length > 0) throw new Error(`${name} does not export ${missing.join(', ')}`);
  console.log(`${name.padEnd(17)} ${Object.keys(module).length} exports, among them ${names.join(', ')}`);
}
if ('echoProvider' in root) throw new Error('volley still exports the echo provider');

const sim = simulator.createSimulator({ latencyMedianMs: 5 });
const volley = new root.Volley({
  provider: root.openai({ apiKey: 'pack-check', baseURL: 'http://sim/v1', fetch: sim.fetch }),
  model: 'gpt-4o-mini',
});
const lines = Array.from({ length: 20 }, (_, i) => JSON.stringify({ custom_id: `q-${i}`, prompt: `Question ${i}?` }));
const summary = await batch.runBatch(lines, { volley, out: 'out.jsonl' });
const records = (await readFile('out.jsonl', 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
const answered = records.filter((r) => r.response?.status_code === 200).length;
console.log(`runBatch: ${summary.outcome}, ${records.length} records, ${answered} answered, ${sim.stats().requests} requests`);
if (records.length !== 20 || answered !== 20) throw new Error('runBatch did not answer every line once');
EOF
node check.mjs

step "type-check the same imports as a user's TypeScript project would"
cat >tsconfig.json <<'EOF'
{ "compilerOptions": { "module": "nodenext", "moduleResolution": "nodenext", "strict": true, "noEmit": true, "skipLibCheck": false, "types": [] }, "files": ["check.ts"] }
EOF
cat >check.ts <<'EOF'
import { type CallResult, flow, openai, Volley } from 'volley';
import { type RunSummary, runBatch } from 'volley/batch';
import { instrument } from 'volley/otel';
import { recordRun } from 'volley/report';
import { createSimulator } from 'volley/simulator';

const volley: Volley = new Volley({ provider: openai({ apiKey: 'x' }) });
const summary: Promise<RunSummary> = runBatch([], { volley, out: 'out.jsonl' });
const result: Promise<CallResult> = volley.complete({ prompt: 'hi' });
export { createSimulator, flow, instrument, recordRun, result, summary };
EOF
# (not `tsc && echo`: set -e does not stop on a failure inside an && list)
"$repo/node_modules/.bin/tsc" -p tsconfig.json --skipLibCheck
echo "check.ts type-checks against the installed package"

step "npx tsx node_modules/volley/examples/gather.ts"
npx tsx node_modules/volley/examples/gather.ts

step "npx volley --version"
npx volley --version

printf '\npack check passed\n'
