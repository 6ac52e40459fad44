import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunFeed } from '../state/runFeed.js';
import { RunMetrics } from './runMetrics.js';

/** The supervisor's metrics endpoint: where it listens, and how to close it. */
export interface MetricsEndpoint {
  /** `http://host:port/metrics`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves the run's Prometheus metrics (`GET /metrics`) on `host:port` (port 0: any free
 * one), derived from `feed` (the supervisor's session). Rejects when the port cannot be
 * bound (taken, not allowed), with the address in the message.
 */
export async function serveMetrics(
  feed: RunFeed,
  o: { readonly port: number; readonly host: string },
): Promise<MetricsEndpoint> {
  const metrics = new RunMetrics(feed);
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url !== '/metrics' && !req.url?.startsWith('/metrics?'))) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('see /metrics\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
    );
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port, o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    metrics.close();
    throw new Error(
      `cannot serve metrics on ${o.host}:${o.port}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  const port = (server.address() as AddressInfo).port;
  const shown = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    url: `http://${shown}:${port}/metrics`,
    port,
    close: async () => {
      metrics.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
