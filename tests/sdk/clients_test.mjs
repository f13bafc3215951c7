// The gateway in proxy mode driven by the official client libraries
// (@anthropic-ai/sdk, openai; versions locked in package-lock.json, installed
// by `make deps`), streamed and not, through each error class, with token
// limits, in memory and in Redis mode. Every process is started here, on
// 127.0.0.1 ports the kernel picks (Redis: a free port found the same way).
//
// Usage: node clients_test.mjs HYDRAGUARD HG_UPSTREAM_STUB   (ctest sdk.clients)
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const [hydraguard, stubBinary] = process.argv.slice(2);
if (!hydraguard || !stubBinary) {
  console.error('usage: node clients_test.mjs HYDRAGUARD HG_UPSTREAM_STUB');
  process.exit(2);
}
const work = mkdtempSync(path.join(os.tmpdir(), 'hg-sdk-'));
const children = [];
let failures = 0;

function check(name, ok, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok || !detail ? '' : ': ' + detail}`);
  if (!ok) failures++;
}

// Starts `command`, resolves with the first match of `pattern` in its output.
function startAndWait(command, args, pattern) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${command}: not ready in 20 s: ${output}`)), 20000);
    const onData = (data) => {
      output += data.toString();
      const match = output.match(pattern);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${command} exited (${code}): ${output}`)));
  });
}

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function expectError(name, call, errorClass, status, more = () => true) {
  try {
    await call();
    check(name, false, 'no error');
  } catch (error) {
    const ok = error instanceof errorClass && error.status === status && more(error);
    check(name, ok, `${error.constructor.name} ${error.status} ${error.message}`);
  }
}

async function run(mode) {
  const stub = await startAndWait(stubBinary, ['0'], /listening on 127\.0\.0\.1:(\d+)/);
  let redisYaml = '';
  if (mode === 'redis') {
    const redisPort = await freePort();
    await startAndWait('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '',
                                        '--appendonly', 'no'], /Ready to accept connections/);
    redisYaml = `state: redis\nredis: {port: ${redisPort}, on_failure: closed}\n`;
  }
  const keys = path.join(work, `keys-${mode}.jsonl`);
  writeFileSync(keys, [
    '{"key":"sk-good","account":"a1","tier":"build","verified":"payment","payment":"fp1"}',
    '{"key":"sk-oai","account":"a3","tier":"build","verified":"payment","payment":"fp3"}',
    '{"key":"sk-blocked","account":"a2","tier":"build","verified":"payment","payment":"fp2"}',
    '{"key":"sk-slow","account":"a4","tier":"slow","verified":"payment","payment":"fp4"}',
  ].join('\n') + '\n');
  const verdicts = path.join(work, `verdicts-${mode}.jsonl`);
  writeFileSync(verdicts, '{"account":"a2","action":"block","score":0.9,"campaign":"c1","since":0,"reasons":["r"]}\n');
  const config = path.join(work, `gateway-${mode}.yaml`);
  writeFileSync(config, `listen: 127.0.0.1:0
threads: 2
upstream: {url: "http://127.0.0.1:${stub[1]}"}
keys: {file: ${keys}}
verdicts: {file: ${verdicts}}
${redisYaml}tiers:
  default: build
  levels:
    build: {requests_per_minute: 100, input_tokens_per_minute: 200000, output_tokens_per_minute: 20000}
    slow: {requests_per_minute: 1, input_tokens_per_minute: 1000, output_tokens_per_minute: 2000}
`);
  const gateway = await startAndWait(hydraguard, ['serve', '--config', config], /listening on 127\.0\.0\.1:(\d+)/);
  const base = `http://127.0.0.1:${gateway[1]}`;
  const anthropic = (apiKey) => new Anthropic({ apiKey, baseURL: base, maxRetries: 0 });
  const openai = (apiKey) => new OpenAI({ apiKey, baseURL: `${base}/v1`, maxRetries: 0 });
  const tag = `[${mode}]`;
  const message = { model: 'claude-test', max_tokens: 100, messages: [{ role: 'user', content: 'hello' }] };

  // Anthropic: whole, streamed, and each error class.
  const whole = await anthropic('sk-good').messages.create(message);
  check(`${tag} anthropic messages.create`, whole.content.some((block) => block.type === 'text' && block.text.includes('Hello from the stub')));
  const stream = anthropic('sk-good').messages.stream(message);
  const final = await stream.finalMessage();
  check(`${tag} anthropic messages.stream`, final.usage.output_tokens > 0 && final.content.length > 0);
  const counted = await anthropic('sk-good').messages.countTokens({ model: 'claude-test', messages: message.messages });
  check(`${tag} anthropic messages.countTokens`, counted.input_tokens > 0);
  const models = await anthropic('sk-good').models.list();
  check(`${tag} anthropic models.list`, models.data.length > 0);
  const batch = await anthropic('sk-good').messages.batches.create({ requests: [{ custom_id: 'r1', params: message }] });
  check(`${tag} anthropic messages.batches.create`, batch.id === 'msgbatch_stub');
  await expectError(`${tag} anthropic AuthenticationError`, () => anthropic('sk-nope').messages.create(message),
                    Anthropic.AuthenticationError, 401, (e) => Boolean(e.requestID));
  await expectError(`${tag} anthropic PermissionDeniedError`, () => anthropic('sk-blocked').messages.create(message),
                    Anthropic.PermissionDeniedError, 403);
  await expectError(`${tag} anthropic BadRequestError`, () => anthropic('sk-good').messages.create({ ...message, max_tokens: -1 }),
                    Anthropic.BadRequestError, 400);
  await anthropic('sk-slow').messages.create(message);
  await expectError(`${tag} anthropic RateLimitError with retry-after`, () => anthropic('sk-slow').messages.create(message),
                    Anthropic.RateLimitError, 429, (e) => Number(e.headers?.get?.('retry-after') ?? e.headers?.['retry-after']) > 0);
  // Larger than a whole limit: a 400 the client does not retry (one attempt, not several).
  const retrying = new Anthropic({ apiKey: 'sk-slow', baseURL: base, maxRetries: 3 });
  const started = Date.now();
  await expectError(`${tag} anthropic request larger than a limit: BadRequestError, not retried`,
                    () => retrying.messages.create({ ...message, messages: [{ role: 'user', content: 'x'.repeat(8000) }] }),
                    Anthropic.BadRequestError, 400, (e) => e.message.includes('itpm'));
  check(`${tag} anthropic no retries`, Date.now() - started < 2000);

  // OpenAI: chat whole and streamed, responses, embeddings, errors.
  const chat = await openai('sk-oai').chat.completions.create({ model: 'gpt-test', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
  check(`${tag} openai chat.completions.create`, chat.choices[0].message.content.includes('Hello from the stub'));
  const chunks = await openai('sk-oai').chat.completions.create({ model: 'gpt-test', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'hi' }] });
  let text = '';
  for await (const chunk of chunks) text += chunk.choices[0]?.delta?.content ?? '';
  check(`${tag} openai chat.completions stream`, text.includes('Hello'));
  const response = await openai('sk-oai').responses.create({ model: 'gpt-test', input: 'hi', max_output_tokens: 100 });
  check(`${tag} openai responses.create`, response.output_text.includes('Hello from the stub'));
  const streamed = await openai('sk-oai').responses.create({ model: 'gpt-test', input: 'hi', max_output_tokens: 100, stream: true });
  let completed = false;
  for await (const event of streamed) completed ||= event.type === 'response.completed';
  check(`${tag} openai responses stream`, completed);
  const embedding = await openai('sk-oai').embeddings.create({ model: 'e', input: 'hi' });
  check(`${tag} openai embeddings.create`, embedding.data.length === 1);
  await expectError(`${tag} openai AuthenticationError`, () => openai('sk-nope').chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
                    OpenAI.AuthenticationError, 401, (e) => Boolean(e.requestID));
  await expectError(`${tag} openai PermissionDeniedError`, () => openai('sk-blocked').chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
                    OpenAI.PermissionDeniedError, 403);
  await expectError(`${tag} openai RateLimitError`, () => openai('sk-slow').chat.completions.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }),
                    OpenAI.RateLimitError, 429);

  for (const child of children.splice(0)) child.kill('SIGTERM');
}

try {
  await run('memory');
  await run('redis');
} catch (error) {
  check('run', false, error.stack);
} finally {
  for (const child of children) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
}
console.log(failures === 0 ? 'all passed' : `${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
