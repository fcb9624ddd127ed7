// Starts the real parley binary on 127.0.0.1:0 for a Node test and stops it afterwards.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function startParley(yaml) {
  const dir = mkdtempSync(join(tmpdir(), 'parley-node-'));
  writeFileSync(join(dir, 'parley.yaml'), yaml);
  const portFile = join(dir, 'port');
  const proc = spawn(process.env.PARLEY_BINARY,
    ['serve', '--config', join(dir, 'parley.yaml'), '--listen', '127.0.0.1:0', '--port-file', portFile],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (d) => { output += d; });
  proc.stderr.on('data', (d) => { output += d; });
  const deadline = Date.now() + 60000;
  let port = 0;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`parley exited: ${output}`);
    if (!port && existsSync(portFile)) port = Number(readFileSync(portFile, 'utf8'));
    if (port) {
      const r = await fetch(`http://127.0.0.1:${port}/ready`).catch(() => null);
      if (r && r.status === 200) break;
    }
    await new Promise((res) => setTimeout(res, 50));
  }
  if (!port) throw new Error(`parley did not start: ${output}`);
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    output: () => output,
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((res) => proc.exitCode !== null ? res() : proc.on('exit', res));
      rmSync(dir, { recursive: true, force: true });
      return proc.exitCode;
    },
  };
}
