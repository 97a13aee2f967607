// A TCP proxy with a slow uplink, so a test can act while a CLI upload is halfway: client bytes are
// forwarded at `bytesPerSecond`, answers at full speed. `dropAll()` cuts every open connection, as a
// network that goes away does (the client sees ECONNRESET mid-request).
import net from 'node:net';

export interface ThrottleProxy {
  url: string;
  /** Client bytes forwarded so far. */
  readonly forwarded: number;
  dropAll(): void;
  close(): Promise<void>;
}

export async function startThrottleProxy(targetPort: number, bytesPerSecond: number): Promise<ThrottleProxy> {
  const pairs = new Set<[net.Socket, net.Socket]>();
  let forwarded = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    client.on('data', (chunk: Buffer) => {
      forwarded += chunk.length;
      upstream.write(chunk);
      // Hold the next chunk back for as long as this one takes at the link's speed.
      client.pause();
      setTimeout(() => client.resume(), (chunk.length / bytesPerSecond) * 1000);
    });
    upstream.pipe(client);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client
      .on('error', end)
      .on('close', end)
      .on('end', () => upstream.end());
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get forwarded() {
      return forwarded;
    },
    dropAll() {
      for (const [client, upstream] of pairs) {
        client.resetAndDestroy();
        upstream.destroy();
      }
    },
    async close() {
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
