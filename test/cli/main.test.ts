/**
 * The CLI process as a shell user meets it: `--version`, and a reader that goes away
 * early (`nfa-obdd … | head -1`) ends the command quietly with exit 0, as `grep` does,
 * instead of an unhandled EPIPE stack trace.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '../../bin/nfa-obdd.js');
const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };

/** Runs the CLI, reads its first stdout chunk, closes the pipe; resolves to exit code and stderr. */
function runAndHangUp(args: string[]): Promise<{ code: number | null; stderr: string; first: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let first = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', (d: Buffer) => {
      first = d.toString();
      child.stdout.destroy();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, first }));
  });
}

describe('nfa-obdd process', () => {
  it('--version prints the package version', () => {
    const r = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(`nfa-obdd ${pkg.version}`);
  });

  it('a closed stdout ends scan quietly with exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nfa-obdd-epipe-'));
    writeFileSync(join(dir, 'sigs'), '/./s\n');
    writeFileSync(join(dir, 'input'), Buffer.alloc(1 << 20, 0x61)); // 1 MiB: 1 M match lines, far more than a pipe holds
    const r = await runAndHangUp(['scan', '--signatures', join(dir, 'sigs'), '--input', join(dir, 'input'), '--engine', 'nfa']);
    expect(r.first.length).toBeGreaterThan(0);
    expect(r.stderr).not.toMatch(/EPIPE|Error|at /);
    expect(r.code).toBe(0);
  });

  it('a closed stdout ends info quietly with exit 0', async () => {
    const pcaps = ['testmyids.pcap', 'get.pcap', 'ftp-ipv4.pcap'].map((f) => join(import.meta.dirname, '../../traces/pcap', f));
    // many copies of the same files: enough output that the writes outlive the reader
    const r = await runAndHangUp(['info', '--format', 'json', ...Array.from({ length: 400 }, () => pcaps).flat()]);
    expect(r.stderr).not.toMatch(/EPIPE|Error|at /);
    expect(r.code).toBe(0);
  });
});
