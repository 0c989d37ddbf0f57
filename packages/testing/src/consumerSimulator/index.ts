/**
 * The consumer simulator: the people behind the threads, answering opt-ins and
 * calling, and Meta's webhook delivery to the host, faults included.
 */
export * from './createConsumerSimulator.js';
export * from './ConsumerAnswer.js';
export * from './CalleeAnswer.js';
export * from './DeliveryFaults.js';
export * from './DeliveryQueue.js';
