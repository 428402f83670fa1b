// Summarises a V8 .cpuprofile (from `BENCH_CPU_PROF=<dir> npm run bench`): where the parley
// process spent its samples, by function (self time) and by package or source folder.
// Usage: node bench/profile-summary.mjs <file.cpuprofile> [top=25]
import { readFileSync } from 'node:fs';

const [file, topText] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topText ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Self time of each sample is the delta to the next one.
const self = new Map();
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i + 1] ?? 0;
  self.set(id, (self.get(id) ?? 0) + dt);
});
// Percentages are of busy time: the (idle) pseudo-frame (waiting for the network) is left out.
const idleIds = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
const idle = [...idleIds].reduce((sum, id) => sum + (self.get(id) ?? 0), 0);
for (const id of idleIds) self.delete(id);
const total = [...self.values()].reduce((a, b) => a + b, 0);

/** Where a frame's code lives: a package, a parley folder, node internals or a V8 pseudo-frame. */
function area(node) {
  const url = node.callFrame.url;
  if (url === '') return node.callFrame.functionName.startsWith('(') ? node.callFrame.functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg !== null) return pkg[1];
  const own = /dist\/src\/(.+)\/[^/]+\.js$/.exec(url) ?? /dist\/src\/([^/]+)\.js$/.exec(url);
  if (own !== null) return `parley ${own[1]}`;
  if (url.startsWith('node:')) return 'node internals';
  return url;
}
const frame = (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*node_modules\//, '').replace(/^.*dist\/src\//, 'src/')}:${n.callFrame.lineNumber + 1}`;

function print(title, map) {
  console.log(`\n${title}`);
  const rows = [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [name, us] of rows) console.log(`${((us / total) * 100).toFixed(1).padStart(6)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`);
}

const byFrame = new Map();
const byArea = new Map();
for (const [id, us] of self) {
  const n = byId.get(id);
  byFrame.set(frame(n), (byFrame.get(frame(n)) ?? 0) + us);
  byArea.set(area(n), (byArea.get(area(n)) ?? 0) + us);
}

// Inclusive time of selected functions: every sample whose stack contains a frame of that name.
const inclusive = new Map();
for (const [id, us] of self) {
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const n = byId.get(cur);
    const key = `${n.callFrame.functionName || '(anonymous)'} (${area(n)})`;
    if (!seen.has(key)) {
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
}

console.log(`${file}: ${(total / 1e6).toFixed(1)} s busy, ${(idle / 1e6).toFixed(1)} s idle`);
print('self time by area', byArea);
print('self time by function', byFrame);
print('inclusive time by function', inclusive);
