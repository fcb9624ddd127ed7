#!/usr/bin/env node
// Load generator for OpenAI-compatible chat servers (Parley, llama-server), used by
// bench/engine_bench.sh to drive both servers with byte-identical requests. Node 20, no npm
// dependencies: plain fetch with streamed SSE bodies. Prints one JSON object per run on stdout.
//
// Usage: node bench/engine_load.mjs --url http://127.0.0.1:PORT --server parley|llama-server
//          --mode single|concurrent|multiturn|overhead [options]
// Run with --help for the options of each mode.

import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';

const kHelp = `engine_load.mjs: drive an OpenAI-compatible server and print one JSON result.

  --url URL           server base URL (required), e.g. http://127.0.0.1:8080
  --server KIND       parley | llama-server: which server-specific hints to send (default parley)
  --mode MODE         single | concurrent | multiturn | overhead (required)
  --model ID          model id to send (default: the first id from GET /v1/models)
  --tokens N          tokens to generate per request (single 128, concurrent 128, multiturn 32)
  --repeat N          single: streams run one after another; the median is reported (3)
  --concurrency C     concurrent: parallel streams (8)
  --sessions S        multiturn: concurrent conversations (8)
  --turns T           multiturn: turns per conversation (3)
  --history N         multiturn: approximate tokens of history before turn 1 (400)
  --turn-tokens N     multiturn: approximate tokens of new user text per turn (60)
  --requests R        overhead: sequential one-token requests (100)
  --warmup N          untimed requests first, so page faults of the mmaped model are not timed (1;
                      overhead 5)
  --timeout-s S       per-request limit (600)

Token counts come from the final usage chunk (stream_options.include_usage); a server that does
not send usage gets its content chunks counted instead ("token_source" says which).`;

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' },
    server: { type: 'string', default: 'parley' },
    mode: { type: 'string' },
    model: { type: 'string' },
    tokens: { type: 'string' },
    repeat: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '8' },
    sessions: { type: 'string', default: '8' },
    turns: { type: 'string', default: '3' },
    history: { type: 'string', default: '400' },
    'turn-tokens': { type: 'string', default: '60' },
    requests: { type: 'string', default: '100' },
    warmup: { type: 'string' },
    'timeout-s': { type: 'string', default: '600' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});

function fail(message) {
  process.stderr.write(`engine_load: ${message}\n`);
  process.exit(1);
}

function intOption(name, fallback) {
  const raw = opt[name] ?? fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a non-negative integer, got ${raw}`);
  return n;
}

if (opt.help) {
  process.stdout.write(`${kHelp}\n`);
  process.exit(0);
}
if (!opt.url) fail('--url is required');
if (!['parley', 'llama-server'].includes(opt.server)) fail(`unknown --server ${opt.server}`);
const kModes = { single: runSingle, concurrent: runConcurrent, multiturn: runMultiturn, overhead: runOverhead };
if (!kModes[opt.mode]) fail(`--mode must be one of ${Object.keys(kModes).join(', ')}`);

const baseUrl = opt.url.replace(/\/+$/, '');
const timeoutMs = intOption('timeout-s') * 1000;

// --- statistics ------------------------------------------------------------------------------

function quantile(values, q) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest-rank: the reported value is one that was actually observed.
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1];
}

function median(values) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const round = (x, digits = 3) => (x == null || !Number.isFinite(x) ? null : Number(x.toFixed(digits)));

// --- deterministic text ----------------------------------------------------------------------

// Filler built from numbered sentences, unique per session and turn, so no two conversations
// share a prefix beyond the chat template: a server cannot look good by reusing another
// conversation's cache. English prose of this kind runs close to 1.3 tokens per word with the
// Qwen2 tokenizer; the numbers and punctuation add more, see filler().
const kWords = ['river', 'lantern', 'harbor', 'maple', 'copper', 'meadow', 'signal', 'orchard',
  'pebble', 'canyon', 'violet', 'engine', 'thunder', 'willow', 'marble', 'falcon', 'garden',
  'silver', 'compass', 'window', 'ember', 'glacier', 'saddle', 'beacon'];

function sentence(tag, i) {
  const w = (k) => kWords[(i * 7 + k * 5 + tag.length) % kWords.length];
  return `${tag} sentence ${i}: the ${w(0)} near the ${w(1)} carried a ${w(2)} past the ${w(3)}.`;
}

// About `tokens` tokens of text: each sentence above is close to 21 tokens (measured with
// llama-server's /tokenize on the Qwen2 vocabulary).
function filler(tag, tokens) {
  const count = Math.max(1, Math.round(tokens / 21));
  return Array.from({ length: count }, (_, i) => sentence(tag, i + 1)).join(' ');
}

// --- HTTP ------------------------------------------------------------------------------------

async function resolveModel() {
  if (opt.model) return opt.model;
  const res = await fetch(`${baseUrl}/v1/models`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) fail(`GET /v1/models answered ${res.status}: ${await res.text()}`);
  const body = await res.json();
  const id = body?.data?.[0]?.id;
  if (!id) fail(`GET /v1/models listed no model: ${JSON.stringify(body)}`);
  return id;
}

// The request both servers get. Only the session hints differ: Parley keys its session KV cache
// on X-Session-Id (and `user`); llama-server reuses its slots' prompt cache (cache_prompt, on by
// default, sent explicitly so the comparison is with caching on).
function chatRequest(model, messages, maxTokens, { stream, session } = {}) {
  const body = {
    model,
    messages,
    max_tokens: maxTokens,
    temperature: 0,
    // Nonsense text from a random-weight model may sample EOS at any point; a fixed length
    // keeps the work per request equal on both servers.
    ignore_eos: true,
    stream: Boolean(stream),
  };
  if (stream) body.stream_options = { include_usage: true };
  const headers = { 'Content-Type': 'application/json' };
  // llama-server closes the connection after a streamed response without saying so, and fetch
  // then sometimes sends the next request on the dead socket ("other side closed"). One
  // connection per stream, for both servers alike, costs a loopback connect per request, which
  // is noise next to a time to first token.
  if (stream) headers.Connection = 'close';
  if (opt.server === 'parley') {
    if (session) {
      headers['X-Session-Id'] = session;
      body.user = session;
    }
  } else {
    body.cache_prompt = true;
  }
  return { headers, body: JSON.stringify(body) };
}

async function postChat(request) {
  const res = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: request.headers,
    body: request.body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new Error(`POST /v1/chat/completions answered ${res.status}: ${await res.text()}`);
  return res;
}

// Sends one streamed chat completion and records when each piece arrived (performance.now(),
// ms). The first token is the first chunk with non-empty content: a role-only opening chunk may
// be sent before any token exists, so it does not count.
async function streamChat(request) {
  const t0 = performance.now();
  const res = await postChat(request);
  const decoder = new TextDecoder();
  let buffer = '';
  const out = { t0, tFirst: null, tLast: null, tEnd: null, chunks: 0, text: '', usage: null,
    finishReason: null, timings: null, done: false };

  const handle = (line) => {
    if (!line.startsWith('data:')) return;
    const data = line.slice(5).trim();
    if (data === '[DONE]') { out.done = true; return; }
    const now = performance.now();
    const event = JSON.parse(data);
    if (event.error) throw new Error(`stream error: ${JSON.stringify(event.error)}`);
    if (event.usage) out.usage = event.usage;
    if (event.timings) out.timings = event.timings;  // llama-server's own figures, for the record
    const choice = event.choices?.[0];
    if (!choice) return;
    const content = choice.delta?.content;
    if (typeof content === 'string' && content.length > 0) {
      out.tFirst ??= now;
      out.tLast = now;
      out.chunks += 1;
      out.text += content;
    }
    if (choice.finish_reason) {
      out.finishReason = choice.finish_reason;
      out.tLast = now;
    }
  };

  for await (const piece of res.body) {
    buffer += decoder.decode(piece, { stream: true });
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      handle(buffer.slice(0, newline).replace(/\r$/, ''));
      buffer = buffer.slice(newline + 1);
    }
  }
  buffer += decoder.decode();
  if (buffer) handle(buffer.trim());
  out.tEnd = performance.now();
  if (!out.done) throw new Error('stream ended without data: [DONE]');
  out.tokens = out.usage?.completion_tokens ?? out.chunks;
  out.tokenSource = out.usage?.completion_tokens != null ? 'usage' : 'chunks';
  out.promptTokens = out.usage?.prompt_tokens ?? null;
  out.cachedTokens = out.usage?.prompt_tokens_details?.cached_tokens ?? out.timings?.cache_n ?? null;
  return out;
}

// Steady decode rate of one stream: tokens after the first over the time they took. Prompt
// processing is excluded, which is what llama-bench's tg figure measures as well.
function decodeRate(s) {
  if (s.tFirst == null || s.tLast == null || s.tLast <= s.tFirst || s.tokens < 2) return null;
  return (s.tokens - 1) / ((s.tLast - s.tFirst) / 1000);
}

function streamSummary(s) {
  return {
    tokens: s.tokens,
    ttft_ms: round(s.tFirst - s.t0, 1),
    total_ms: round(s.tEnd - s.t0, 1),
    decode_tokens_per_s: round(decodeRate(s), 2),
    finish_reason: s.finishReason,
  };
}

function userMessage(text) { return [{ role: 'user', content: text }]; }

async function warmup(model, count) {
  for (let i = 0; i < count; i++) {
    await streamChat(chatRequest(model, userMessage(`Warm-up ${i}: say something.`), 8, { stream: true }));
  }
}

// --- modes -----------------------------------------------------------------------------------

async function runSingle(model) {
  const tokens = intOption('tokens', 128);
  const repeat = Math.max(1, intOption('repeat'));
  await warmup(model, intOption('warmup', 1));
  const runs = [];
  for (let i = 0; i < repeat; i++) {
    const prompt = `Run ${i}: write a long story about a lighthouse keeper and the sea.`;
    runs.push(await streamChat(chatRequest(model, userMessage(prompt), tokens, { stream: true })));
  }
  const rates = runs.map(decodeRate).filter((r) => r != null);
  return {
    max_tokens: tokens,
    repeat,
    token_source: runs[0].tokenSource,
    decode_tokens_per_s: round(median(rates), 2),
    runs: runs.map((s) => ({ ...streamSummary(s),
      server_predicted_per_s: round(s.timings?.predicted_per_second, 2) })),
  };
}

async function runConcurrent(model) {
  const tokens = intOption('tokens', 128);
  const concurrency = Math.max(1, intOption('concurrency'));
  await warmup(model, intOption('warmup', 1));
  const start = performance.now();
  const streams = await Promise.all(Array.from({ length: concurrency }, (_, i) => {
    const prompt = `Stream ${i}: write a long story about a lighthouse keeper and the sea.`;
    return streamChat(chatRequest(model, userMessage(prompt), tokens, { stream: true }));
  }));
  const wallS = (performance.now() - start) / 1000;
  const total = streams.reduce((sum, s) => sum + s.tokens, 0);
  return {
    concurrency,
    max_tokens: tokens,
    token_source: streams[0].tokenSource,
    total_tokens: total,
    wall_s: round(wallS, 3),
    aggregate_tokens_per_s: round(total / wallS, 2),
    ttft_ms_median: round(median(streams.map((s) => s.tFirst - s.t0)), 1),
    streams: streams.map(streamSummary),
  };
}

// One conversation: a history near --history tokens, then --turns turns, each adding new user
// text and carrying the previous assistant reply, exactly as a chat client resends a thread.
async function conversation(model, index, turns, replyTokens, historyTokens, turnTokens) {
  const session = `bench-session-${index}`;
  const tag = `S${index}`;
  // History as earlier exchanges, not one huge message, so it looks like a real thread.
  const messages = [{ role: 'system', content: `You are assistant ${tag}. Answer briefly.` }];
  const exchanges = 4;
  for (let e = 0; e < exchanges; e++) {
    messages.push({ role: 'user', content: filler(`${tag}-h${e}u`, historyTokens / exchanges / 2) });
    messages.push({ role: 'assistant', content: filler(`${tag}-h${e}a`, historyTokens / exchanges / 2) });
  }
  const results = [];
  for (let t = 1; t <= turns; t++) {
    messages.push({ role: 'user', content: filler(`${tag}-t${t}`, turnTokens) });
    const s = await streamChat(chatRequest(model, messages, replyTokens, { stream: true, session }));
    messages.push({ role: 'assistant', content: s.text });
    results.push({
      session: index,
      turn: t,
      ttft_ms: round(s.tFirst - s.t0, 1),
      total_ms: round(s.tEnd - s.t0, 1),
      prompt_tokens: s.promptTokens,
      cached_tokens: s.cachedTokens,
      tokens: s.tokens,
    });
  }
  return results;
}

async function runMultiturn(model) {
  const replyTokens = intOption('tokens', 32);
  const sessions = Math.max(1, intOption('sessions'));
  const turns = Math.max(1, intOption('turns'));
  const historyTokens = intOption('history');
  const turnTokens = intOption('turn-tokens');
  await warmup(model, intOption('warmup', 1));
  const start = performance.now();
  const all = (await Promise.all(Array.from({ length: sessions }, (_, i) =>
    conversation(model, i, turns, replyTokens, historyTokens, turnTokens)))).flat();
  const wallS = (performance.now() - start) / 1000;
  const later = all.filter((r) => r.turn >= 2).map((r) => r.ttft_ms);
  // Median of one per-turn field over the sessions, null where the server did not report it.
  const byTurn = (field) => Object.fromEntries(Array.from({ length: turns }, (_, i) =>
    [i + 1, median(all.filter((r) => r.turn === i + 1 && r[field] != null).map((r) => r[field]))]));
  const perTurn = {};
  for (let t = 1; t <= turns; t++) {
    perTurn[t] = round(median(all.filter((r) => r.turn === t).map((r) => r.ttft_ms)), 1);
  }
  return {
    sessions,
    turns,
    reply_tokens: replyTokens,
    history_tokens_target: historyTokens,
    turn_tokens_target: turnTokens,
    wall_s: round(wallS, 3),
    ttft_ms_median_turns_2plus: round(median(later), 1),
    ttft_ms_p90_turns_2plus: round(quantile(later, 0.9), 1),
    ttft_ms_median_by_turn: perTurn,
    prompt_tokens_by_turn: byTurn('prompt_tokens'),
    cached_tokens_by_turn: byTurn('cached_tokens'),
    turns_detail: all,
  };
}

// Per-request cost of the server around the engine: one generated token, no streaming, short
// prompt, strictly sequential so that nothing queues.
async function runOverhead(model) {
  const requests = Math.max(1, intOption('requests'));
  const messages = userMessage('Hi');
  const once = async () => {
    const request = chatRequest(model, messages, 1);
    const t0 = performance.now();
    const res = await postChat(request);
    const body = await res.json();
    const ms = performance.now() - t0;
    if (!Array.isArray(body.choices) || body.choices.length === 0) throw new Error(`no choices: ${JSON.stringify(body)}`);
    return ms;
  };
  for (let i = 0; i < intOption('warmup', 5); i++) await once();
  const latencies = [];
  for (let i = 0; i < requests; i++) latencies.push(await once());
  return {
    requests,
    latency_ms_p50: round(quantile(latencies, 0.5), 3),
    latency_ms_p99: round(quantile(latencies, 0.99), 3),
    latency_ms_mean: round(latencies.reduce((a, b) => a + b, 0) / latencies.length, 3),
    latency_ms_min: round(Math.min(...latencies), 3),
  };
}

// --- main ------------------------------------------------------------------------------------

try {
  const model = await resolveModel();
  const started = new Date().toISOString();
  const result = await kModes[opt.mode](model);
  process.stdout.write(`${JSON.stringify({ mode: opt.mode, server: opt.server, url: baseUrl, model,
    started, ...result })}\n`);
} catch (err) {
  // fetch wraps socket errors; the cause is what says what went wrong.
  fail(`${err?.stack ?? err}${err?.cause ? `\ncause: ${err.cause?.stack ?? err.cause}` : ''}`);
}
