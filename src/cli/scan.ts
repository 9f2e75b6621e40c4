/** `scan`: placeholder until the regex front end lands (issue 3). */
export const usage = `usage: nfa-obdd scan --signatures FILE --input FILE [--engine nfa] [--first] [--format text|json]\n`;

export async function run(_argv: string[]): Promise<number> {
  process.stderr.write('scan: not implemented yet\n');
  return 1;
}
