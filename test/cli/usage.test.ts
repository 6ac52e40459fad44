import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { writeConfig } from '../support/config.js';

describe('the command line', () => {
  it('prints help with every command and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.exitCode).toBe(0);
    for (const cmd of ['run', 'doctor', 'init-db', 'seed', 'runs', 'report'])
      expect(r.stdout).toContain(cmd);
    expect(r.stdout).toContain('--data-dir');
  });

  it('prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('exits 2 with a usage hint for an unknown command or option', async () => {
    const cmd = await runCli(['frobnicate']);
    expect(cmd.exitCode).toBe(2);
    const opt = await runCli(['doctor', '--frob']);
    expect(opt.exitCode).toBe(2);
    expect(opt.stderr).toContain("unknown option '--frob'");
    expect(opt.stderr).toContain('bqx-monitor --help');
  });

  it('says an unknown option in its own words, on one line, exit 2', async () => {
    for (const args of [['--bogus'], ['run', '--bogus'], ['status', '--bogus']]) {
      const r = await runCli(args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr).toBe("bqx-monitor: unknown option '--bogus'; see bqx-monitor --help");
    }
  });

  it('runs every README form of run with or without its name (unreachable database: exit 1)', async () => {
    const db = ['--db', 'postgres://someone@127.0.0.1:1/nodb'];
    const forms = [
      ['--json'],
      ['--detach'],
      ['--recompute'],
      ['--json', '--recompute', 'bollinger'],
      ['--recompute', 'regression', '--detach'],
      ['--recompute=extraction', '--json'],
    ];
    for (const form of forms)
      for (const args of [
        [...form, ...db],
        ['run', ...form, ...db],
        [...db, ...form, 'run'],
      ]) {
        const r = await runCli(args);
        // Past the parser and into the action: it fails only where it opens the database.
        expect(r.stderr, args.join(' ')).toMatch(/^bqx-monitor: cannot connect to /);
        expect(r.exitCode, args.join(' ')).toBe(1);
      }
    const bad = await runCli(['--json', '--recompute', 'bolinger', ...db]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("unknown command 'bolinger'");
  }, 240_000);

  it('names a month number out of range as such (seed, track)', async () => {
    const seed = await runCli(['seed', '--from', '2024-13']);
    expect(seed.exitCode).toBe(2);
    expect(seed.stderr).toBe('bqx-monitor: --from 2024-13: month 13 is out of range (01 to 12)');
    const track = await runCli(['track', 'bollinger', '--pair', 'eurusd', '--month', '2024-00']);
    expect(track.exitCode).toBe(2);
    expect(track.stderr).toBe('bqx-monitor: --month 2024-00: month 0 is out of range (01 to 12)');
  });

  it('accepts global options after the subcommand', async () => {
    const r = await runCli(['doctor', '--config', '/nonexistent/c.json']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(
      /^bqx-monitor: cannot read config file \/nonexistent\/c\.json: ENOENT/,
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('reports an invalid config file precisely, without a stack trace', async () => {
    const file = await writeConfig('{"pairs": ["EURUSD"], "schema": 3}');
    const r = await runCli(['doctor', '--config', file]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`${file}: pairs[0]: must be six lower-case letters`);
    expect(r.stderr).toContain(`${file}: schema:`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('names a mistyped command and what was meant, exit 2', async () => {
    const r = await runCli(['--data-dir', '/nonexistent', 'stauts']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe(
      "bqx-monitor: unknown command 'stauts' (did you mean 'status'?); see bqx-monitor --help",
    );
  });

  it('gives the line and column of a JSON mistake in the config file', async () => {
    const file = await writeConfig('{\n  "pairs": ["eurusd"],\n}\n');
    const r = await runCli(['doctor', '--config', file]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`config file ${file} is not valid JSON: line 3, column 1:`);
  });

  it('refuses a database URL that does not parse without showing any of it', async () => {
    const r = await runCli(['doctor', '--db', 'postgres://bqx_s:p@ss:w/rd%x@127.0.0.1:1/db']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/the database URL from --db is not a valid URL/);
    expect(r.stderr).not.toMatch(/p@ss|w\/rd|%x|127\.0/);
    const word = await runCli(['doctor', '--db', 'not-a-url']);
    expect(word.exitCode).toBe(2);
    expect(word.stderr).not.toContain('ENOTFOUND');
  });

  it('says which database it cannot reach, with the password masked, and exits 1', async () => {
    const r = await runCli(['doctor', '--db', 'postgres://someone:topsecret@127.0.0.1:1/nodb']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('postgres://someone:****@127.0.0.1:1/nodb');
    expect(r.stderr).not.toContain('topsecret');
  });
});

describe('colour outside the dashboard (chalk)', () => {
  it('colours an error on a colour terminal, never with NO_COLOR or in a pipe', async () => {
    const forced = await runCli(['stauts'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(forced.exitCode).toBe(2);
    expect(forced.stderr).toContain('\u001b[31mbqx-monitor:\u001b[39m unknown command');
    const noColor = await runCli(['stauts'], { env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
    expect(noColor.stderr).toMatch(/^bqx-monitor: unknown command 'stauts'/);
    // A pipe (the test's) is no terminal: no colour unless forced.
    const piped = await runCli(['stauts'], { env: { NO_COLOR: '' } });
    expect(piped.stderr).not.toContain('\u001b[');
  });
});
