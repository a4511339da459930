/**
 * Builds the renderer for both transports: Electron serves it from
 * app://drydock/ (electron/app-protocol.ts) and browser mode over HTTP; the
 * asset paths are relative so either root works. The page runs under `script-src 'self'; style-src 'self'`, so the
 * build must emit only external scripts and stylesheets: no inline code, no
 * data: fonts, no source maps shipped to admins' laptops.
 */
import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: path.resolve(__dirname, 'renderer'),
  base: './',
  plugins: [react()],
  build: {
    outDir: path.resolve(__dirname, 'dist/renderer'),
    emptyOutDir: true,
    sourcemap: false,
    // Inlined assets become data: URIs, which font-src 'self' would refuse.
    assetsInlineLimit: 0,
    target: 'chrome120',
  },
});
