#!/usr/bin/env node
// Turns the raw results of one bench/engine_bench.sh run into bench/results/engine.md: the four
// comparisons of the engine issue with both raw figures, the ratio, the target and PASS/FAIL,
// then every round's figures and the setup. Prints the comparison table and any warnings.
//
// Usage: node bench/engine_report.mjs WORK_DIR OUT.md
// WORK_DIR holds meta.json (written by engine_bench.sh) and, per round N:
//   rN-llama-bench.json                 llama-bench -o json
//   rN-SERVER-MODE.json / .err          engine_load.mjs output, or its error (SERVER: llama, parley)
//   rN-PHASE.busy                       CPU % used by other work before the phase

import fs from 'node:fs';
import path from 'node:path';

const [workDir, outFile] = process.argv.slice(2);
if (!workDir || !outFile) {
  process.stderr.write('usage: node bench/engine_report.mjs WORK_DIR OUT.md\n');
  process.exit(1);
}

const meta = JSON.parse(fs.readFileSync(path.join(workDir, 'meta.json'), 'utf8'));
const rounds = Array.from({ length: Number(meta.rounds) }, (_, i) => i + 1);
const kModes = ['single', 'concurrent', 'multiturn', 'overhead'];
const kServers = { llama: 'llama-server', parley: 'Parley' };

// Targets, from the engine issue.
const kMinSingleRatio = 0.95;   // Parley decode tok/s over llama-bench tg
const kMinConcRatio = 1.0;      // Parley aggregate tok/s over llama-server's
const kMaxTtftRatio = 0.5;      // Parley median TTFT (turns >= 2) over llama-server's
const kMaxOverheadMs = 2;       // Parley p50 minus llama-server p50

function readJson(name) {
  const file = path.join(workDir, name);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null;
}
function readText(name) {
  const file = path.join(workDir, name);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
}

const fmt = (x, digits = 2) => (x == null || !Number.isFinite(Number(x)) ? 'n/a' : Number(x).toFixed(digits));
const json = (x) => (x == null ? 'n/a' : JSON.stringify(x).replace(/"/g, ''));

// --- gather ----------------------------------------------------------------------------------

// llama-bench prints one row per test: pp rows have n_gen 0, tg rows n_prompt 0.
const benchRuns = rounds.map((r) => {
  const rows = readJson(`r${r}-llama-bench.json`) ?? [];
  const tg = rows.find((x) => x.n_gen > 0 && x.n_prompt === 0);
  const pp = rows.find((x) => x.n_prompt > 0 && x.n_gen === 0);
  return { round: r, tg: tg?.avg_ts, tgSd: tg?.stddev_ts, pp: pp?.avg_ts, row: tg ?? pp };
}).filter((b) => b.tg != null);

const runs = {};
for (const server of Object.keys(kServers)) {
  runs[server] = rounds.map((r) => Object.fromEntries(kModes.map((m) => [m, readJson(`r${r}-${server}-${m}.json`)])));
}

// Best of the rounds per figure: the machine is shared, and other work only ever makes a run
// slower, so the best run is the closest to what the server can do.
function best(server, mode, field, better) {
  const values = runs[server].map((r) => r[mode]?.[field]).filter((v) => v != null);
  if (values.length === 0) return null;
  return better === 'max' ? Math.max(...values) : Math.min(...values);
}
const bestBench = benchRuns.reduce((a, b) => (a == null || b.tg > a.tg ? b : a), null);

const p = {
  single: best('parley', 'single', 'decode_tokens_per_s', 'max'),
  conc: best('parley', 'concurrent', 'aggregate_tokens_per_s', 'max'),
  ttft: best('parley', 'multiturn', 'ttft_ms_median_turns_2plus', 'min'),
  p50: best('parley', 'overhead', 'latency_ms_p50', 'min'),
};
const l = {
  conc: best('llama', 'concurrent', 'aggregate_tokens_per_s', 'max'),
  ttft: best('llama', 'multiturn', 'ttft_ms_median_turns_2plus', 'min'),
  p50: best('llama', 'overhead', 'latency_ms_p50', 'min'),
};

const ratio = (a, b) => (a == null || b == null || b <= 0 ? null : a / b);
const verdict = (value, ok) => (value == null ? 'n/a' : ok(value) ? 'PASS' : 'FAIL');
const singleRatio = ratio(p.single, bestBench?.tg);
const concRatio = ratio(p.conc, l.conc);
const ttftRatio = ratio(p.ttft, l.ttft);
const overheadDiff = p.p50 == null || l.p50 == null ? null : p.p50 - l.p50;

const bestOf = rounds.length > 1 ? `, best of ${rounds.length} rounds` : '';
const table = [
  '| comparison | Parley | reference | ratio / difference | target | result |',
  '|---|---|---|---|---|---|',
  `| single stream decode, tokens/s (${meta.single_tokens} tokens, median of ${meta.single_repeat}${bestOf}) vs llama-bench tg${meta.bench_tg} | ${fmt(p.single)} | ${fmt(bestBench?.tg)} ± ${fmt(bestBench?.tgSd)} | ${fmt(singleRatio)} | ratio >= ${kMinSingleRatio} | ${verdict(singleRatio, (v) => v >= kMinSingleRatio)} |`,
  `| ${meta.conc_streams} concurrent streams × ${meta.conc_tokens} tokens, aggregate tokens/s vs llama-server${bestOf} | ${fmt(p.conc)} | ${fmt(l.conc)} | ${fmt(concRatio)} | ratio >= ${kMinConcRatio} | ${verdict(concRatio, (v) => v >= kMinConcRatio)} |`,
  `| multi-turn, ${meta.mt_sessions} sessions × ${meta.mt_turns} turns, median time to first token on turns >= 2, ms, vs llama-server${bestOf} | ${fmt(p.ttft, 1)} | ${fmt(l.ttft, 1)} | ${fmt(ttftRatio)} | ratio <= ${kMaxTtftRatio} | ${verdict(ttftRatio, (v) => v <= kMaxTtftRatio)} |`,
  `| overhead, 1-token non-streamed request, p50 latency ms vs llama-server${bestOf} | ${fmt(p.p50, 3)} | ${fmt(l.p50, 3)} | ${overheadDiff == null ? 'n/a' : `${overheadDiff >= 0 ? '+' : ''}${fmt(overheadDiff, 3)} ms`} | difference <= ${kMaxOverheadMs} ms | ${verdict(overheadDiff, (v) => v <= kMaxOverheadMs)} |`,
].join('\n');

// --- notes: failures and anything that would make a figure misleading -------------------------

const notes = [];
if (meta.parley_note) notes.push(`- ${meta.parley_note}`);
for (const server of Object.keys(kServers)) {
  for (const r of rounds) {
    for (const mode of kModes) {
      const err = readText(`r${r}-${server}-${mode}.err`);
      if (err && !runs[server][r - 1][mode]) {
        notes.push(`- ${kServers[server]} ${mode} (round ${r}) failed: \`${err.slice(-300).replace(/[\n`]/g, ' ')}\``);
      }
    }
    for (const mode of ['single', 'concurrent']) {
      const res = runs[server][r - 1][mode];
      const short = (res?.runs ?? res?.streams ?? []).filter((s) => s.tokens < res.max_tokens);
      if (short.length) {
        notes.push(`- WARNING: ${kServers[server]} ${mode} (round ${r}): ${short.length} stream(s) ended before ${res.max_tokens} tokens (is \`ignore_eos\` honoured?).`);
      }
    }
  }
}
for (const r of rounds) {
  for (const phase of ['llama-bench', 'llama', 'parley']) {
    const busy = Number(readText(`r${r}-${phase}.busy`));
    if (busy > 20) {
      notes.push(`- WARNING: other work used ${busy}% of the CPUs just before ${kServers[phase] ?? phase} (round ${r}); figures are noisy.`);
    }
  }
}

// --- all runs --------------------------------------------------------------------------------

const runRows = [];
for (const r of rounds) {
  const b = benchRuns.find((x) => x.round === r);
  runRows.push(`| ${r} | llama-bench | tg${meta.bench_tg} ${fmt(b?.tg)} ± ${fmt(b?.tgSd)}, pp${meta.bench_pp} ${fmt(b?.pp)} | | | | | | | ${readText(`r${r}-llama-bench.busy`) || 'n/a'} |`);
  for (const [server, label] of Object.entries(kServers)) {
    const x = runs[server][r - 1];
    if (kModes.every((m) => !x[m])) continue;
    runRows.push(`| ${r} | ${label} | ${fmt(x.single?.decode_tokens_per_s)} | ${fmt(x.concurrent?.aggregate_tokens_per_s)} | ${fmt(x.concurrent?.ttft_ms_median, 1)} | ${json(x.multiturn?.ttft_ms_median_by_turn)} | ${json(x.multiturn?.prompt_tokens_by_turn)} | ${json(x.multiturn?.cached_tokens_by_turn)} | ${fmt(x.overhead?.latency_ms_p50, 3)} / ${fmt(x.overhead?.latency_ms_p99, 3)} | ${readText(`r${r}-${server}.busy`) || 'n/a'} |`);
  }
}

const params = bestBench?.row?.model_n_params;
const md = `# Engine benchmark: Parley vs llama.cpp's llama-bench and llama-server

Generated by \`bench/engine_bench.sh\`; rerun it to refresh. The same model, threads, context and
parallel sequences for all three; llama-server and llama-bench are built from the same pinned
llama.cpp source as Parley's engine (for the bench only, never shipped).

${table}

${notes.length ? `${notes.join('\n')}\n\n` : ''}How each figure is taken (bench/engine_load.mjs sends both servers the same requests):

- Single stream: the decode rate from the first streamed token to the last, prompt excluded,
  which is what llama-bench's tg measures (tg decodes from an empty context).
- Concurrent: all generated tokens over the wall time from sending the first request to the end
  of the last stream (prompt processing of every stream included, for both servers).
- Multi-turn: each session starts with ~${meta.mt_history} tokens of history (a system prompt and
  four earlier exchanges, different text in every session), each turn adds ~${meta.mt_turn_tokens}
  tokens of user text and resends the previous reply (${meta.mt_reply_tokens} tokens); all sessions run at
  once, more of them than the ${meta.parallel} parallel sequences. Time to first token runs from
  sending the request to the first non-empty content chunk. Parley gets \`X-Session-Id\` and
  \`user\`; llama-server gets \`cache_prompt: true\` (its default) and keeps its default host-memory
  prompt cache.
- Overhead: ${meta.overhead_requests} sequential non-streamed requests for one token with a short prompt, on a
  kept-alive connection.
- Every generation sets \`temperature: 0\`, \`ignore_eos: true\` and a fixed \`max_tokens\`, so both
  servers do the same work; token counts come from the streamed \`usage\`. Each streamed request
  uses its own connection (llama-server closes the connection after a stream).
- ${rounds.length > 1 ? `${rounds.length} rounds, the order of the servers alternating; each figure is the best round's, since other work on a shared machine only ever slows a run down.` : 'One round.'}

## All runs

| round | server | single decode tok/s | concurrent aggregate tok/s | concurrent median TTFT ms | multi-turn median TTFT ms by turn | median prompt tokens by turn | median cached prompt tokens by turn | overhead p50 / p99 ms | CPU busy before, % |
|---|---|---|---|---|---|---|---|---|---|
${runRows.join('\n')}

## Setup

- Command: \`${meta.command}\`
- Date: ${meta.date}
- Machine: ${meta.machine}. Load generator and servers share it.
- Model: \`${meta.model}\` (${meta.model_mb} MB, ${bestBench?.row?.model_type ?? 'n/a'}, ${params ? `${(params / 1e9).toFixed(3)}B` : 'n/a'} parameters)${meta.model_cmd ? `, made by \`${meta.model_cmd}\` (random weights, Qwen2 tokenizer)` : ''}
- Threads ${meta.threads}, context ${meta.ctx} in all (${Math.floor(meta.ctx / meta.parallel)} per sequence), ${meta.parallel} parallel sequences, for every server
- llama.cpp ${meta.llama_commit}; llama-server and llama-bench built by \`bench/build_llama_tools.sh\` (Release, CPU backend, native)
- Parley: ${meta.parley_version || 'n/a'} (\`${meta.parley_bin}\`)
- llama-bench: \`${meta.bench_cmd}\`
- llama-server: \`${meta.llama_cmd}\`
- Parley: \`${meta.parley_cmd}\`
- Load (URL and KIND per server; Node ${process.version}):
\`\`\`
${meta.load_cmds}
\`\`\`
`;

fs.writeFileSync(outFile, md);
process.stdout.write(`\n${table}\n\n${notes.length ? `${notes.join('\n')}\n` : ''}Wrote ${outFile}\n`);
