import { computeBackoff, sleep } from '../../src/http/backoff';
import { RequestGate } from '../../src/http/request-gate';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('RequestGate', () => {
  it('takes a new maxInFlight live: raised, waiters start at once; lowered, no new start until below it', async () => {
    const gate = new RequestGate({ maxInFlight: 2 });
    const releases = Array.from({ length: 6 }, () => deferred());
    const started: number[] = [];
    const runs = releases.map((d, i) =>
      gate.run(async () => {
        started.push(i);
        await d.promise;
      }),
    );
    const settle = () => new Promise((r) => setImmediate(r));
    await settle();
    expect(started).toEqual([0, 1]);
    gate.setMaxInFlight(4);
    await settle();
    expect(started).toEqual([0, 1, 2, 3]);
    gate.setMaxInFlight(1);
    releases[0]!.resolve();
    releases[1]!.resolve();
    releases[2]!.resolve();
    await settle();
    expect(started).toEqual([0, 1, 2, 3]); // 3 still runs: 1 in flight is the new budget
    releases[3]!.resolve();
    await settle();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(gate.stats().inFlight).toBe(1);
    expect(() => gate.setMaxInFlight(0)).toThrow(/maxInFlight must be a positive integer, got 0/);
    releases.forEach((d) => d.resolve());
    await Promise.all(runs);
    expect(gate.stats()).toMatchObject({ inFlight: 0, queued: 0, maxObservedInFlight: 4 });
  });

  it('never runs more than maxInFlight callbacks at once and serves waiters in order', async () => {
    const gate = new RequestGate({ maxInFlight: 2 });
    const releases = Array.from({ length: 5 }, () => deferred());
    const started: number[] = [];
    const runs = releases.map((d, i) =>
      gate.run(async () => {
        started.push(i);
        await d.promise;
        return i;
      }),
    );
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1]);
    expect(gate.stats()).toMatchObject({ inFlight: 2, queued: 3 });
    releases.forEach((d) => d.resolve());
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(gate.stats()).toMatchObject({ inFlight: 0, maxObservedInFlight: 2, waits: 3 });
  });

  it('pauseFor holds every request that has not started yet, tenant-wide', async () => {
    let now = 1_000;
    const gate = new RequestGate({ maxInFlight: 4, now: () => now });
    gate.pauseFor(50);
    let ran = 0;
    const runs = [1, 2, 3].map(() => gate.run(async () => ++ran));
    await new Promise((r) => setImmediate(r));
    expect(ran).toBe(0); // all three held by the shared pause
    now += 50; // the pause is over on the injected clock; the gate's own timer wakes them
    await Promise.all(runs);
    expect(ran).toBe(3);
    expect(gate.stats().throttledMs).toBe(50);
  });

  it('overlapping pauses extend but never shorten the window, counted once', () => {
    let now = 0;
    const gate = new RequestGate({ maxInFlight: 1, now: () => now });
    gate.pauseFor(100);
    gate.pauseFor(40); // inside the current window: no change
    now = 50;
    gate.pauseFor(100); // extends to 150
    expect(gate.stats().throttledMs).toBe(150);
  });

  it('releases the slot when the callback throws', async () => {
    const gate = new RequestGate({ maxInFlight: 1 });
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(gate.run(() => Promise.resolve('ok'))).resolves.toBe('ok');
    expect(gate.stats().inFlight).toBe(0);
  });

  it('rejects a non-positive budget', () => {
    expect(() => new RequestGate({ maxInFlight: 0 })).toThrow(RangeError);
  });
});

describe('computeBackoff / sleep', () => {
  it('draws full jitter below the exponential ceiling and the cap', () => {
    expect(computeBackoff(0, { baseMs: 100, maxMs: 10_000, random: () => 0.999 })).toBe(99);
    expect(computeBackoff(3, { baseMs: 100, maxMs: 10_000, random: () => 0.5 })).toBe(400);
    expect(computeBackoff(20, { baseMs: 100, maxMs: 10_000, random: () => 0.999 })).toBe(9990);
    expect(computeBackoff(5, { baseMs: 100, maxMs: 10_000, random: () => 0 })).toBe(0);
  });

  it('sleep rejects as soon as its signal aborts', async () => {
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(pending).rejects.toThrow('cancelled');
  });
});
