// A tiny real forward proxy for the lab, the kind a corporate network puts
// in front of CircleCI: absolute-form HTTP requests are forwarded, CONNECT
// is tunnelled, optional Basic credentials are demanded (407 otherwise), and
// every request is recorded, so a test can prove traffic went through it.
// Plus a tiny origin web server to fetch through it.
//
// Both listen on 127.0.78.x (the lab hosts' own addresses are 127.0.77.x;
// every lab host shares this machine's network, so they reach these too),
// on a port the kernel picks.
import * as http from 'node:http';
import * as net from 'node:net';

export interface ProxiedRequest {
  method: string;
  /** `http://host:port/path` for forwarded requests, `host:port` for CONNECT. */
  target: string;
  /** Remote address of the client (which lab host it came from). */
  from: string;
  /** Decoded `user:password` from Proxy-Authorization, if sent. */
  credentials?: string;
  /** What the proxy answered itself (407, 502) or the origin's status. */
  status: number;
}

export interface LabHttpProxy {
  url: string;
  host: string;
  port: number;
  requests: ProxiedRequest[];
  close(): Promise<void>;
}

export interface LabOrigin {
  url: string;
  hits: { method: string; path: string; from: string }[];
  close(): Promise<void>;
}

const DEFAULT_HOST = '127.0.78.1';

function listen(server: http.Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => resolve((server.address() as net.AddressInfo).port));
  });
}

function closer(server: http.Server, sockets: Set<net.Socket>): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

function decodeBasic(header: string | undefined): string | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  return m ? Buffer.from(m[1], 'base64').toString('utf8') : undefined;
}

/** Start the proxy. With `credentials`, requests without them get 407 Proxy Authentication Required. */
export async function startHttpProxy(options: { host?: string; credentials?: { user: string; password: string } } = {}): Promise<LabHttpProxy> {
  const host = options.host ?? DEFAULT_HOST;
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<net.Socket>();
  const wanted = options.credentials ? `${options.credentials.user}:${options.credentials.password}` : undefined;

  const authorized = (headers: http.IncomingHttpHeaders, record: ProxiedRequest): boolean => {
    record.credentials = decodeBasic(headers['proxy-authorization']);
    return !wanted || record.credentials === wanted;
  };

  const server = http.createServer((req, res) => {
    const record: ProxiedRequest = { method: req.method ?? '', target: req.url ?? '', from: req.socket.remoteAddress ?? '', status: 0 };
    requests.push(record);
    if (!authorized(req.headers, record)) {
      record.status = 407;
      res.writeHead(407, { 'Proxy-Authenticate': 'Basic realm="drydock-lab"' }).end('proxy credentials required\n');
      return;
    }
    let target: URL;
    try {
      target = new URL(req.url ?? '');
      if (target.protocol !== 'http:') throw new Error('not http');
    } catch {
      record.status = 400;
      res.writeHead(400).end('a forward proxy wants absolute http:// URLs\n');
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = http.request({ host: target.hostname, port: target.port || 80, path: target.pathname + target.search, method: req.method, headers }, (up) => {
      record.status = up.statusCode ?? 0;
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', (err) => {
      record.status = 502;
      if (!res.headersSent) res.writeHead(502).end(`lab proxy: ${err.message}\n`);
    });
    req.pipe(upstream);
  });

  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const record: ProxiedRequest = { method: 'CONNECT', target: req.url ?? '', from: client.remoteAddress ?? '', status: 0 };
    requests.push(record);
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (!authorized(req.headers, record)) {
      record.status = 407;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="drydock-lab"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [h, p] = (req.url ?? '').split(/:(?=\d+$)/);
    const upstream = net.connect({ host: h.replace(/^\[|\]$/g, ''), port: Number(p) || 443 }, () => {
      record.status = 200;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => {
      record.status = 502;
      client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
    });
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const port = await listen(server, host);
  return { url: `http://${host}:${port}`, host, port, requests, close: closer(server, sockets) };
}

/** A web server to fetch through the proxy: answers 200 "drydock lab origin" to everything. */
export async function startOrigin(options: { host?: string } = {}): Promise<LabOrigin> {
  const host = options.host ?? DEFAULT_HOST;
  const hits: LabOrigin['hits'] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    hits.push({ method: req.method ?? '', path: req.url ?? '', from: req.socket.remoteAddress ?? '' });
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('drydock lab origin\n');
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(server, host);
  return { url: `http://${host}:${port}/`, hits, close: closer(server, sockets) };
}
