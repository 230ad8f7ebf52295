/**
 * Starts an HTTP server listening and gives back its port and a close that drops its
 * connections: what every server of a deployment (p2p service, function runtimes, sensor feed)
 * needs, written once.
 */
import type http from 'node:http';

export interface ListeningServer {
  port: number;
  /** Runs `beforeClose` (flush spans), closes every connection and the server. */
  close(): Promise<void>;
}

export async function listen(server: http.Server, host: string, port: number, beforeClose: () => void = () => undefined): Promise<ListeningServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        beforeClose();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
