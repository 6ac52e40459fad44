import { execa } from 'execa';

/**
 * Pids of the processes whose command line matches `pattern` (`pgrep -f`). A pattern that
 * starts with `--` is a pattern, not an option; pgrep's own errors fail the test rather
 * than read as "no such process".
 */
export async function processesMatching(pattern: string): Promise<number[]> {
  const r = await execa('pgrep', ['-f', '--', pattern], { reject: false });
  if (r.exitCode === 1) return [];
  if (r.exitCode !== 0) throw new Error(`pgrep failed (${r.exitCode}): ${r.stderr}`);
  return String(r.stdout).split('\n').filter(Boolean).map(Number);
}
