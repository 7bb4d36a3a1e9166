// A pool task reports its progress through a Queue, and the main thread
// draws a progress bar from it. The task puts a fraction after each step
// and shuts the queue down when it ends — finished or failed — which ends
// the main thread's `for await`.
//
// Run it: node --import tsx examples/progress.ts [steps]
import { Queue, ThreadPoolExecutor, sleepSync } from 'skein';

const steps = Number(process.argv[2] ?? 40);

/** The task: `steps` steps of work, reporting the fraction done after each. */
function crunch(progress: Queue<number>, steps: number): number {
  let sum = 0;
  try {
    for (let step = 1; step <= steps; step++) {
      sleepSync(25); // ... one step of work ...
      sum += step;
      progress.put(step / steps);
    }
    return sum;
  } finally {
    progress.shutdown(); // no more progress: the bar's loop ends
  }
}

/** `[########            ]  40%` */
function bar(fraction: number, width = 30): string {
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}%`;
}

await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
const progress = new Queue<number>();
const result = pool.submit(crunch, progress, steps);

// On a terminal, redraw one line; into a pipe or a file, a line per update.
const redraw = process.stdout.isTTY === true;
for await (const fraction of progress) {
  process.stdout.write(redraw ? `\r${bar(fraction)}` : `${bar(fraction)}\n`);
}
if (redraw) process.stdout.write('\n');
console.log(`done: the sum of 1…${steps} is ${await result}`);
