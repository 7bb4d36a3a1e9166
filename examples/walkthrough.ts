// `npm start`: the four stop-a-thread programs of the tutorial skein
// implements, then the idiomatic form, each under a one-line heading. Each
// runs as its own program, exactly as `node --import tsx examples/<file>`.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const steps: [string, string][] = [
  ['01-thread-function.ts', 'A thread running a function'],
  ['02-stop-thread-function.ts', 'The same function, stopped on demand with an Event'],
  ['03-thread-subclass.ts', 'A Thread subclass'],
  ['04-stop-thread-subclass.ts', 'The subclass, stopped on demand'],
  ['05-interruptible-wait.ts', 'The idiomatic form: event.wait(1000) as an interruptible sleep'],
];

for (const [index, [file, title]] of steps.entries()) {
  console.log(`${index === 0 ? '' : '\n'}== ${index + 1}. ${title} (examples/${file}) ==`);
  const program = fileURLToPath(new URL(file, import.meta.url));
  const { status } = spawnSync(process.execPath, ['--import', 'tsx', program], { stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
}
