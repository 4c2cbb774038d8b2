/** Every topic's entry, keyed by id: the Record type makes a missing topic a type error. */
import type { TopicId, TopicSource } from '../types.js';
import { ACCEPT_QUEUE_OVERFLOW } from './accept-queue.js';
import { CLOSE_WAIT_LEAK } from './close-wait-leak.js';
import { EADDRINUSE } from './eaddrinuse.js';
import { FOLKLORE } from './folklore.js';
import { HALF_OPEN } from './half-open.js';
import { PORT_EXHAUSTION } from './port-exhaustion.js';
import { SYN_FLOOD } from './syn-flood.js';
import { TIME_WAIT_TOPIC } from './time-wait.js';

/** The source of each topic. */
export const TOPIC_SOURCES: Readonly<Record<TopicId, TopicSource>> = {
  'syn-flood': SYN_FLOOD,
  'accept-queue-overflow': ACCEPT_QUEUE_OVERFLOW,
  'half-open': HALF_OPEN,
  'close-wait-leak': CLOSE_WAIT_LEAK,
  'time-wait': TIME_WAIT_TOPIC,
  eaddrinuse: EADDRINUSE,
  'port-exhaustion': PORT_EXHAUSTION,
  folklore: FOLKLORE,
};
