import { acquireEmbedded } from './dist/src/db/embedded/server.js';
import pg from 'pg';
const t0 = Date.now();
const s = await acquireEmbedded(process.argv[2], (m) => console.error('log:', m));
console.log('acquired', s.port, s.started, s.clusterDir, Date.now() - t0, 'ms');
const c = new pg.Client(s.url); await c.connect(); console.log((await c.query('select version()')).rows[0].version); await c.end();
if (process.argv[3] !== 'keep') { await s.release(); console.log('released'); }
