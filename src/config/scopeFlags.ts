import { z } from 'zod';
import { compareMonths, formatMonth, type Month, monthProblem, parseMonth } from './months.js';
import { isPairShaped } from './pairs.js';
import { UserError } from './userError.js';

/** The tracks, as the command line names them. */
export const TRACK_NAMES = ['bollinger', 'regression', 'extraction'] as const;
export type ScopeTrack = (typeof TRACK_NAMES)[number];

/**
 * What `--tracks`, `--pairs`, `--from` and `--to` narrow a command to. Pairs are checked
 * for their shape here and against the configured pairs where the scope is resolved
 * (`narrowScope` in `src/db/dataset.ts`).
 */
export interface ScopeNarrowing {
  readonly tracks?: readonly ScopeTrack[];
  readonly pairs?: readonly string[];
  readonly from?: Month;
  readonly to?: Month;
}

/** The flags as commander gives them. */
export interface ScopeFlagText {
  readonly tracks?: string;
  readonly pairs?: string;
  readonly from?: string;
  readonly to?: string;
}

const list = (flag: string) =>
  z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()))
    .refine((xs) => xs.every((x) => x !== ''), { message: `${flag}: an empty name in the list` });

const trackList = list('--tracks').pipe(
  z.array(
    z.string().refine((t) => (TRACK_NAMES as readonly string[]).includes(t), {
      error: (i) =>
        `--tracks: ${JSON.stringify(i.input)} is not a track (${TRACK_NAMES.join(', ')})`,
    }),
  ),
);

const pairList = list('--pairs').pipe(
  z.array(
    z.string().refine(isPairShaped, {
      error: (i) =>
        `--pairs: ${JSON.stringify(i.input)} is not a pair: six lower-case letters, e.g. eurusd`,
    }),
  ),
);

const month = (flag: string) =>
  z.string().transform((text, ctx) => {
    const problem = monthProblem(text);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: `${flag} ${text}: ${problem}` });
      return z.NEVER;
    }
    return parseMonth(text)!;
  });

const flagsSchema = z
  .object({
    tracks: trackList.optional(),
    pairs: pairList.optional(),
    from: month('--from').optional(),
    to: month('--to').optional(),
  })
  .refine((f) => !f.from || !f.to || compareMonths(f.from, f.to) <= 0, {
    error: (i) => {
      const f = i.input as { from: Month; to: Month };
      return `--from ${formatMonth(f.from)} is after --to ${formatMonth(f.to)}`;
    },
  });

/**
 * The scope flags, validated (every problem at once, one line each, exit 2); undefined
 * when none was given.
 */
export function parseScopeFlags(flags: ScopeFlagText): ScopeNarrowing | undefined {
  const given = {
    tracks: flags.tracks,
    pairs: flags.pairs,
    from: flags.from,
    to: flags.to,
  };
  if (Object.values(given).every((v) => v === undefined)) return undefined;
  const parsed = flagsSchema.safeParse(given);
  if (!parsed.success) throw new UserError(parsed.error.issues.map((i) => i.message).join('\n'));
  const f = parsed.data;
  return {
    ...(f.tracks ? { tracks: [...new Set(f.tracks as ScopeTrack[])] } : {}),
    ...(f.pairs ? { pairs: [...new Set(f.pairs)] } : {}),
    ...(f.from ? { from: f.from } : {}),
    ...(f.to ? { to: f.to } : {}),
  };
}

/** The flags back as command-line words (for the background supervisor). */
export function scopeFlagWords(n: ScopeNarrowing | undefined): string[] {
  if (!n) return [];
  const words: string[] = [];
  if (n.tracks) words.push('--tracks', n.tracks.join(','));
  if (n.pairs) words.push('--pairs', n.pairs.join(','));
  if (n.from) words.push('--from', formatMonth(n.from));
  if (n.to) words.push('--to', formatMonth(n.to));
  return words;
}
