import { Chalk, type ChalkInstance, chalkStderr, default as chalkStdout } from 'chalk';

/**
 * Colours for what is printed outside the dashboard (plain lines, doctor, CLI errors).
 * chalk decides per stream whether it is a terminal that shows colour (not for a pipe, a
 * file or TERM=dumb; FORCE_COLOR overrides); NO_COLOR with any value turns colour off, as
 * the dashboard's theme does.
 */
export function paintFor(
  stream: 'stdout' | 'stderr',
  env: NodeJS.ProcessEnv = process.env,
): ChalkInstance {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return new Chalk({ level: 0 });
  return stream === 'stdout' ? chalkStdout : chalkStderr;
}

/** The three marks of a report line, coloured: a success, a problem, a note. */
export function marks(paint: ChalkInstance, glyphs: { ok: string; fail: string; note: string }) {
  return {
    ok: paint.green(glyphs.ok),
    fail: paint.red(glyphs.fail),
    note: paint.yellow(glyphs.note),
  };
}
