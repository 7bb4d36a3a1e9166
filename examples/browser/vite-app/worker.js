// The worker: the seed's task, stepping until it is stopped (the seed's takes five steps at most).
// It blocks in sleepSync (a worker may block): only the shared-memory Event can reach it.
import { decodeMessage, sleepSync } from 'skein';

const print = (line) => self.postMessage({ line });

function task(event) {
  for (;;) {
    sleepSync(1000);
    if (event.isSet()) break;
    print('Worker thread running...');
  }
  print('Worker closing down');
}

self.onmessage = async ({ data }) => {
  const { event } = await decodeMessage(data);
  task(event);
  self.postMessage({ done: true });
};
