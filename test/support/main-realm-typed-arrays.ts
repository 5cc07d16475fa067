import { deserialize, serialize } from 'node:v8';

/*
 * jest runs each test file in its own realm, whose Float32Array is not the one the native
 * onnxruntime binding creates, so onnxruntime-common's `instanceof` check rejects the model's
 * output ("A float32 tensor's data must be type of function Float32Array"). Node's own
 * v8.deserialize builds typed arrays in the main realm: install those constructors in the test
 * realm before anything loads onnxruntime (a setup file runs before every test file).
 */
for (const sample of [new Float32Array(0), new BigInt64Array(0)]) {
  const mainRealmConstructor = (deserialize(serialize(sample)) as object).constructor;
  Object.assign(globalThis, { [sample.constructor.name]: mainRealmConstructor });
}
