// The gate of a lease holder (src/http/lease-gate.ts): 0 slots hold every request, a lowered cap is acknowledged only
// once the requests in flight are within it, and inside withLeaseGates the process-wide RequestGate sends each
// request through the lease's gate first, so two activities of one process each count their own.
import { LeaseGate, withLeaseGates } from '../../src/http/lease-gate';
import { RequestGate } from '../../src/http/request-gate';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

it('holds every request at 0 slots and lets them through as the cap rises', async () => {
  const gate = new LeaseGate();
  const started: number[] = [];
  const release = [deferred(), deferred(), deferred()];
  const runs = [0, 1, 2].map((i) =>
    gate.run(async () => {
      started.push(i);
      await release[i]!.promise;
    }),
  );
  await Promise.resolve();
  expect(started).toEqual([]);
  gate.setCap(2);
  await new Promise((r) => setImmediate(r));
  expect(started).toEqual([0, 1]);
  // Lowered to 1: the acknowledgement waits until only one request is in flight.
  gate.setCap(1);
  let drained = false;
  const drain = gate.inFlightAtMost(1).then(() => (drained = true));
  await new Promise((r) => setImmediate(r));
  expect(drained).toBe(false);
  release[0]!.resolve();
  await drain;
  expect(started).toEqual([0, 1]); // the third still waits: one in flight is the cap
  release[1]!.resolve();
  await new Promise((r) => setImmediate(r));
  expect(started).toEqual([0, 1, 2]);
  release[2]!.resolve();
  await Promise.all(runs);
  expect(gate.stats()).toMatchObject({ inFlight: 0, queued: 0, peak: 2 });
});

it('puts each activity’s lease gate in front of the shared process gate', async () => {
  const processGate = new RequestGate({ maxInFlight: 32 });
  const a = new LeaseGate();
  const b = new LeaseGate();
  a.setCap(1);
  b.setCap(2);
  const hold = deferred();
  const work = () => processGate.run(() => hold.promise);
  const inA = withLeaseGates(new Map([[processGate, a]]), () => Promise.all([work(), work(), work()]));
  const inB = withLeaseGates(new Map([[processGate, b]]), () => Promise.all([work(), work(), work()]));
  await new Promise((r) => setImmediate(r));
  expect([a.stats().inFlight, b.stats().inFlight, processGate.stats().inFlight]).toEqual([1, 2, 3]);
  hold.resolve();
  await Promise.all([inA, inB]);
  expect(processGate.stats().maxObservedInFlight).toBe(3);
});
