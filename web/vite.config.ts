import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'
import { precompress } from './precompress.ts'

// Built into dist/web, which the Node server serves at `/`; `/api` stays the API. The manifest tells the
// server which chunks a page needs, so it names them in the page (src/entry/web-app.ts).
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), precompress()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    manifest: true,
    chunkSizeWarningLimit: 1500,
    // A phone on a slow network pays a round trip per file: the Mantine components and icons the app uses, and
    // the app's components that several pages share, come as one file each instead of dozens of small ones
    // (npm run lighthouse: the course player 87 → 90, median of five).
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'ui', test: /node_modules[\\/](@mantine[\\/](core|hooks)|@tabler[\\/]icons-react)[\\/]/ },
            { name: 'shared', test: /[\\/]web[\\/](components|hooks)[\\/]/, minShareCount: 2 },
          ],
        },
      },
    },
  },
  server: { proxy: { '/api': 'http://localhost:3000', '/media': 'http://localhost:3000' } },
})
