// Fits the weights of the intent classifier's learned confidence (src/dialog/intent_calibration.cc)
// on the evaluation flows under eval/: a logistic regression of "the top intent is the right
// answer" on the evidence `parley eval intents --evidence` writes for every test line, in scope
// and out of scope. Then, with the flows in four folds (each fold scored by weights fitted on the
// other three), it sweeps the threshold and picks the operating point where the most generic
// customer-service flows (names ending in _cs) meet both targets (in scope >= 0.85, out of scope
// >= 0.70); the intercept is moved so that the default threshold 0.3 falls there.
//
// Usage: node bench/fit_confidence.mjs [--first] [PARLEY_BINARY]   (default: build/src/parley)
// Prints the sweep and the constants to paste into intent_calibration.cc (it reproduces the ones
// there). --first holds out the 24 flows written to measure the first fit as well: with the
// classifier of commit c4d9b7f (whose evidence the first and second fits saw) it reproduces that
// fit (48 flows; its constants are in commit bffc6f6).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const first = args.includes('--first');
const bin = args.find((a) => a !== '--first') ?? join(root, 'build/src/parley');
// Flows kept out of the fit, written after it to measure it: those bench/intent_eval.sh lists in
// its groups held_out and held_out_new (and, with --first, first_held_out); see docs/dialog.md,
// Evaluation.
const listed = readFileSync(join(root, 'bench/intent_eval.sh'), 'utf8');
const inGroup = (group) => [
  ...listed.matchAll(new RegExp(`"eval/(\\w+)\\.yaml eval/\\w+\\.jsonl ${group}"`, 'g')),
].map((m) => m[1]);
const heldOut = new Set([...inGroup('held_out'), ...inGroup('held_out_new'),
  ...(first ? inGroup('first_held_out') : [])]);
// The constants for the features of row() below, in its order.
const names = ['kLearnedScore', 'kLearnedSimilarity', 'kLearnedFlowOdds', 'kLearnedLibraryOdds',
  'kLearnedBorrowsNothing', 'kLearnedKnown', 'kLearnedForeign', 'kLearnedOther'];
const ridge = 1e-4;

const evalDir = join(root, 'eval');
const flows = readdirSync(evalDir)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.slice(0, -5))
  .filter((n) => existsSync(join(evalDir, `${n}_test.jsonl`)) && !heldOut.has(n))
  .sort();

// Each flow's lines, two flows at a time.
const tmp = mkdtempSync(join(tmpdir(), 'fit-confidence-'));
const run = promisify(execFile);
const lines = new Map();
for (let i = 0; i < flows.length; i += 2) {
  await Promise.all(flows.slice(i, i + 2).map(async (n) => {
    const out = join(tmp, `${n}.jsonl`);
    await run(bin, ['eval', 'intents', '--flow', join(evalDir, `${n}.yaml`), '--data',
      join(evalDir, `${n}_test.jsonl`), '--evidence', out], { maxBuffer: 1 << 26 });
    lines.set(n, readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l)));
  }));
}
rmSync(tmp, { recursive: true });

const row = (l) => [l.score, l.similarity, l.flow_odds, Math.max(l.library_odds, 0),
  l.library_odds < 0 ? 1 : 0, l.known, l.foreign ? 1 : 0, l.other];
// A line the confidence decides: not an exact pattern, some intent scored, both models there.
const decided = (l) => !l.exact && l.top !== '' && l.learned;
const sigmoid = (z) => 1 / (1 + Math.exp(-z));

// Newton's method on the mean log-loss plus a small ridge (not on the intercept).
function fit(rows, labels) {
  const d = rows[0].length + 1;
  const w = new Array(d).fill(0);
  for (let iter = 0; iter < 50; ++iter) {
    const g = new Array(d).fill(0);
    const h = Array.from({ length: d }, () => new Array(d).fill(0));
    rows.forEach((r, i) => {
      const x = [1, ...r];
      const p = sigmoid(x.reduce((z, v, j) => z + w[j] * v, 0));
      const e = p - labels[i], v = p * (1 - p);
      for (let j = 0; j < d; ++j) {
        g[j] += (e * x[j]) / rows.length;
        for (let k = 0; k < d; ++k) h[j][k] += (v * x[j] * x[k]) / rows.length;
      }
    });
    for (let j = 1; j < d; ++j) {
      g[j] += ridge * w[j];
      h[j][j] += ridge;
    }
    const step = solve(h, g);
    step.forEach((s, j) => (w[j] -= s));
    if (Math.max(...step.map(Math.abs)) < 1e-10) break;
  }
  return w;
}

// Gaussian elimination with partial pivoting: a x = b.
function solve(a, b) {
  const m = a.map((r, i) => [...r, b[i]]);
  const n = m.length;
  for (let c = 0; c < n; ++c) {
    let p = c;
    for (let r = c + 1; r < n; ++r) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = 0; r < n; ++r) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; ++k) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((r, i) => r[n] / r[i]);
}

function fitOn(names) {
  const ls = names.flatMap((n) => lines.get(n)).filter(decided);
  return fit(ls.map(row), ls.map((l) => (l.top === l.intent ? 1 : 0)));
}
const predict = (w, l) => sigmoid(row(l).reduce((z, v, j) => z + w[j + 1] * v, w[0]));

// Cross-validated probabilities: flow i is in fold i % 4.
const cv = new Map();
for (let fold = 0; fold < 4; ++fold) {
  const w = fitOn(flows.filter((_, i) => i % 4 !== fold));
  flows.forEach((n, i) => {
    if (i % 4 === fold) lines.get(n).forEach((l) => cv.set(l, decided(l) ? predict(w, l) : 0));
  });
}

function measure(names, t) {
  let inScope = 0, outOfScope = 0, both = 0;
  for (const n of names) {
    let inN = 0, inRight = 0, outN = 0, outRight = 0;
    for (const l of lines.get(n)) {
      const answer = l.exact || (l.top !== '' && cv.get(l) >= t) ? l.top : 'out_of_scope';
      if (l.intent === 'out_of_scope') {
        ++outN;
        outRight += answer === 'out_of_scope';
      } else {
        ++inN;
        inRight += answer === l.intent;
      }
    }
    inScope += inRight / inN;
    outOfScope += outRight / outN;
    both += inRight / inN >= 0.85 && outRight / outN >= 0.7 ? 1 : 0;
  }
  return { inScope: inScope / names.length, outOfScope: outOfScope / names.length, both };
}

const generic = flows.filter((n) => n.endsWith('_cs'));
console.log(`${flows.length} flows (${generic.length} generic customer-service ones), ` +
  `${heldOut.size} held out`);
console.log('cross-validated: threshold | generic: in scope, out of scope, both met | all: same');
let best = -1, bestTs = [];
for (let k = 10; k <= 25; ++k) {
  const t = k / 50;
  const g = measure(generic, t), a = measure(flows, t);
  console.log(`  ${t.toFixed(2)} | ${g.inScope.toFixed(3)} ${g.outOfScope.toFixed(3)} ` +
    `${g.both}/${generic.length} | ${a.inScope.toFixed(3)} ${a.outOfScope.toFixed(3)} ` +
    `${a.both}/${flows.length}`);
  if (g.both > best) [best, bestTs] = [g.both, [t]];
  else if (g.both === best) bestTs.push(t);
}
// The middle of the best run of thresholds.
const at = bestTs[Math.floor((bestTs.length - 1) / 2)];
const logit = (p) => Math.log(p / (1 - p));
const w = fitOn(flows);
console.log(`operating point: ${at.toFixed(2)} (the default threshold 0.3 moved there)`);
console.log(`constexpr double kLearnedIntercept = ${(w[0] + logit(0.3) - logit(at)).toFixed(4)};` +
  `  // fitted: ${w[0].toFixed(4)}`);
names.forEach((name, j) => console.log(`constexpr double ${name} = ${w[j + 1].toFixed(4)};`));
