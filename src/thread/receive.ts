/**
 * Taking a message from a port synchronously, when the other end is a
 * thread running user code. V8 can serialize values it then cannot
 * deserialize (an error whose `cause` leads back to it, for one — skein
 * sends errors through its codec, but a port can carry anything), and
 * `receiveMessageOnPort` throws for such a message: here it is reported,
 * and the messages after it still arrive.
 */
import type { MessagePort } from 'node:worker_threads';
import { receiveMessageOnPort } from '../host.js';

/** What {@link receive} took from the port. */
export type Received = { message: unknown } | { failed: unknown };

/**
 * The next message in `port`, or why it could not be read; undefined once
 * the port is empty. Never throws.
 */
export function receive(port: MessagePort): Received | undefined {
  try {
    return receiveMessageOnPort(port);
  } catch (error) {
    return { failed: error };
  }
}
