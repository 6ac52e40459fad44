import { describe, expect, it } from 'vitest';
import {
  workerCommand,
  workerMallocEnv,
} from '../../../src/orchestrator/supervisor/workerCommand.js';

describe('worker command', () => {
  it('asks glibc for huge pages and keeps the tunables the user set, after ours so they win', () => {
    expect(workerMallocEnv({})).toEqual({
      MALLOC_ARENA_MAX: '2',
      MALLOC_MMAP_THRESHOLD_: '131072',
      GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1',
    });
    expect(
      workerMallocEnv({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0:glibc.malloc.tcache_count=0' })
        .GLIBC_TUNABLES,
    ).toBe('glibc.malloc.hugetlb=1:glibc.malloc.hugetlb=0:glibc.malloc.tcache_count=0');
  });

  it('passes the database URL in the environment, never on the command line', () => {
    const url = 'postgresql://u:secret@localhost/db';
    const cmd = workerCommand('extraction', {
      entry: '/x/main.js',
      dbUrl: url,
      config: undefined,
      outDir: '/tmp/o',
    });
    expect(cmd.args.join(' ')).not.toContain('secret');
    expect(cmd.env?.['DATABASE_URL']).toBe(url);
    expect(cmd.args).toEqual([
      '/x/main.js',
      '--out',
      '/tmp/o',
      'worker',
      '--track',
      'extraction',
      '--until-empty',
    ]);
    expect(cmd.env?.['GLIBC_TUNABLES']).toContain('glibc.malloc.hugetlb=1');
  });
});
