// A module target for skein's pool. Vite copies this file as it is (or inlines it as a data: URL when it is
// small): it is not bundled, so it imports nothing by a bare name — not even `skein` (see README.md).
export function cube(n) {
  return n * n * n;
}
