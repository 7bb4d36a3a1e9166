// The page: the seed's "stop a thread with an Event", on a module Web Worker.
import { Event, encodeMessage } from 'skein';

const out = document.querySelector('#out');
const stopButton = document.querySelector('#stop');
const print = (line) => {
  out.textContent += `${line}\n`;
};

const event = new Event();
// Vite bundles the worker (and skein's browser build with it) from this URL.
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
worker.onmessage = ({ data }) => {
  if (data.line !== undefined) print(data.line);
  if (data.done) {
    worker.terminate();
    stopButton.disabled = true;
  }
};
worker.postMessage(encodeMessage({ event }));
stopButton.disabled = false;
stopButton.onclick = () => {
  print('Main stopping thread');
  event.set();
};
