import { describe, expect, it } from 'vitest';
import {
  describePhase,
  foldPhase,
  type PhaseProgress,
} from '../../src/orchestrator/headless/phaseProgress.js';
import type { RunEvent } from '../../src/orchestrator/state/events.js';
import { SOURCE_TABLE_KEYS } from '../../src/tracks/seed/sourceDdl.js';

const t0 = Date.parse('2026-12-06T16:00:00Z');
const perPair = SOURCE_TABLE_KEYS.length;
const total = 3 * perPair;

const seeding = (sAfter: number, done: number, table?: string): RunEvent => ({
  type: 'run_phase',
  at: t0 + sAfter * 1000,
  phase: 'seeding',
  detail: table ? `the demo dataset: ${table}` : 'the demo dataset',
  done,
  total,
});

const fold = (events: RunEvent[]) =>
  events.reduce<PhaseProgress | undefined>((p, e) => foldPhase(p, e), undefined)!;

describe('the preparation line', () => {
  it('names the phase from its first event, before any step is measured', () => {
    expect(describePhase(fold([seeding(0, 0)]))).toBe(
      `seeding the demo dataset: pair 1 of 3, 0% (0/${total} tables), ETA measuring`,
    );
  });

  it.each([
    // done, seconds since the start, pair, percent, ETA
    [perPair, 10, 2, Math.floor((100 * perPair) / total), '20s'],
    [perPair + 1, 10, 2, Math.floor((100 * (perPair + 1)) / total), undefined],
    [total - 1, 30, 3, Math.floor((100 * (total - 1)) / total), undefined],
  ])(
    'after %i tables in %i s: pair %i, %i%%, and an ETA from the pace',
    (done, s, pair, pct, eta) => {
      const p = fold([seeding(0, 0), seeding(s, done, 'm1_gbpusd')]);
      const left = (s * (total - done)) / done;
      const want = eta ?? `${Math.round(left)}s`;
      expect(describePhase(p)).toBe(
        `seeding the demo dataset: pair ${pair} of 3, ${pct}% (${done}/${total} tables), ETA ${want} (m1_gbpusd)`,
      );
    },
  );

  it('measures the pace of a view that attached late from what it saw', () => {
    const p = fold([seeding(60, 10, 'bqx_eurusd'), seeding(70, 15, 'm1_usdjpy')]);
    // 5 tables in 10 s: the rest at 2 s a table.
    expect(describePhase(p)).toContain(`ETA ${2 * (total - 15)}s`);
  });

  it('says a phase without steps in words', () => {
    const p = fold([{ type: 'run_phase', at: t0, phase: 'preflight' }]);
    expect(describePhase(p)).toBe('checking the database and the machine');
  });
});
