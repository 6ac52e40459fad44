import { describe, expect, it } from 'vitest';
import { unknownCommand } from '../../src/cli/program.js';
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

describe('the command word', () => {
  const names = ['run', 'status', 'stop', 'attach'];
  it.each([
    [['stauts'], 'stauts'],
    [['--db', 'postgres://x', 'stauts'], 'stauts'],
    [['--json'], undefined],
    [['--data-dir', 'stop', 'status'], undefined],
    [['status', 'extra'], undefined],
    [[], undefined],
  ] as const)('%j → %s', (args, want) => {
    expect(unknownCommand(args, names)).toBe(want);
  });
});
