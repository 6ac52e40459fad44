import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleSystem } from '../../../src/orchestrator/sample/systemSampler.js';

const made: string[] = [];
afterAll(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});

describe('the system sample', () => {
  it('tells directories on one filesystem by their shared device', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'bqx-disks-'));
    made.push(root);
    await mkdir(path.join(root, 'data'));
    const s = await sampleSystem({
      dirs: [
        { label: 'data', dir: path.join(root, 'data') },
        // Not created yet (the output directory before the first file): its parent counts.
        { label: 'out', dir: path.join(root, 'out', 'later') },
        { label: 'proc', dir: '/proc' },
      ],
      workers: [],
    });
    const [data, out, proc] = s.disks;
    expect(data!.device).toBe(out!.device);
    expect(data!.mount).not.toBe(out!.mount);
    expect(proc!.device).not.toBe(data!.device);
  });
});
