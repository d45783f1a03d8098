import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// During `npm run dev` the control panel runs on Vite's server while the API lives in the Go server;
// proxying /api keeps every call same-origin, exactly as in the embedded build.
const backend = process.env.VALET_URL ?? 'http://127.0.0.1:8765';

export default defineConfig({
  plugins: [svelte()],
  server: { proxy: { '/api': backend, '/fhir': backend } },
  build: { outDir: 'dist', emptyOutDir: true, assetsDir: 'assets' },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
