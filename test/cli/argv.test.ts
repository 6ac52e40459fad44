import { describe, expect, it } from 'vitest';
import { grammarOf, placeCommand } from '../../src/cli/argv.js';
import { buildProgram, commanderMessage } from '../../src/cli/program.js';

/** The command and options commander gives the action for `bqx-monitor args…`. */
async function parsed(args: string[]): Promise<{ command: string; opts: Record<string, unknown> }> {
  const program = buildProgram();
  let got: { command: string; opts: Record<string, unknown> } | undefined;
  for (const cmd of program.commands)
    cmd.action(() => {
      got = { command: cmd.name(), opts: cmd.optsWithGlobals() };
    });
  const placed = placeCommand(args, grammarOf(program));
  if (placed.kind !== 'ok') throw new Error(`unknown command ${placed.word}`);
  await program.parseAsync(['node', 'bqx-monitor', ...placed.args]);
  if (!got) throw new Error('no action ran');
  return got;
}

describe('the command word', () => {
  const g = grammarOf(buildProgram());
  it.each([
    [['stauts'], { kind: 'unknown-command', word: 'stauts' }],
    [['--db', 'postgres://x', 'stauts'], { kind: 'unknown-command', word: 'stauts' }],
    [['--json'], { kind: 'ok', args: ['run', '--json'] }],
    [['--data-dir', 'stop', 'status'], { kind: 'ok', args: ['status', '--data-dir', 'stop'] }],
    [['status', 'extra'], { kind: 'ok', args: ['status', 'extra'] }],
    [[], { kind: 'ok', args: [] }],
    [['--help'], { kind: 'ok', args: ['--help'] }],
    [
      ['--json', '--recompute', 'bollinger'],
      { kind: 'ok', args: ['run', '--json', '--recompute', 'bollinger'] },
    ],
    [['--recompute', 'plan'], { kind: 'ok', args: ['plan', '--recompute'] }],
    [['--recompute', 'bollnger'], { kind: 'unknown-command', word: 'bollnger' }],
    [['--pairs', 'eurusd'], { kind: 'ok', args: ['run', '--pairs', 'eurusd'] }],
    [['--pairs', 'plan', 'verify'], { kind: 'ok', args: ['verify', '--pairs', 'plan'] }],
    [['--recompute=regression', 'plan'], { kind: 'ok', args: ['plan', '--recompute=regression'] }],
  ] as const)('%j → %j', (args, want) => {
    expect(placeCommand(args, g)).toEqual(want);
  });
});

describe('the options of the default command, with and without its name', () => {
  const forms: Array<[string[], Record<string, unknown>]> = [
    [['--json'], { json: true }],
    [['--detach'], { detach: true }],
    [['--recompute'], { recompute: true }],
    [['--recompute', 'bollinger'], { recompute: 'bollinger' }],
    [['--recompute=extraction'], { recompute: 'extraction' }],
    [['--json', '--recompute', 'bollinger'], { json: true, recompute: 'bollinger' }],
    [['--recompute', 'all', '--json'], { json: true, recompute: 'all' }],
    [['--detach', '--recompute', 'regression'], { detach: true, recompute: 'regression' }],
    [['--pairs', 'eurusd'], { pairs: 'eurusd' }],
    [
      ['--tracks', 'bollinger,regression', '--from', '2024-07', '--to', '2024-08'],
      { tracks: 'bollinger,regression', from: '2024-07', to: '2024-08' },
    ],
    [['--db', 'postgres://h/d', '--json'], { db: 'postgres://h/d', json: true }],
  ];
  for (const [args, want] of forms) {
    it(`bqx-monitor ${args.join(' ')}: run, with or without its name, before or after`, async () => {
      for (const line of [args, ['run', ...args], [...args, 'run']]) {
        const got = await parsed(line);
        expect(got.command, line.join(' ')).toBe('run');
        expect(got.opts, line.join(' ')).toMatchObject(want);
      }
    });
  }

  it('takes a word after --recompute that is no track for the command', async () => {
    const got = await parsed(['--recompute', 'plan', '--json']);
    expect(got).toMatchObject({ command: 'plan', opts: { recompute: true, json: true } });
  });
});

describe("commander's errors in our words", () => {
  it.each([
    ["error: unknown option '--bogus'", "unknown option '--bogus'"],
    [
      "error: unknown option '--jsn'\n(Did you mean --json?)",
      "unknown option '--jsn' (did you mean '--json'?)",
    ],
  ])('%j → %j', (message, want) => {
    expect(commanderMessage(message)).toBe(want);
  });
});
