import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

// dist/README.md is committed so that `//go:embed all:dist` (embed.go)
// compiles on a fresh clone; the build empties dist, so put it back.
const placeholder = `# web-map/dist

Sortie de \`vite build\` (\`deploy/web.sh\`, appelé par \`make run\` et \`make test\`),
embarquée dans le binaire par \`web-map/embed.go\`. Seul ce fichier est versionné :
sans build, le serveur répond 503 sur \`/\` (« front end not built: run make run »).
`;

function keepPlaceholder(): Plugin {
  return {
    name: 'atlas-keep-dist-placeholder',
    apply: 'build',
    closeBundle() {
      writeFileSync(fileURLToPath(new URL('./dist/README.md', import.meta.url)), placeholder);
    },
  };
}

export default defineConfig({
  base: '/',
  plugins: [keepPlaceholder()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
    target: 'es2022',
    // Two pages: the workshop map and the embeddable map (/embed), which
    // shares the map's modules and loads none of the workshop's.
    rolldownOptions: {
      input: {
        index: fileURLToPath(new URL('./index.html', import.meta.url)),
        embed: fileURLToPath(new URL('./embed.html', import.meta.url)),
      },
    },
  },
  server: {
    // ATLAS_DEV_API: another `atlas serve` than the default address.
    proxy: {
      '/api': process.env['ATLAS_DEV_API'] ?? 'http://127.0.0.1:8080',
      '/tiles': process.env['ATLAS_DEV_API'] ?? 'http://127.0.0.1:8080',
    },
  },
});
