import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { writeConfig } from '../support/config.js';

describe('the flags and settings of notices and metrics', () => {
  it.each([
    [['run', '--json', '--metrics-port', 'abc'], '--metrics-port "abc": expected 0–65535'],
    [['run', '--json', '--metrics-port', '70000'], '--metrics-port "70000": expected 0–65535'],
    [['run', '--json', '--notify-cmd', ''], '--notify-cmd needs a path'],
  ])('bqx-monitor %j is refused in one line, exit 2', async (args, message) => {
    const r = await runCli(args);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a config with a bad webhook, command or retention is refused with each path', async () => {
    const config = await writeConfig(
      JSON.stringify({
        notify: { webhook: 'ftp://example.invalid/x', command: [], timeoutSeconds: 0 },
        runs: { keep: 0 },
        run: { metricsPort: 70000 },
      }),
    );
    const r = await runCli(['--config', config, 'run', '--json']);
    expect(r.exitCode).toBe(2);
    for (const path of [
      'notify.webhook',
      'notify.command',
      'notify.timeoutSeconds',
      'runs.keep',
      'run.metricsPort',
    ])
      expect(r.stderr).toContain(`: ${path}: `);
    expect(r.stderr).toContain('must be an http:// or https:// URL');
  });
});
