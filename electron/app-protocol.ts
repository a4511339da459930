/**
 * The renderer is served from `app://drydock/…`, a custom scheme registered
 * as standard and secure, instead of file://. Then:
 * - the page has a real origin, so 'self' in the CSP means the app's own
 *   files and nothing else on the disk;
 * - the grantFileProtocolExtraPrivileges fuse can be off (file:// pages get
 *   no privileges beyond a browser's);
 * - every response carries the strict CSP as a header (a <meta> policy cannot
 *   express frame-ancestors, and a header is applied before any byte runs).
 *
 * `rendererResponse` is the whole handler as a pure function over a file
 * reader, so it is tested without Electron; main.ts wraps it in
 * protocol.handle. Nothing here imports 'electron' at run time.
 */
import { realpathSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CustomScheme } from 'electron';
import { CONTENT_TYPES } from './content-types';

export const APP_SCHEME = 'app';
export const APP_HOST = 'drydock';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/**
 * standard: a real origin and relative URLs that resolve like http's;
 * secure: a secure context, like https. supportFetchAPI and corsEnabled let
 * Chromium load the bundle's `<script type="module" crossorigin>` from it.
 * No service workers, no bypassing CSP, no streaming.
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, bypassCSP: false, allowServiceWorkers: false, stream: false },
};

/**
 * The Electron window's policy. The renderer talks to the engine over IPC
 * only, so it needs no network at all: `connect-src 'none'` (browser mode
 * has its own policy, with `connect-src 'self'`, in electron/serve.ts).
 */
export const RENDERER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');


export interface RendererResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

export interface FileReader {
  /** Real path (symlinks resolved), or null when absent. */
  realpath(file: string): string | null;
  read(file: string): Buffer;
}

export const diskReader: FileReader = {
  realpath: (file) => {
    try {
      return realpathSync(file);
    } catch {
      return null;
    }
  },
  read: (file) => readFileSync(file),
};

/** Headers every response of the scheme carries, errors included. */
function headers(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': RENDERER_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };
}

function refuse(status: number, message: string): RendererResponse {
  return { status, headers: headers('text/plain; charset=utf-8'), body: message };
}

/**
 * Answer one request of the app:// scheme: a file of the built renderer
 * (dist/renderer), found by path only, never outside that folder (`..`,
 * encoded separators and symlinks that lead out are refused), GET only.
 */
export function rendererResponse(rendererDir: string, request: { url: string; method: string }, reader: FileReader = diskReader): RendererResponse {
  if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'GET only');
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return refuse(400, 'bad URL');
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return refuse(404, 'not part of the app');
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return refuse(400, 'bad URL');
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return refuse(400, 'bad path');
  const rel = pathname === '/' ? 'index.html' : pathname.replace(/^\/+/, '');
  const root = reader.realpath(path.resolve(rendererDir));
  if (!root) return refuse(404, 'renderer not built: run npm run build');
  const file = reader.realpath(path.resolve(root, rel));
  if (!file || (file !== root && !file.startsWith(root + path.sep))) return refuse(404, 'not found');
  let body: Buffer;
  try {
    body = reader.read(file);
  } catch {
    return refuse(404, 'not found');
  }
  return { status: 200, headers: headers(CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream'), body: request.method === 'HEAD' ? '' : body };
}
