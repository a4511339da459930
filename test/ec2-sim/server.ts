/**
 * A stateful EC2 Query API over HTTP (or HTTPS with a given key pair) that
 * the real AWS SDK and the AWS CLI talk to. Requests must carry a SigV4
 * `Authorization` header for the simulator's access key, which is checked for
 * shape, scope and signature. Faults are injected on demand: throttling
 * (`RequestLimitExceeded`, 503), server errors (500), and a snapshot that
 * ends in `error`. Every request is logged for tests to observe.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ACTIONS, MUTATING, type ActionContext } from './actions';
import { DEFAULT_INSTANCES, World, type InstanceSpec } from './model';
import { Ec2Error, errorXml, parseParams, response, type Params } from './query';

export interface SimOptions {
  host?: string;
  port?: number;
  region?: string;
  /** State transitions happen this many times faster than in EC2. */
  speed?: number;
  /** Start from this JSON file (instances to seed, or a saved state) and save back to it on every change. */
  stateFile?: string;
  instances?: InstanceSpec[];
  tls?: { key: string; cert: string };
  accessKeyId?: string;
  secretAccessKey?: string;
}

export interface SimRequest {
  time: number;
  action: string;
  status: number;
  params: Record<string, string>;
}

interface Fault {
  kind: 'throttle' | 'server' | 'error';
  remaining: number;
  action?: string;
  error?: { status: number; code: string; message: string };
}

export interface ReadyLine {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  instances: { id: string; name: string; privateIp: string; rootVolumeId: string }[];
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

export class Ec2Simulator {
  readonly world: World;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly requests: SimRequest[] = [];
  /** Called after every successful action (tests use it to log the snapshot call beside a host's log). */
  onAction?: (action: string, params: Params) => void;
  /**
   * Called when StartInstances starts an instance whose root volume is not
   * the one it last booted from (a restored disk): the answer waits for it,
   * so the test glue can "re-image" the lab host standing for the instance.
   */
  onBoot?: (boot: { instanceId: string; name: string; rootVolumeId: string; previousRootVolumeId?: string; snapshotId?: string }) => void | Promise<void>;
  private volumeFaults = 0;
  private faults: Fault[] = [];
  private delays = new Map<string, number>();
  private snapshotFaults: string[] = [];
  private server?: Server;
  private endpointUrl?: string;

  constructor(private readonly options: SimOptions = {}) {
    this.region = options.region ?? 'us-east-1';
    const speed = options.speed ?? 1;
    this.world = options.stateFile
      ? tryLoad(options.stateFile, this.region, speed, options.instances)
      : World.create(this.region, options.instances ?? DEFAULT_INSTANCES, speed);
    this.accessKeyId = options.accessKeyId ?? 'AKIADRYDOCKSIMULATOR';
    this.secretAccessKey = options.secretAccessKey ?? 'drydock/simulator/secret/key/0000000000';
  }

  get endpoint(): string {
    if (!this.endpointUrl) throw new Error('simulator not started');
    return this.endpointUrl;
  }

  /** The next `count` requests (of `action`, if given) fail with RequestLimitExceeded. */
  throttle(count: number, action?: string): void {
    this.faults.push({ kind: 'throttle', remaining: count, ...(action ? { action } : {}) });
  }

  /** The next `count` requests (of `action`, if given) fail with a 500 InternalError. */
  serverErrors(count: number, action?: string): void {
    this.faults.push({ kind: 'server', remaining: count, ...(action ? { action } : {}) });
  }

  /** The next `count` calls of `action` fail with this EC2 error (400: not retried by SDKs). */
  failNext(action: string, code: string, message: string, status = 400, count = 1): void {
    this.faults.push({ kind: 'error', remaining: count, action, error: { status, code, message } });
  }

  /** Answer `action` only `ms` after doing it (0 to stop): a client can die between the two. */
  delayResponse(action: string, ms: number): void {
    if (ms > 0) this.delays.set(action, ms);
    else this.delays.delete(action);
  }

  /** The next snapshot created stops half way in state `error` with this message. */
  failNextSnapshot(message = 'Internal error: the snapshot could not be completed'): void {
    this.snapshotFaults.push(message);
  }

  /** The next `count` volumes created stay in `creating` for ever. */
  stickNextVolumes(count = 1): void {
    this.volumeFaults += count;
  }

  /** What GetConsoleOutput returns for this instance (cloud-init's log, with or without its host key block). */
  setConsoleOutput(instanceId: string, text: string): void {
    const i = this.world.instance(instanceId);
    if (!i) throw new Error(`no instance ${instanceId}`);
    i.consoleOutput = text;
    this.world.save();
  }

  /** The instance's system or instance status check fails (`impaired`), or both never finish (`initializing`); null puts it right. */
  impairStatus(instanceId: string, check: 'system' | 'instance' | 'initializing' | null): void {
    const i = this.world.instance(instanceId);
    if (!i) throw new Error(`no instance ${instanceId}`);
    if (check) i.impaired = check;
    else delete i.impaired;
    this.world.save();
  }

  calls(action: string): SimRequest[] {
    return this.requests.filter((r) => r.action === action && r.status === 200);
  }

  async start(): Promise<ReadyLine> {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    this.server = this.options.tls ? createHttps(this.options.tls, handler) : createHttp(handler);
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    const { address, port } = this.server.address() as AddressInfo;
    const host = address.includes(':') ? `[${address}]` : address;
    this.endpointUrl = `${this.options.tls ? 'https' : 'http'}://${host}:${port}`;
    return this.ready();
  }

  ready(): ReadyLine {
    return {
      endpoint: this.endpoint,
      region: this.region,
      accessKeyId: this.accessKeyId,
      secretAccessKey: this.secretAccessKey,
      instances: this.world.state.instances.map((i) => ({
        id: i.id,
        name: this.world.nameOf(i.tags) ?? '',
        privateIp: i.privateIp,
        rootVolumeId: this.world.volumesOf(i.id).find((v) => v.attachment!.device === i.rootDeviceName)?.id ?? '',
      })),
    };
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://sim');
    const params = parseParams(req.method === 'GET' ? url.search.slice(1) : body.toString('utf8'));
    const action = params.get('Action') ?? '';
    const send = (status: number, xml: string, delayMs = 0) => {
      this.requests.push({ time: Date.now(), action, status, params: Object.fromEntries(params) });
      const write = () => {
        res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8', 'content-length': Buffer.byteLength(xml) });
        res.end(xml);
      };
      if (delayMs) setTimeout(write, delayMs);
      else write();
    };
    if (url.pathname.startsWith('/_sim/')) return this.control(url, body, res);
    try {
      this.authenticate(req, url, body);
      const run = ACTIONS[action];
      if (!run) throw new Ec2Error(400, 'InvalidAction', `The action ${action || '(none)'} is not valid for this web service.`);
      if (params.get('Version') !== '2016-11-15') throw new Ec2Error(400, 'InvalidParameterValue', `Version ${params.get('Version')} is not supported`);
      this.injectFault(action);
      if (params.get('DryRun') === 'true') throw new Ec2Error(412, 'DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');
      this.world.tick();
      const ctx: ActionContext = {
        world: this.world,
        takeSnapshotFault: () => this.snapshotFaults.shift(),
        takeVolumeFault: () => this.volumeFaults > 0 && this.volumeFaults-- > 0,
      };
      const result = run(params, ctx);
      if (action === 'StartInstances') await this.boots(params);
      if (MUTATING.has(action)) this.world.save();
      send(200, response(action, result), this.delays.get(action));
      this.onAction?.(action, params);
    } catch (err) {
      if (err instanceof Ec2Error) send(err.status, errorXml(err.code, err.message));
      else send(500, errorXml('InternalError', `An internal error has occurred: ${(err as Error).message}`));
    }
  }

  private async boots(params: Params): Promise<void> {
    for (const [key, id] of params) {
      if (!/^InstanceId\.\d+$/.test(key)) continue;
      const i = this.world.instance(id);
      const root = i && this.world.rootVolumeOf(i);
      if (!i || !root || i.state !== 'pending' || root.id === i.bootedRoot) continue;
      const previous = i.bootedRoot;
      i.bootedRoot = root.id;
      await this.onBoot?.({ instanceId: i.id, name: this.world.nameOf(i.tags) ?? '', rootVolumeId: root.id, ...(previous ? { previousRootVolumeId: previous } : {}), ...(root.snapshotId ? { snapshotId: root.snapshotId } : {}) });
    }
  }

  private injectFault(action: string): void {
    const fault = this.faults.find((f) => f.remaining > 0 && (!f.action || f.action === action));
    if (!fault) return;
    fault.remaining--;
    this.faults = this.faults.filter((f) => f.remaining > 0);
    if (fault.kind === 'throttle') throw new Ec2Error(503, 'RequestLimitExceeded', 'Request limit exceeded.');
    if (fault.error) throw new Ec2Error(fault.error.status, fault.error.code, fault.error.message);
    throw new Ec2Error(500, 'InternalError', 'An internal error has occurred');
  }

  /**
   * SigV4 as EC2 checks it: algorithm, credential scope (known key, date,
   * region, service), signed headers including host and x-amz-date, and the
   * signature itself over the canonical request.
   */
  private authenticate(req: IncomingMessage, url: URL, body: Buffer): void {
    const auth = req.headers.authorization ?? '';
    const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([a-z0-9-]+)\/ec2\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m) throw new Ec2Error(401, 'AuthFailure', 'AWS was not able to validate the provided access credentials (no SigV4 Authorization header)');
    const [, keyId, date, region, signedHeaders, signature] = m;
    if (keyId !== this.accessKeyId) throw new Ec2Error(401, 'AuthFailure', 'AWS was not able to validate the provided access credentials');
    if (region !== this.region) throw new Ec2Error(401, 'AuthFailure', `Credential should be scoped to a valid region, not '${region}'`);
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    if (!/^\d{8}T\d{6}Z$/.test(amzDate) || !amzDate.startsWith(date)) throw new Ec2Error(401, 'AuthFailure', 'X-Amz-Date is missing or does not match the credential scope');
    const names = signedHeaders.split(';');
    if (!names.includes('host') || !names.includes('x-amz-date')) throw new Ec2Error(401, 'AuthFailure', 'SignedHeaders must include host and x-amz-date');
    const headerValue = (n: string) => {
      const v = req.headers[n];
      return (Array.isArray(v) ? v.join(',') : (v ?? '')).trim().replace(/\s+/g, ' ');
    };
    const query = [...url.searchParams].map(([k, v]) => [enc(k), enc(v)]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const canonical = [
      req.method ?? 'POST',
      url.pathname.split('/').map(enc).join('/') || '/',
      query.map(([k, v]) => `${k}=${v}`).join('&'),
      names.map((n) => `${n}:${headerValue(n)}\n`).join(''),
      signedHeaders,
      String(req.headers['x-amz-content-sha256'] ?? sha256(body)),
    ].join('\n');
    const scope = `${date}/${region}/ec2/aws4_request`;
    const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
    const key = ['ec2', 'aws4_request'].reduce((k, part) => hmac(k, part), hmac(hmac(`AWS4${this.secretAccessKey}`, date), region));
    if (hmac(key, toSign).toString('hex') !== signature) {
      throw new Ec2Error(401, 'AuthFailure', 'AWS was not able to validate the provided access credentials (signature does not match)');
    }
  }

  /** `POST /_sim/faults {"throttle":N,"serverErrors":N,"snapshotError":"msg","action":"X"}`, `GET /_sim/requests`: for the demo and manual checks. */
  private control(url: URL, body: Buffer, res: ServerResponse): void {
    const reply = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value) + '\n');
    };
    try {
      if (url.pathname === '/_sim/faults') {
        const f = JSON.parse(body.toString('utf8') || '{}') as { throttle?: number; serverErrors?: number; snapshotError?: string; stuckVolumes?: number; action?: string };
        if (f.stuckVolumes) this.stickNextVolumes(f.stuckVolumes);
        if (f.throttle) this.throttle(f.throttle, f.action);
        if (f.serverErrors) this.serverErrors(f.serverErrors, f.action);
        if (f.snapshotError) this.failNextSnapshot(f.snapshotError);
        return reply(200, { ok: true });
      }
      if (url.pathname === '/_sim/requests') return reply(200, this.requests.map(({ time, action, status }) => ({ time, action, status })));
      reply(404, { error: 'unknown control path' });
    } catch (err) {
      reply(400, { error: (err as Error).message });
    }
  }
}

function enc(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function tryLoad(file: string, region: string, speed: number, instances?: InstanceSpec[]): World {
  try {
    return World.load(file, region, speed);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return World.create(region, instances ?? DEFAULT_INSTANCES, speed, file);
  }
}
