import { describe, expect, it } from 'vitest';
import { settingNotes } from '../../src/db/preflight/serverSettings.js';

const FAST = {
  wal_level: 'minimal',
  max_wal_size: '4096',
  synchronous_commit: 'off',
  fsync: 'on',
  full_page_writes: 'on',
};
const noted = (s: Record<string, string>, embedded = false) =>
  settingNotes(s, embedded).map((f) => (f.kind === 'slow-setting' ? f.setting : f.kind));

describe('notes on server settings that slow a run', () => {
  it.each([
    ['nothing for the settings of the embedded server', FAST, []],
    [
      'WAL of every row and checkpoints at a replica-level server',
      { ...FAST, wal_level: 'replica', max_wal_size: '1024' },
      ['wal_level', 'max_wal_size'],
    ],
    ['no checkpoint note when the rows skip the WAL anyway', { ...FAST, max_wal_size: '1024' }, []],
    [
      'commits that wait for a flush',
      { ...FAST, synchronous_commit: 'on' },
      ['synchronous_commit'],
    ],
    [
      'the crash-safety cost of fsync and full_page_writes off',
      { ...FAST, fsync: 'off', full_page_writes: 'off' },
      ['fsync', 'full_page_writes'],
    ],
  ])('%s', (_, settings, expected) => {
    expect(noted(settings)).toEqual(expected);
  });

  it('are notes, never problems, and say what to change', () => {
    const notes = settingNotes({ ...FAST, wal_level: 'logical' }, false);
    expect(notes).toEqual([
      expect.objectContaining({ severity: 'note', setting: 'wal_level', value: 'logical' }),
    ]);
    expect(JSON.stringify(notes)).toContain('wal_level = minimal');
  });

  it('tell the embedded server apart: it takes its settings at its next start', () => {
    const [note] = settingNotes({ ...FAST, wal_level: 'replica' }, true);
    expect(note).toMatchObject({ advice: expect.stringContaining('next start') });
  });
});
