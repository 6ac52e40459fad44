import { execa } from 'execa';
import { expect } from 'vitest';

const tmux = (...args: string[]) => execa('tmux', args, { reject: false });

/** A real terminal: a detached tmux session running one shell command. */
export interface TmuxSession {
  readonly name: string;
  /** What the terminal shows now (`capture-pane`). */
  screen(): Promise<string>;
  /** Waits until the screen satisfies `test`; returns that screen. */
  waitFor(test: (screen: string) => boolean, what: string, timeout?: number): Promise<string>;
  keys(...keys: string[]): Promise<void>;
  /** The cursor's visibility flag (1: visible, as a restored terminal has it). */
  cursorVisible(): Promise<boolean>;
  kill(): Promise<void>;
}

let n = 0;

/** Starts `command` in a new tmux session of `columns`×`rows`. */
export async function tmuxSession(
  command: string,
  o: { columns?: number; rows?: number } = {},
): Promise<TmuxSession> {
  const name = `bqx-e2e-${process.pid}-${n++}`;
  const r = await tmux(
    'new-session',
    '-d',
    '-s',
    name,
    '-x',
    String(o.columns ?? 100),
    '-y',
    String(o.rows ?? 32),
    command,
  );
  if (r.exitCode !== 0) throw new Error(`tmux new-session failed: ${r.stderr}`);
  const screen = async () => String((await tmux('capture-pane', '-p', '-t', name)).stdout);
  return {
    name,
    screen,
    async waitFor(test, what, timeout = 120_000) {
      let last = '';
      try {
        await expect
          .poll(
            async () => {
              last = await screen();
              return test(last);
            },
            { timeout, interval: 200 },
          )
          .toBe(true);
      } catch {
        throw new Error(`timed out waiting for ${what}; screen:\n${last}`);
      }
      return last;
    },
    async keys(...keys) {
      await tmux('send-keys', '-t', name, ...keys);
    },
    async cursorVisible() {
      const c = await tmux('display', '-p', '-t', name, '#{cursor_flag}');
      return String(c.stdout).trim() === '1';
    },
    async kill() {
      await tmux('kill-session', '-t', name);
    },
  };
}
