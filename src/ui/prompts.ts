import type { Mode } from './keys/keyTypes.js';

/** A prompt's wordings, longest first: the view shows the longest that fits, never a cut one. */
function promptVariants(mode: Mode): readonly string[] {
  switch (mode.kind) {
    case 'confirm-restart':
      return [
        `Restart ${mode.track}? Its workers finish their unit first; finished units are not redone. (y/n)`,
        `Restart ${mode.track}? Workers finish their unit; done units stay done. (y/n)`,
        `Restart ${mode.track}? (y/n)`,
      ];
    case 'confirm-quit':
      return [
        'Leave: d or Enter detach (the run goes on)  ·  s stop the run (units finish first)  ·  Esc stay',
        'Leave: d/Enter detach (the run goes on) · s stop the run · Esc stay',
        'd detach · s stop the run · Esc stay',
      ];
    case 'stopping':
      return [
        'Stopping the run: running units finish first…  (d detaches, the stop goes on)',
        'Stopping the run: units finish first…  (d detaches)',
        'Stopping the run…',
      ];
    default:
      return [];
  }
}

/** The prompt line of a mode that has one, as long as fits `width` (whole words only). */
export function promptOf(mode: Mode, width: number): string | undefined {
  const variants = promptVariants(mode);
  return variants.find((v) => v.length < width) ?? variants.at(-1);
}
