/**
 * Whether this process may draw the live dashboard: stdin and stdout are terminals, and
 * the terminal can move its cursor (`TERM=dumb`, an Emacs shell or a serial console,
 * gets plain lines instead).
 */
export function canDrawDashboard(
  o: {
    stdoutTty?: boolean | undefined;
    stdinTty?: boolean | undefined;
    env?: Readonly<Record<string, string | undefined>>;
  } = {},
): boolean {
  const env = o.env ?? process.env;
  const stdout = o.stdoutTty ?? process.stdout.isTTY === true;
  const stdin = o.stdinTty ?? process.stdin.isTTY === true;
  return stdout && stdin && env['TERM'] !== 'dumb';
}
