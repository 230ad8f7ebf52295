/**
 * Where a service or function process writes its span lines. A target that collects spans on a
 * channel of their own gives a Unix socket in FOGBENCH_SPANS_SOCKET (fog: one per pod), so
 * that stdout carries only what the program itself prints: behind of-watchdog, stdout is
 * relayed line by line by the watchdog, and spans there would make it do work a user's
 * function never asks of it. Without one (loopback, kube: spans are read from the pod log),
 * spans go to stdout.
 *
 * A socket that cannot be reached, or breaks, sends the spans to stdout from then on, with one
 * line on stderr saying so: spans are never dropped in silence.
 */
import net from 'node:net';

export const SPANS_SOCKET_ENV = 'FOGBENCH_SPANS_SOCKET';

export function spanOutput(env: NodeJS.ProcessEnv, stdout: NodeJS.WritableStream = process.stdout, stderr: NodeJS.WritableStream = process.stderr): (chunk: string) => void {
  const path = env[SPANS_SOCKET_ENV];
  if (!path) return (chunk) => void stdout.write(chunk);
  let socket: net.Socket | null = net.connect(path);
  // Chunks written before the failure was known are lost with the socket: kept until connected.
  let pending: string[] | null = [];
  socket.once('connect', () => {
    pending = null;
  });
  socket.on('error', (error) => {
    stderr.write(`fogbench: span socket ${path}: ${error.message}; writing spans to stdout\n`);
    socket?.destroy();
    socket = null;
    for (const chunk of pending ?? []) stdout.write(chunk);
    pending = null;
  });
  // The socket must not keep a process alive that is otherwise done.
  socket.unref();
  return (chunk) => {
    if (socket === null) return void stdout.write(chunk);
    pending?.push(chunk);
    socket.write(chunk);
  };
}
