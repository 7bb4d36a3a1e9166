// An inline target that runs a pool of its own: its workers start, as the page's do, from skein's worker entry
// that Vite bundled. This module imports nothing from skein on purpose: `ThreadPoolExecutor` here is the name
// the thread has in scope (skein's exports are, in an inline target), which a bundler would rename if this
// module imported it (see README.md, "Targets in a bundled app").
export async function tensInAPool(numbers) {
  const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
  try {
    return await Promise.all(numbers.map((n) => pool.submit((x) => x * 10, n).result()));
  } finally {
    await pool.shutdown();
  }
}
