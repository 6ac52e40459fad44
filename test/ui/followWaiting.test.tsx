import { stripVTControlCharacters as strip } from 'node:util';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { waitingLine } from '../../src/orchestrator/text/waitingLine.js';
import { FollowWaiting } from '../../src/ui/FollowWaiting.js';
import { until } from '../support/dashboard.js';

const views: Array<{ unmount(): void }> = [];
afterEach(() => {
  for (const v of views.splice(0)) v.unmount();
});

const at = (h: number, m: number) => new Date(2026, 0, 5, h, m).getTime();
const WAITING = { nextCheck: at(14, 5), lastChange: { at: at(13, 52), unit: 'eurusd/2024-12' } };
const LAST_RUN = 'run 20260105-135200-86f1 complete (exit 0)';

/** The waiting screen, and how many times it asked to end the follow. */
function shown() {
  let quits = 0;
  const r = render(
    <FollowWaiting
      database="postgresql://bqx:****@db/bqx"
      lastRun={LAST_RUN}
      waiting={WAITING}
      onQuit={() => quits++}
    />,
  );
  views.push(r);
  return { r, frame: () => strip(r.lastFrame() ?? ''), quits: () => quits };
}

describe('the screen of a follow between its runs', () => {
  it('shows the last run and the waiting line', async () => {
    const { frame } = shown();
    await until(() => expect(frame()).toContain(waitingLine(WAITING)));
    expect(frame()).toContain(LAST_RUN);
    expect(frame()).toContain('q stop following');
  });

  it.each(['s', 'y', '\r', '\u0003'])('q asks, %j confirms: the follow ends', async (key) => {
    const { r, frame, quits } = shown();
    await until(() => expect(frame()).toContain('q stop following'));
    r.stdin.write('q');
    await until(() => expect(frame()).toContain('Stop following?'));
    r.stdin.write(key);
    await until(() => expect(quits()).toBe(1));
  });

  it('q asks, another key stays', async () => {
    const { r, frame, quits } = shown();
    await until(() => expect(frame()).toContain('q stop following'));
    r.stdin.write('q');
    await until(() => expect(frame()).toContain('Stop following?'));
    r.stdin.write('x');
    await until(() => expect(frame()).toContain('q stop following'));
    expect(quits()).toBe(0);
  });
});
