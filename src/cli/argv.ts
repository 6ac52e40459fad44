import type { Command } from 'commander';

/** How an option takes a value, as far as finding the command word needs to know. */
export type Arity =
  | { readonly kind: 'flag' }
  | { readonly kind: 'required' }
  /** `--recompute [track]`: the next word is its value only when it is one of `values`. */
  | { readonly kind: 'optional'; readonly values: readonly string[] | undefined };

/** The words and options of the command line, taken from commander's definitions. */
export interface Grammar {
  readonly commands: readonly string[];
  readonly defaultCommand: string;
  /** Every long and short flag of the program and of its visible commands. */
  readonly options: ReadonlyMap<string, Arity>;
}

/** What `placeCommand` made of the arguments. */
export type Placed =
  | { readonly kind: 'ok'; readonly args: readonly string[] }
  | { readonly kind: 'unknown-command'; readonly word: string };

const HELP_OR_VERSION = new Set(['-h', '--help', '-V', '--version']);

/**
 * The grammar of `program`. A flag several commands define differently takes a value when
 * any of them says so (an optional value wins: its values are known words).
 */
export function grammarOf(program: Command): Grammar {
  const options = new Map<string, Arity>();
  const visible = program.commands.filter((c) => !(c as unknown as { _hidden: boolean })._hidden);
  for (const cmd of [program, ...visible]) {
    for (const o of cmd.options) {
      const arity: Arity = o.optional
        ? { kind: 'optional', values: o.argChoices }
        : o.required
          ? { kind: 'required' }
          : { kind: 'flag' };
      for (const flag of [o.long, o.short]) {
        if (!flag) continue;
        const known = options.get(flag);
        if (!known || known.kind === 'flag' || arity.kind === 'optional') options.set(flag, arity);
      }
    }
  }
  const commands = [...program.commands.flatMap((c) => [c.name(), ...c.aliases()]), 'help'];
  const defaultCommand =
    (program as unknown as { _defaultCommandName?: string })._defaultCommandName ?? 'run';
  return { commands, defaultCommand, options };
}

/** Whether the option at `args[i]` consumes `args[i + 1]` as its value. */
function takesNext(args: readonly string[], i: number, g: Grammar): boolean {
  const flag = args[i]!;
  if (flag.includes('=')) return false;
  const arity = g.options.get(flag);
  const next = args[i + 1];
  if (!arity || arity.kind === 'flag' || next === undefined) return false;
  if (arity.kind === 'required') return true;
  if (next.startsWith('-')) return false;
  return arity.values ? arity.values.includes(next) : !g.commands.includes(next);
}

/**
 * Puts the command word first, so that options may come before or after it and the
 * default command (`run`) gets its options with or without its name: `bqx-monitor --json
 * --recompute bollinger` is `run --json --recompute bollinger`, `bqx-monitor --recompute
 * plan` is `plan --recompute`. An option with a required value takes the next word always;
 * one with an optional value takes it only when it is one of its values. The first other
 * word is the command, and must be one.
 */
export function placeCommand(args: readonly string[], g: Grammar): Placed {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    if (a.startsWith('-') && a.length > 1) {
      if (takesNext(args, i, g)) i++;
      continue;
    }
    if (!g.commands.includes(a)) return { kind: 'unknown-command', word: a };
    return { kind: 'ok', args: [a, ...args.slice(0, i), ...args.slice(i + 1)] };
  }
  // No command word: the default command, unless the words ask for the program's help.
  if (args.length === 0 || args.some((a) => HELP_OR_VERSION.has(a))) return { kind: 'ok', args };
  return { kind: 'ok', args: [g.defaultCommand, ...args] };
}
