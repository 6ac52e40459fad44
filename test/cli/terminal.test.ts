import { describe, expect, it } from 'vitest';
import { canDrawDashboard } from '../../src/cli/terminal.js';

describe('the terminal', () => {
  it.each([
    [true, true, 'xterm-256color', true],
    [true, true, 'dumb', false],
    [false, true, 'xterm', false],
    [true, false, 'xterm', false],
  ])('stdout tty %s, stdin tty %s, TERM=%s: dashboard %s', (stdoutTty, stdinTty, term, want) => {
    expect(canDrawDashboard({ stdoutTty, stdinTty, env: { TERM: term } })).toBe(want);
  });
});
