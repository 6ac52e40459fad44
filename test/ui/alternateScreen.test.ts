import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { enterAlternateScreen } from '../../src/ui/alternateScreen.js';

/** A terminal (or not) that records what is written to it. */
function terminal(isTTY: boolean) {
  const out = new PassThrough() as PassThrough & { isTTY: boolean };
  out.isTTY = isTTY;
  let written = '';
  out.on('data', (c: Buffer) => {
    written += c.toString();
  });
  return { stream: out as unknown as NodeJS.WriteStream, written: () => written };
}

describe('the alternate screen', () => {
  it('enters it on a terminal and leaves it once, however many ways out ask', () => {
    const t = terminal(true);
    const exits = process.listenerCount('exit');
    const monitors = process.listenerCount('uncaughtExceptionMonitor');
    const screen = enterAlternateScreen(t.stream);
    expect(t.written()).toBe('\u001b[?1049h\u001b[H');
    // Until it is left, the process leaving (or an uncaught error) leaves it too.
    expect(process.listenerCount('exit')).toBe(exits + 1);
    expect(process.listenerCount('uncaughtExceptionMonitor')).toBe(monitors + 1);
    screen.leave();
    screen.leave();
    expect(t.written()).toBe('\u001b[?1049h\u001b[H\u001b[?1049l');
    expect(process.listenerCount('exit')).toBe(exits);
    expect(process.listenerCount('uncaughtExceptionMonitor')).toBe(monitors);
  });

  it('does nothing on a non-terminal', () => {
    const t = terminal(false);
    const exits = process.listenerCount('exit');
    enterAlternateScreen(t.stream).leave();
    expect(t.written()).toBe('');
    expect(process.listenerCount('exit')).toBe(exits);
  });
});
