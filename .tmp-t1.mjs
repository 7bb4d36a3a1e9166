import { Thread, setStandbyThreads } from 'skein';
setStandbyThreads(0);
const t = new Thread({ target: () => 42 });
t.start();
await t.join();
console.log(t.result, t.exception);
