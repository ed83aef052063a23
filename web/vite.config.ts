import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'
import { precompress } from './precompress.ts'

// Built into dist/web, which the Node server serves at `/`; `/api` stays the API. The manifest tells the
// server which chunks a page needs, so it names them in the page (src/entry/web-app.ts).
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), precompress()],
  build: { outDir: '../dist/web', emptyOutDir: true, manifest: true, chunkSizeWarningLimit: 1500 },
  server: { proxy: { '/api': 'http://localhost:3000', '/media': 'http://localhost:3000' } },
})
