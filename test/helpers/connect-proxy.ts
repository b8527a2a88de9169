// A forward proxy on loopback that only tunnels (HTTP CONNECT), as egress proxies do, and counts what
// passes: tunnels per target, bytes each way. `route` plays the proxy's own name resolution: the
// tests address targets by a name the client cannot reach directly and the proxy maps it to a port
// on 127.0.0.1. With `credentials`, tunnels need the matching Proxy-Authorization (else 407).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';

export interface ConnectProxy {
  url: string;
  /** "host:port" of every CONNECT, in order (refused ones included). */
  connects: string[];
  /** Proxy-Authorization headers received. */
  authorizations: (string | undefined)[];
  bytesUp: number;
  bytesDown: number;
  /** Plain (non-CONNECT) requests: this proxy refuses them, a client should never send one. */
  plainRequests: string[];
  close(): Promise<void>;
}

export async function startConnectProxy(
  options: { route?: (host: string) => string; credentials?: string } = {},
): Promise<ConnectProxy> {
  const route = options.route ?? ((host: string) => host);
  const sockets = new Set<Socket>();
  const proxy: ConnectProxy = {
    url: '',
    connects: [],
    authorizations: [],
    bytesUp: 0,
    bytesDown: 0,
    plainRequests: [],
    close: async () => {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  const server: Server = createServer((req, res) => {
    proxy.plainRequests.push(`${req.method} ${req.url}`);
    res.writeHead(405).end();
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    const target = req.url ?? '';
    proxy.connects.push(target);
    const authorization = req.headers['proxy-authorization'];
    proxy.authorizations.push(authorization);
    const expected = options.credentials && `Basic ${Buffer.from(options.credentials).toString('base64')}`;
    if (expected && authorization !== expected) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n',
      );
      return;
    }
    const match = /^(.+):(\d+)$/.exec(target);
    if (!match) {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const upstream = connect(Number(match[2]), route(match[1] as string), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      client.on('data', (d: Buffer) => {
        proxy.bytesUp += d.length;
      });
      upstream.on('data', (d: Buffer) => {
        proxy.bytesDown += d.length;
      });
      client.pipe(upstream);
      upstream.pipe(client);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
