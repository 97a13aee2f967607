import { defineConfig } from 'vite';

// The <livedrop-upload> element (web/embed/) as one self-contained ES module, dist/embed/livedrop-upload.js,
// which the server sends at /embed/livedrop-upload.js to any origin (docs/embedding.md).
export default defineConfig({
  publicDir: false,
  build: {
    lib: {
      entry: 'web/embed/livedrop-upload.ts',
      formats: ['es'],
      fileName: () => 'livedrop-upload.js',
    },
    outDir: 'dist/embed',
    emptyOutDir: true,
    target: 'es2022',
    minify: true,
    // Library mode keeps ES output readable by default; this module is shipped to browsers as is.
    rolldownOptions: { output: { minify: true } },
  },
});
