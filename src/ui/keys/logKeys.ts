import type { Key } from 'ink';
import { liveWorkers, logWorkers, nextWorker, workerLines } from '../logWorkers.js';
import { filterLog } from '../panels/LogView.js';
import { type KeyDeps, type KeyPress, type LogMode, leave } from './keyTypes.js';

/** The log view's keys: scroll, filter (`/`), next worker (Tab), back (Esc, q, l). */
export function logKey(d: KeyDeps, { input, key, mode, ctrlC }: KeyPress): void {
  if (mode.kind !== 'log') return;
  if (mode.editing !== undefined) {
    editFilter(d, mode, input, key);
    return;
  }
  const page = Math.max(1, d.rows - 3);
  const lines = d.logs[mode.track];
  const total = filterLog(workerLines(lines, mode.worker), mode.filter).length;
  const top = Math.max(0, total - page);
  const scroll = (offset: number) =>
    d.setMode({ ...mode, offset: Math.max(0, Math.min(top, offset)) });
  if (key.escape || input === 'q' || input === 'l') d.setMode({ kind: 'main' });
  else if (key.tab) {
    const workers = logWorkers(lines, liveWorkers(d.state(), mode.track));
    d.setMode({ ...mode, worker: nextWorker(workers, mode.worker), offset: 0 });
  } else if (key.pageUp) scroll(mode.offset + page);
  else if (key.pageDown) scroll(mode.offset - page);
  else if (key.upArrow || input === 'k') scroll(mode.offset + 1);
  else if (key.downArrow || input === 'j') scroll(mode.offset - 1);
  else if (key.home) scroll(top);
  else if (key.end) scroll(0);
  else if (input === '/') d.setMode({ ...mode, editing: '' });
  else if (ctrlC) leave(d);
}

/** Typing the `/` filter: printable characters only (Ctrl-U clears, as in a shell). */
function editFilter(d: KeyDeps, mode: LogMode, input: string, key: Key): void {
  const editing = mode.editing ?? '';
  if (key.return) d.setMode({ ...mode, filter: editing, editing: undefined, offset: 0 });
  else if (key.escape) d.setMode({ ...mode, editing: undefined });
  else if (key.backspace || key.delete) d.setMode({ ...mode, editing: editing.slice(0, -1) });
  else if (key.ctrl && input === 'u') d.setMode({ ...mode, editing: '' });
  else if (!key.ctrl && !key.meta) {
    const printable = [...input].filter((c) => c >= ' ' && c !== '\u007f').join('');
    if (printable) d.setMode({ ...mode, editing: editing + printable });
  }
}
