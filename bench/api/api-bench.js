// OpenAPI throughput through the official DirectMail SDK: N SingleSendMail calls with C in
// flight, each acknowledged only after the message is on disk. Prints one JSON line of figures.
// usage: node api-bench.js ENDPOINT KEY_ID SECRET SENDER N C [v3|v2]
// The SDK comes from tests/integration/sdk (npm ci --prefix tests/integration/sdk).
'use strict';
const path = require('path');
module.paths.unshift(path.join(__dirname, '..', '..', 'tests', 'integration', 'sdk', 'node_modules'));
const Dm = require('@alicloud/dm20151123');
const { $OpenApiUtil } = require('@alicloud/openapi-core');

async function main() {
  const [endpoint, id, secret, sender, nText, cText, sig] = process.argv.slice(2);
  const n = Number(nText), c = Number(cText);
  const config = new $OpenApiUtil.Config({ accessKeyId: id, accessKeySecret: secret, endpoint, protocol: 'HTTP',
                                           readTimeout: 60000, maxIdleConns: c });
  if (sig === 'v2') config.signatureAlgorithm = 'v2';
  const client = new Dm.default(config);
  const body = 'x'.repeat(4000);
  const latencies = [];
  let next = 0, failed = 0;
  const started = process.hrtime.bigint();
  async function worker() {
    for (;;) {
      const i = next++;
      if (i >= n) return;
      const t0 = process.hrtime.bigint();
      try {
        await client.singleSendMail(new Dm.SingleSendMailRequest({
          accountName: sender, addressType: 1, replyToAddress: false, toAddress: `r${i % 1000}@bench.test`,
          subject: `bench ${i}`, textBody: body }));
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      } catch (e) {
        failed++;
        if (failed < 5) console.error(e.code, e.message);
      }
    }
  }
  await Promise.all(Array.from({ length: c }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] : 0;
  console.log(JSON.stringify({ calls: n, concurrency: c, signature: sig || 'v3', ok: latencies.length, failed,
                               seconds: +seconds.toFixed(2), per_second: +(latencies.length / seconds).toFixed(0),
                               p50_ms: +q(0.5).toFixed(2), p99_ms: +q(0.99).toFixed(2) }));
}
main();
