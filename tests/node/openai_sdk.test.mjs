// The official `openai` npm package as the client of Parley's OpenAI-compatible API, on a tiny
// random-weight model with the real Qwen2 tokenizer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startParley } from './parley.mjs';

let parley;
let client;

before(async () => {
  parley = await startParley(`models:
  - id: tiny
    path: ${process.env.PARLEY_TINY_MODEL}
    context: 2048
    parallel: 2
    threads: 2
    embeddings: true
    session_dir: kv
`);
  client = new OpenAI({ apiKey: 'unused', baseURL: `${parley.base}/v1`, maxRetries: 0 });
});

after(async () => {
  assert.equal(await parley.stop(), 0);
});

async function stillServes() {
  const r = await fetch(`${parley.base}/health`);
  assert.equal(r.status, 200);
}

test('models.list shows the configured model', async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  assert.deepEqual(ids, ['tiny']);
});

test('chat.completions.create answers with usage', async () => {
  const r = await client.chat.completions.create({
    model: 'tiny', messages: [{ role: 'user', content: '你好，请介绍一下退货政策' }],
    max_tokens: 8, temperature: 0,
  });
  assert.equal(r.object, 'chat.completion');
  assert.equal(r.choices[0].message.role, 'assistant');
  assert.equal(typeof r.choices[0].message.content, 'string');
  assert.ok(['stop', 'length'].includes(r.choices[0].finish_reason));
  assert.ok(r.usage.prompt_tokens > 5);
  assert.ok(r.usage.completion_tokens >= 1 && r.usage.completion_tokens <= 8);
});

test('streamed chat gives the same text as the non-streamed one, then usage', async () => {
  const params = { model: 'tiny', messages: [{ role: 'user', content: 'Tell me a joke' }],
    max_tokens: 12, temperature: 0, ignore_eos: true };
  const whole = await client.chat.completions.create(params);
  const stream = await client.chat.completions.create({ ...params, stream: true,
    stream_options: { include_usage: true } });
  let text = '';
  let finish = null;
  let usage = null;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    for (const c of chunk.choices) {
      text += c.delta?.content ?? '';
      if (c.finish_reason) finish = c.finish_reason;
    }
  }
  assert.equal(text, whole.choices[0].message.content);
  assert.equal(finish, 'length');
  assert.equal(usage.completion_tokens, 12);
});

test('a session reuses its KV cache on the next turn', async () => {
  const first = [{ role: 'user', content: '我想查一下我的订单，单号是 A1024' }];
  const r1 = await client.chat.completions.create({ model: 'tiny', messages: first,
    max_tokens: 6, temperature: 0, user: 'customer-7' });
  const r2 = await client.chat.completions.create({ model: 'tiny', max_tokens: 6, temperature: 0,
    user: 'customer-7',
    messages: [...first, r1.choices[0].message, { role: 'user', content: '谢谢' }] });
  assert.ok(r2.usage.prompt_tokens_details.cached_tokens >= r1.usage.prompt_tokens,
    JSON.stringify(r2.usage));
});

test('completions.create continues a raw prompt', async () => {
  const r = await client.completions.create({ model: 'tiny', prompt: 'Once upon a time', max_tokens: 5 });
  assert.equal(r.object, 'text_completion');
  assert.equal(typeof r.choices[0].text, 'string');
});

test('embeddings.create returns unit vectors', async () => {
  const r = await client.embeddings.create({ model: 'tiny', input: ['退货', 'refund policy'] });
  assert.equal(r.data.length, 2);
  for (const d of r.data) {
    assert.equal(d.embedding.length, 64);
    const norm = Math.sqrt(d.embedding.reduce((s, x) => s + x * x, 0));
    assert.ok(Math.abs(norm - 1) < 1e-3, `norm ${norm}`);
  }
  assert.ok(r.usage.prompt_tokens > 0);
});

test('bad requests raise the SDK error classes and the server keeps serving', async () => {
  const bad = async (params, Cls, code) => {
    await assert.rejects(client.chat.completions.create({ model: 'tiny', max_tokens: 4, ...params }),
      (e) => {
        assert.ok(e instanceof Cls, `${e.constructor.name}: ${e.message}`);
        if (code) assert.equal(e.code, code);
        return true;
      });
    await stillServes();
  };
  const msgs = [{ role: 'user', content: 'hi' }];
  await bad({ messages: [] }, OpenAI.BadRequestError, 'invalid_value');
  await bad({ messages: msgs, temperature: 7 }, OpenAI.BadRequestError, 'invalid_value');
  await bad({ messages: msgs, top_p: -1 }, OpenAI.BadRequestError, 'invalid_value');
  await bad({ messages: msgs, presence_penalty: 9 }, OpenAI.BadRequestError, 'invalid_value');
  await bad({ messages: msgs, max_tokens: 0 }, OpenAI.BadRequestError, 'invalid_value');
  await bad({ messages: msgs, max_tokens: 1e7 }, OpenAI.BadRequestError, 'invalid_value');
  await bad({ messages: [{ role: 'wizard', content: 'x' }] }, OpenAI.BadRequestError);
  await bad({ messages: [{ role: 'user', content: 42 }] }, OpenAI.BadRequestError, 'invalid_type');
  await bad({ messages: msgs, model: 'gpt-9' }, OpenAI.NotFoundError, 'model_not_found');
  await bad({ messages: [{ role: 'user', content: 'word '.repeat(4000) }] },
    OpenAI.BadRequestError, 'context_length_exceeded');
  await assert.rejects(client.embeddings.create({ model: 'tiny', input: [''] }), OpenAI.BadRequestError);
  await stillServes();
});
