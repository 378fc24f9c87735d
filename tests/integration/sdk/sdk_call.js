// Calls one action through the official DirectMail SDK (@alicloud/dm20151123) and prints the
// outcome as one JSON line: {"ok":true,"body":{...}} or {"ok":false,"code","message","status"}.
// usage: node sdk_call.js '{"endpoint":"127.0.0.1:8080","id":"..","secret":"..",
//                          "signature":"v3"|"v2","action":"singleSendMail","request":{...},
//                          "protocol":"HTTP"|"default"}'
// protocol "default" leaves the SDK's own default (HTTPS); trust a private CA with NODE_EXTRA_CA_CERTS.
'use strict';
const Dm = require('@alicloud/dm20151123');
const { $OpenApiUtil } = require('@alicloud/openapi-core');

async function main() {
  const spec = JSON.parse(process.argv[2]);
  const config = new $OpenApiUtil.Config({
    accessKeyId: spec.id,
    accessKeySecret: spec.secret,
    endpoint: spec.endpoint,
    ...(spec.protocol === 'default' ? {} : { protocol: spec.protocol || 'HTTP' }),
    regionId: 'cn-hangzhou',
    readTimeout: 30000,
    connectTimeout: 5000,
  });
  if (spec.signature === 'v2') config.signatureAlgorithm = 'v2'; // the older RPC HMAC-SHA1
  const client = new Dm.default(config);
  const requestClass = spec.action.charAt(0).toUpperCase() + spec.action.slice(1) + 'Request';
  // Actions without parameters (getUser) have no request class and take no argument.
  const args = Dm[requestClass] ? [new Dm[requestClass](spec.request || {})] : [];
  try {
    const res = await client[spec.action](...args);
    console.log(JSON.stringify({ ok: true, status: res.statusCode, body: res.body }));
  } catch (e) {
    console.log(JSON.stringify({ ok: false, status: e.statusCode, code: e.code, message: e.message, data: e.data }));
  }
}
main();
