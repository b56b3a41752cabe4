// A pass-through HTTP proxy in front of the Zuora emulator that timestamps every bulk credit memo PUT as it arrives
// and as it is answered, and counts how many are in flight: how the migration brake tests see when writes stop and
// what the in-flight peak is, without polling the emulator. It forwards everything unchanged (the emulator builds
// result-file links from the Host header, so those come through the proxy too).
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RecordedPut = { arrivedAt: number; answeredAt: number | null; inFlightOnArrival: number };

export type PutRecorder = {
  url: string;
  puts: RecordedPut[];
  inFlight(): number;
  /** Resolves once `ready()` holds, checked at each PUT arrival and answer (and at once). */
  until(ready: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
};

export async function startPutRecorder(target: string): Promise<PutRecorder> {
  const to = new URL(target);
  const puts: RecordedPut[] = [];
  let inFlight = 0;
  const waiters = new Set<() => void>();
  const changed = () => {
    for (const w of [...waiters]) w();
  };
  const server: Server = createServer((req, res) => {
    const isBulkPut = req.method === 'PUT' && /\/credit-?memos\/bulk/.test(req.url ?? '');
    let put: RecordedPut | undefined;
    if (isBulkPut) {
      inFlight++;
      put = { arrivedAt: Date.now(), answeredAt: null, inFlightOnArrival: inFlight };
      puts.push(put);
      changed();
    }
    const done = () => {
      if (!put || put.answeredAt !== null) return;
      put.answeredAt = Date.now();
      inFlight--;
      changed();
    };
    const upstream = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', done);
        answer.on('error', done);
      },
    );
    upstream.on('error', (err) => {
      done();
      res.destroy(err);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    puts,
    inFlight: () => inFlight,
    until: (ready, what, timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!ready()) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${puts.length} PUTs seen)`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
