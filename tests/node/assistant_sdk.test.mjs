// The whole assistant pipeline through the official `openai` SDK: the example customer-service
// flow plus the tiny model, under the `parley-assistant` model id.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import OpenAI from 'openai';
import { startParley } from './parley.mjs';

const examples = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples');
let parley;
let client;

before(async () => {
  parley = await startParley(`models:
  - path: ${process.env.PARLEY_TINY_MODEL}
    context: 2048
    parallel: 2
    threads: 2
    session_dir: kv
dialog:
  flow: ${join(examples, 'customer_service.yaml')}
  store: dialog.db
`);
  client = new OpenAI({ apiKey: 'unused', baseURL: `${parley.base}/v1`, maxRetries: 0 });
});

after(async () => {
  assert.equal(await parley.stop(), 0);
});

test('the assistant is listed next to the model', async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  assert.deepEqual(ids.sort(), ['parley-assistant', 'tiny']);
});

test('a rule answers through chat.completions, with the dialog details attached', async () => {
  const r = await client.chat.completions.create({
    model: 'parley-assistant', messages: [{ role: 'user', content: '你好' }], user: 'sdk-user-1' });
  assert.equal(r.object, 'chat.completion');
  assert.ok(r.choices[0].message.content.length > 0);
  assert.equal(r.parley.source, 'rule');
  assert.equal(r.parley.intent.name, 'greet');
  assert.equal(r.parley.session_id, 'sdk-user-1');
});

test('a form runs over several streamed turns of one session', async () => {
  const say = async (content) => {
    const stream = await client.chat.completions.create({ model: 'parley-assistant',
      messages: [{ role: 'user', content }], user: 'sdk-form-1', stream: true });
    let text = '';
    let details = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.parley) details = chunk.parley;
    }
    return { text, details };
  };
  const first = await say('我想退货');
  assert.equal(first.details.source, 'form');
  assert.ok(first.text.length > 0);
  const second = await say('订单号是 A12345678');
  assert.equal(second.details.session_id, 'sdk-form-1');
  assert.ok(second.details.turn >= 2);
});

test("a chat whose last message is not the user's is a BadRequestError", async () => {
  await assert.rejects(client.chat.completions.create({ model: 'parley-assistant',
    messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }] }),
  OpenAI.BadRequestError);
  const r = await fetch(`${parley.base}/health`);
  assert.equal(r.status, 200);
});
