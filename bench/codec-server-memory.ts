// Memory the codec server spends on one /decode request of ~8 MB of encrypted payloads (issue 16, point 6).
// The server runs in this process; the request body is built before the baseline is taken. Peak RSS is the
// process's maxRSS after the request (resourceUsage), so run each shape in its own process:
//   npm run build && node dist/bench/codec-server-memory.js --payloads 8      (8 payloads of ~1 MB)
//   npm run build && node dist/bench/codec-server-memory.js --payloads 8000   (8000 payloads of ~1 KB)
import { randomBytes } from 'node:crypto';
import { AesGcmPayloadCodec } from '../src/codec/aes-gcm-codec';
import { startCodecServer } from '../src/codec/codec-server';
import { payloadToJson } from '../src/codec/payload-json';
import { Secret } from '../src/config';
import { numberArg } from './harness';

async function main(): Promise<void> {
  const count = numberArg('payloads', 8);
  const totalBytes = numberArg('bytes', 7.5 * 1024 * 1024);
  const token = randomBytes(24).toString('hex');
  const codec = new AesGcmPayloadCodec({ keys: new Map([['k1', randomBytes(32)]]), currentKeyId: 'k1' });
  // Base64 grows data by 4/3: size the plaintext so the JSON body is about `totalBytes`.
  const each = Math.floor((totalBytes * 3) / 4 / count);
  const plain = Array.from({ length: count }, () => ({
    metadata: { encoding: Buffer.from('binary/plain') },
    data: randomBytes(each),
  }));
  const body = Buffer.from(JSON.stringify({ payloads: (await codec.encode(plain)).map(payloadToJson) }));
  const server = await startCodecServer({ codec, token: new Secret(token), corsOrigins: [], port: 0 });
  global.gc?.();
  const before = process.memoryUsage();
  const maxBefore = process.resourceUsage().maxRSS * 1024;
  const res = await fetch(`${server.url}/decode`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body,
  });
  const answer = await res.arrayBuffer();
  const peak = process.resourceUsage().maxRSS * 1024;
  await server.stop();
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  console.log(
    JSON.stringify({
      payloads: count,
      bodyMB: mb(body.length),
      status: res.status,
      answerMB: mb(answer.byteLength),
      rssBeforeMB: mb(before.rss),
      peakRssMB: mb(Math.max(peak, maxBefore)),
      peakRssGrowthMB: mb(Math.max(0, peak - before.rss)),
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
