// A gitiles-shaped HTTP server on loopback: `?format=TEXT` answers the file base64-encoded.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type GitilesMode = 'ok' | 'error-500' | 'not-found' | 'html' | 'not-yaml' | 'hang';

export interface GitilesServer {
  url: string;
  setText(text: string): void;
  setMode(mode: GitilesMode): void;
  requests: { path: string; userAgent: string | undefined }[];
  close(): Promise<void>;
}

export const DATA_YAML_PATH =
  '/r/plugins/gitiles/operations/puppet/+/refs/heads/production/modules/admin/data/data.yaml';

export async function startGitiles(initial: string): Promise<GitilesServer> {
  let text = initial;
  let mode: GitilesMode = 'ok';
  const requests: GitilesServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ path: req.url ?? '', userAgent: req.headers['user-agent'] });
    const [path, query] = (req.url ?? '').split('?');
    if (path !== DATA_YAML_PATH || mode === 'not-found') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }
    if (mode === 'hang') return; // never answers: the client's timeout must fire
    if (mode === 'error-500') {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error');
      return;
    }
    if (mode === 'html' || query !== 'format=TEXT') {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!DOCTYPE html><html><body>data.yaml</body></html>');
      return;
    }
    const body = mode === 'not-yaml' ? 'groups: [unclosed\n  users: {' : text;
    res
      .writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
      .end(Buffer.from(body).toString('base64'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${DATA_YAML_PATH}?format=TEXT`,
    setText: (t) => {
      text = t;
    },
    setMode: (m) => {
      mode = m;
    },
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
