import type { Settings } from '../../config/settings.js';
import { EXIT, UserError } from '../../config/userError.js';
import { serveMetrics } from '../../orchestrator/metrics/metricsServer.js';
import { watchTrackGiveUps } from '../../orchestrator/notify/runNotices.js';
import type { RunSession } from '../../orchestrator/run/superviseRun.js';

/** The run's flags that change its settings (`run`, and the background `supervise`). */
export interface RunServiceFlags {
  /** `--notify-cmd PATH`: an executable run at the end, instead of `notify.command`. */
  readonly notifyCmd?: string;
  /** `--metrics-port N`: serve metrics there, instead of `run.metricsPort`. */
  readonly metricsPort?: string;
}

/** Refuses bad flag values (a usage error), before anything is opened. */
export function checkRunFlags(f: RunServiceFlags): void {
  if (f.notifyCmd === '') throw new UserError('--notify-cmd needs a path', EXIT.usage);
  if (
    f.metricsPort !== undefined &&
    !(/^\d+$/.test(f.metricsPort) && Number(f.metricsPort) <= 65535)
  )
    throw new UserError(
      `--metrics-port ${JSON.stringify(f.metricsPort)}: expected 0–65535`,
      EXIT.usage,
    );
}

/** The settings with the run's flags applied (a bad value is a usage error). */
export function applyRunFlags(settings: Settings, f: RunServiceFlags): Settings {
  checkRunFlags(f);
  let out = settings;
  if (f.notifyCmd !== undefined)
    out = { ...out, notify: { ...out.notify, command: [f.notifyCmd] } };
  if (f.metricsPort !== undefined)
    out = { ...out, run: { ...out.run, metricsPort: Number(f.metricsPort) } };
  return out;
}

/** The same flags on the background supervisor's command line. */
export function runFlagArgs(f: RunServiceFlags): string[] {
  const args: string[] = [];
  if (f.notifyCmd !== undefined) args.push('--notify-cmd', f.notifyCmd);
  if (f.metricsPort !== undefined) args.push('--metrics-port', f.metricsPort);
  return args;
}

/**
 * What the supervisor serves beside its run: the metrics endpoint (`run.metricsPort`) and
 * the notices of a track giving up. A port that cannot be bound is said, the run goes on.
 * Both end with the run.
 */
export async function startRunServices(
  session: RunSession,
  settings: Settings,
  say: (line: string) => void,
): Promise<void> {
  const offGiveUps = watchTrackGiveUps(session, settings.notify, say);
  const port = settings.run.metricsPort;
  const endpoint =
    port === undefined
      ? undefined
      : await serveMetrics(session, { port, host: settings.run.metricsHost }).catch(
          (err: Error) => {
            say(`${err.message}; the run goes on without metrics`);
            return undefined;
          },
        );
  if (endpoint) say(`metrics: ${endpoint.url}`);
  void session.done.finally(() => {
    offGiveUps();
    void endpoint?.close();
  });
}
