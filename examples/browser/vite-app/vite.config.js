// Shared memory needs cross-origin isolation: the dev server and `vite preview` send the two headers.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default {
  worker: { format: 'es' },
  server: { headers: isolation },
  preview: { headers: isolation },
};
