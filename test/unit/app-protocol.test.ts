/**
 * Issue 7 item 19: the Electron renderer is served by the app:// scheme
 * handler, a pure function tested here on a real folder: the strict CSP
 * (connect-src 'none', frame-ancestors 'none') is a response header on every
 * response, errors included, and nothing outside dist/renderer is served.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_INDEX_URL, APP_SCHEME_PRIVILEGES, RENDERER_CSP, rendererResponse } from '../../electron/app-protocol';
import { BROWSER_CSP } from '../../electron/serve';

let root: string;
let renderer: string;
const get = (url: string, method = 'GET') => rendererResponse(renderer, { url, method });

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'drydock-app-protocol-'));
  renderer = path.join(root, 'dist', 'renderer');
  mkdirSync(path.join(renderer, 'assets'), { recursive: true });
  writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>Drydock</title>');
  writeFileSync(path.join(renderer, 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(path.join(renderer, 'assets', 'index-abc.css'), 'body{}');
  writeFileSync(path.join(root, 'dist', 'secret.txt'), 'outside the renderer');
  symlinkSync(path.join(root, 'dist', 'secret.txt'), path.join(renderer, 'assets', 'link.js'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('app:// scheme', () => {
  it('is registered standard and secure, without bypassing CSP', () => {
    expect(APP_SCHEME_PRIVILEGES.scheme).toBe('app');
    expect(APP_SCHEME_PRIVILEGES.privileges).toMatchObject({ standard: true, secure: true, bypassCSP: false, allowServiceWorkers: false });
  });

  it('serves index.html and assets with the strict CSP header and their content type', () => {
    const index = get(APP_INDEX_URL);
    expect(index.status).toBe(200);
    expect(String(index.body)).toContain('<title>Drydock</title>');
    expect(index.headers).toMatchObject({ 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': RENDERER_CSP, 'X-Content-Type-Options': 'nosniff' });
    expect(get('app://drydock/assets/index-abc.js').headers['Content-Type']).toBe('text/javascript; charset=utf-8');
    expect(get('app://drydock/assets/index-abc.css').headers['Content-Type']).toBe('text/css; charset=utf-8');
    expect(get('app://drydock/').status).toBe(200);
  });

  it("uses the Electron policy: connect-src 'none' and frame-ancestors 'none', unlike browser mode", () => {
    const csp = get(APP_INDEX_URL).headers['Content-Security-Policy'];
    expect(csp).toContain("connect-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-|https?:|\*/);
    expect(BROWSER_CSP).toContain("connect-src 'self'");
  });

  it.each([
    ['a path outside the renderer', 'app://drydock/../secret.txt'],
    ['an encoded ..', 'app://drydock/%2e%2e/secret.txt'],
    ['an encoded separator', 'app://drydock/..%2fsecret.txt'],
    ['a symlink that leads out', 'app://drydock/assets/link.js'],
    ['a missing file', 'app://drydock/nope.js'],
    ['a folder', 'app://drydock/assets'],
    ['another host', 'app://evil/index.html'],
    ['another scheme', 'file:///etc/passwd'],
    ['a backslash', 'app://drydock/assets\\..\\..\\secret.txt'],
  ])('refuses %s, still with the CSP header', (_what, url) => {
    const res = get(url);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(String(res.body)).not.toContain('outside the renderer');
    expect(res.headers['Content-Security-Policy']).toBe(RENDERER_CSP);
  });

  it('answers GET and HEAD only', () => {
    expect(get(APP_INDEX_URL, 'POST').status).toBe(405);
    expect(get(APP_INDEX_URL, 'HEAD')).toMatchObject({ status: 200, body: '' });
  });
});
