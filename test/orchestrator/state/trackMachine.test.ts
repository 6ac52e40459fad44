import { describe, expect, it } from 'vitest';
import {
  canTransition,
  TRANSITIONS,
  TrackMachine,
  type TrackStatus,
} from '../../../src/orchestrator/state/trackMachine.js';

const ALL = Object.keys(TRANSITIONS) as TrackStatus[];

describe('the track state machine', () => {
  it.each([
    ['waiting', 'running'],
    ['waiting', 'complete'],
    ['running', 'paused'],
    ['paused', 'running'],
    ['running', 'restarting'],
    ['restarting', 'running'],
    ['restarting', 'failed'],
    ['running', 'complete'],
    ['running', 'failed'],
    ['failed', 'restarting'],
    ['complete', 'restarting'],
    ['paused', 'stopped'],
  ] as const)('allows %s → %s', (from, to) => {
    const m = new TrackMachine(from);
    expect(m.transition(to)).toBe(true);
    expect(m.status).toBe(to);
  });

  it.each([
    ['complete', 'paused'],
    ['complete', 'running'],
    ['failed', 'paused'],
    ['stopped', 'running'],
    ['stopped', 'restarting'],
    ['waiting', 'restarting'],
  ] as const)('refuses %s → %s and stays where it was', (from, to) => {
    const m = new TrackMachine(from);
    expect(m.transition(to)).toBe(false);
    expect(m.status).toBe(from);
  });

  it('never moves to the status it has, and stopped is final', () => {
    for (const s of ALL) expect(canTransition(s, s)).toBe(false);
    expect(TRANSITIONS.stopped).toEqual([]);
  });

  it('names only known statuses', () => {
    for (const s of ALL) for (const t of TRANSITIONS[s]) expect(ALL).toContain(t);
  });
});
