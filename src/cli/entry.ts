import { fileURLToPath } from 'node:url';

/** This CLI's entry point: workers and background supervisors run `node <entry> …`. */
export const CLI_ENTRY = fileURLToPath(new URL('./main.js', import.meta.url));
