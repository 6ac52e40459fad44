import { describe, expect, it } from 'vitest';
import { judgeRun, RECONNECT_GRACE_MS } from '../../../src/orchestrator/live/election.js';

const t = (s: number) => new Date(Date.UTC(2026, 11, 1, 12, 0, s));
const run = {
  status: 'running' as const,
  backendPid: 4242,
  heartbeatAt: t(0),
  host: 'vm',
  pid: 100,
};
const probe = { lockHolder: undefined, now: t(5), serverStart: t(-3600), host: 'vm' };
const alive = () => true;
const dead = () => false;

describe('is a recorded run live?', () => {
  it('is live while its supervisor session holds the lock', () => {
    expect(judgeRun(run, { ...probe, lockHolder: 4242 }, dead)).toEqual({ kind: 'live' });
  });

  it('is starting when another session holds the lock (its run is not recorded yet)', () => {
    expect(judgeRun(run, { ...probe, lockHolder: 99 }, alive)).toEqual({ kind: 'starting' });
  });

  it('is lost at once when its supervisor process on this host is gone', () => {
    const j = judgeRun(run, probe, dead);
    expect(j.kind).toBe('lost');
    expect(j).toMatchObject({ why: 'its supervisor (pid 100 on vm) is gone' });
  });

  it('may be reconnecting for the grace period after its last heartbeat', () => {
    expect(judgeRun(run, probe, alive)).toEqual({ kind: 'reconnecting', since: t(0) });
    const late = { ...probe, now: new Date(t(0).getTime() + RECONNECT_GRACE_MS + 1) };
    expect(judgeRun(run, late, alive).kind).toBe('lost');
  });

  it('counts the grace from the server restart when the server restarted after the heartbeat', () => {
    const restarted = { ...probe, serverStart: t(40), now: t(55) };
    expect(judgeRun(run, restarted, alive)).toEqual({ kind: 'reconnecting', since: t(40) });
  });

  it('judges a supervisor on another host by its heartbeat only', () => {
    const remote = { ...run, host: 'other' };
    expect(judgeRun(remote, probe, dead).kind).toBe('reconnecting');
  });

  it('has ended when its row says so', () => {
    expect(judgeRun({ ...run, status: 'complete' }, probe, alive)).toEqual({ kind: 'ended' });
  });
});
