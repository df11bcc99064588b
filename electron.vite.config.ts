import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

const root = dirname(fileURLToPath(import.meta.url));

// Three bundles: the Electron main process (plus the `desk` CLI, which carries the browser host),
// the sandboxed preload (CommonJS, as sandboxed preloads must be), and the React renderer.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      externalizeDeps: true,
      rolldownOptions: {
        input: {
          index: resolve(root, 'electron/main/index.ts'),
          cli: resolve(root, 'electron/cli/index.ts'),
          // The HR import's reader thread (electron/core/hr/reader.ts finds it beside these).
          'hr-read-worker': resolve(root, 'electron/core/hr/read-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rolldownOptions: {
        input: { index: resolve(root, 'electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    base: './',
    build: {
      outDir: resolve(root, 'out/renderer'),
      emptyOutDir: true,
      minify: true,
      rolldownOptions: {
        input: { index: resolve(root, 'renderer/index.html') },
        output: {
          // Screens are loaded when first opened (React.lazy); the libraries every screen shares get
          // chunks of their own (cached across screens, each well under 500 kB), and the charts
          // library only ever loads with the Audit screen. A group also takes what its modules
          // import, so the small helpers the charts share with the first screen (React's external
          // store shim, react-is, clsx) are claimed first by the React group.
          codeSplitting: {
            groups: [
              { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|use-sync-external-store|react-is|clsx)[\\/]/, priority: 30 },
              { name: 'charts', test: /node_modules[\\/](recharts|@mantine[\\/]charts|d3-[a-z-]+|victory-vendor|es-toolkit|decimal\.js-light|@reduxjs|redux|immer|reselect|react-redux|eventemitter3)[\\/]/, priority: 25 },
              { name: 'mantine', priority: 28, test: /node_modules[\\/](@mantine[\\/](core|hooks|notifications)|@floating-ui|react-remove-scroll|react-remove-scroll-bar|react-style-singleton|use-callback-ref|use-sidecar|get-nonce|tslib|react-number-format|clsx|type-fest)[\\/]/ },
              { name: 'dates', test: /node_modules[\\/](@mantine[\\/]dates|dayjs)[\\/]/, priority: 27 },
              { name: 'zod', test: /node_modules[\\/]zod[\\/]/, priority: 27 },
              { name: 'query', test: /node_modules[\\/]@tanstack[\\/](query-core|react-query)[\\/]/, priority: 27 },
              { name: 'table', test: /node_modules[\\/]@tanstack[\\/](table-core|react-table|virtual-core|react-virtual)[\\/]/, priority: 27 },
            ],
          },
        },
      },
    },
    plugins: [react()],
  },
});
