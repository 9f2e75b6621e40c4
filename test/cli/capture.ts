/**
 * Runs a command module's `run(argv)` in-process with stdout and stderr captured, so CLI
 * tests see exactly what a user would (and the exit code) without spawning a process.
 */
import { vi } from 'vitest';

export interface Captured {
  code: number;
  out: string;
  err: string;
}

export async function captureRun(run: (argv: string[]) => Promise<number>, argv: string[]): Promise<Captured> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
  try {
    const code = await run(argv);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
