import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/orchestrator/state/events.js';
import type { RunFeed } from '../../src/orchestrator/state/runFeed.js';
import { initialState, type RunState, reduce } from '../../src/orchestrator/state/runState.js';
import { alertSequence, ringWhenEnded, tmuxPassthrough } from '../../src/ui/endAlert.js';

const ESC = '\u001b';
const BEL = '\u0007';

/** A feed whose events the test pushes. */
function feedOf(events: RunEvent[] = []) {
  let state = events.reduce(reduce, initialState(0));
  const fns = new Set<(s: RunState, ev: RunEvent) => void>();
  const feed: RunFeed = {
    getState: () => state,
    subscribe(fn) {
      fns.add(fn);
      return () => fns.delete(fn);
    },
  };
  const push = (ev: RunEvent) => {
    state = reduce(state, ev);
    for (const fn of fns) fn(state, ev);
  };
  return { feed, push, listeners: () => fns.size };
}

const started: RunEvent = { type: 'run_started', at: 1, runId: 'r1', host: 'h', pid: 1 };
const finished: RunEvent = { type: 'run_finished', at: 2, status: 'failed', exitCode: 1 };

describe('the end-of-run alert', () => {
  it.each([
    [false, `${BEL}${ESC}]9;t: run r1 ended${BEL}${ESC}]777;notify;t;run r1 ended${BEL}`],
    [
      true,
      `${BEL}${ESC}Ptmux;${ESC}${ESC}]9;t: run r1 ended${BEL}${ESC}\\${ESC}Ptmux;${ESC}${ESC}]777;notify;t;run r1 ended${BEL}${ESC}\\`,
    ],
  ])('in tmux: %s', (tmux, bytes) => {
    expect(alertSequence('t', 'run r1 ended', tmux)).toBe(bytes);
  });

  it('keeps control characters and field separators out of the OSC text', () => {
    expect(alertSequence('a;b', `x${ESC}]0;y${BEL}`, false)).toBe(
      `${BEL}${ESC}]9;a,b: x ]0,y ${BEL}${ESC}]777;notify;a,b;x ]0,y ${BEL}`,
    );
    expect(tmuxPassthrough(`${ESC}]9;z${BEL}`)).toBe(`${ESC}Ptmux;${ESC}${ESC}]9;z${BEL}${ESC}\\`);
  });

  it('rings once when the run ends, with how it ended', () => {
    const { feed, push } = feedOf([started]);
    const out: string[] = [];
    const off = ringWhenEnded(feed, (b) => out.push(b), {});
    push({ type: 'tick', at: 3 });
    expect(out).toEqual([]);
    push(finished);
    push({ type: 'tick', at: 4 });
    expect(out).toHaveLength(1);
    expect(out[0]).toContain(`${ESC}]9;bqx-monitor: run r1 failed (exit 1)${BEL}`);
    off();
  });

  it('rings for a run found lost, and not for a run already over when the view opened', () => {
    const lost = feedOf([started]);
    const out: string[] = [];
    ringWhenEnded(lost.feed, (b) => out.push(b), {});
    lost.push({ type: 'run_lost', at: 5, message: 'gone' });
    expect(out.join('')).toContain('run r1 stopped unexpectedly');
    const over = feedOf([started, finished]);
    const none: string[] = [];
    ringWhenEnded(over.feed, (b) => none.push(b), {});
    over.push({ type: 'tick', at: 6 });
    expect(none).toEqual([]);
    expect(over.listeners()).toBe(0);
  });
});
