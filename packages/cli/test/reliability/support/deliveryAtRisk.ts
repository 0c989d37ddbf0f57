import type { ConsumerSimulator } from '@callperm/testing';

/**
 * Whether some webhook delivery has failed `failures` times without ever getting
 * through. Meta retries a delivery 7 times over an hour and then gives up; a test
 * that kills hosts arms no kill while one is at risk, so it never makes Meta drop
 * a delivery (that would test Meta's patience, not the host).
 *
 * @example
 * if (!deliveryAtRisk(sim.attempts, 4)) kills.maybeArm(step);
 */
export const deliveryAtRisk = (attempts: ConsumerSimulator['attempts'], failures: number): boolean => {
  const failed = new Map<number, number>();
  const through = new Set<number>();
  for (const a of attempts) {
    if (typeof a.outcome.status === 'number' && a.outcome.status >= 200 && a.outcome.status < 300) through.add(a.delivery);
    else failed.set(a.delivery, (failed.get(a.delivery) ?? 0) + 1);
  }
  return [...failed].some(([delivery, n]) => n >= failures && !through.has(delivery));
};
