// DynamoDB Local's start (lib/local/dynamo.ts): its port is chosen below the kernel's range for
// outgoing connections; a port found free may still be taken before the JVM listens on it, and then
// another port is chosen; a port the caller named is not replaced.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIGHT_JVM, freePort, startDynamoLocal } from '../../lib/local/dynamo';

let taken: Server;
let takenPort: number;
beforeAll(async () => {
  // A holder that accepts and never answers: the start must not wait on it.
  taken = createServer((socket) => void sockets.add(socket));
  await new Promise<void>((resolve) => taken.listen(0, '0.0.0.0', resolve));
  takenPort = (taken.address() as { port: number }).port;
});
const sockets = new Set<Socket>();
afterAll(() => {
  for (const socket of sockets) socket.destroy();
  return new Promise<void>((resolve) => taken.close(() => resolve()));
});

describe('DynamoDB Local on a port someone else took', () => {
  it('chooses its port below the range of outgoing connections', async () => {
    // Linux says where the range starts; elsewhere the port is taken below 32768.
    const range = existsSync('/proc/sys/net/ipv4/ip_local_port_range') ? readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8') : '32768';
    const floor = Math.min(Number(range.trim().split(/\s+/)[0]), 32768);
    for (let i = 0; i < 5; i++) {
      const port = await freePort();
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(floor);
    }
  });

  it('a port of its choosing that was taken meanwhile: it starts on another one', async () => {
    const offered: number[] = [];
    const ports = [takenPort];
    const local = await startDynamoLocal({
      jvmOptions: LIGHT_JVM,
      freePort: async () => {
        const port = ports.shift() ?? (await freePort());
        offered.push(port);
        return port;
      },
    });
    try {
      expect(offered).toHaveLength(2);
      expect(offered[0]).toBe(takenPort);
      expect(local.endpoint).toBe(`http://127.0.0.1:${offered[1]}`);
    } finally {
      await local.stop();
    }
  }, 60_000);

  it('the port the caller named, taken: it fails and says so', async () => {
    await expect(startDynamoLocal({ port: takenPort, jvmOptions: LIGHT_JVM })).rejects.toThrow(`could not listen on ${takenPort}`);
  }, 60_000);
});
