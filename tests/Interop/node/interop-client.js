#!/usr/bin/env node
// Interop client for the Woodpecker gRPC API, written against the .proto files only (no generated code, no .NET).
// It proves that any language's gRPC stack can use the service: create a log, tail it, append to it through a
// writer session, check positions and payloads end to end, and check the error contract (status + wp-error-code).
//
// Usage (from the repository root):
//   node tests/Interop/node/interop-client.js --address 127.0.0.1:7400 --log interop-1 --count 50
//
// Output: exactly one line of JSON on stdout, at the end:
//   {"ok":true,"appended":N,"tailed":N,"lastPosition":{"segmentId":"..","entryId":".."},"writerEpoch":".."}
//   {"ok":false,"error":"..."}
// Exit codes: 0 success, 1 a check or call failed, 2 the overall timeout expired. Diagnostics go to stderr so
// stdout stays machine-readable (tests/Cluster.Tests/NodeInteropTests.cs parses its last line).
'use strict';

const path = require('path');

// The repository root is three levels up (tests/Interop/node). The pinned packages live in its node_modules
// (package-lock.json, installed by `npm ci`); NODE_PATH entries are honoured too, so the script also works when
// copied elsewhere.
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

function requirePinned(name) {
  const searchPaths = [REPO_ROOT, process.cwd()].concat(
    (process.env.NODE_PATH || '').split(path.delimiter).filter(Boolean));
  return require(require.resolve(name, { paths: searchPaths }));
}

const grpc = requirePinned('@grpc/grpc-js');
const protoLoader = requirePinned('@grpc/proto-loader');

const UNARY_DEADLINE_MS = 5000;   // every unary call gets its own deadline, so a hung silo fails fast
const OVERALL_TIMEOUT_MS = 60000; // the whole run; exit code 2 tells "hung" apart from "wrong"
const WP_ERROR_LOG_ALREADY_EXISTS = '5'; // Woodpecker.Errors.WoodpeckerErrorCode.LogAlreadyExists

// ---------------------------------------------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
  const options = {
    address: '127.0.0.1:7400',
    log: 'interop-' + Date.now(),
    count: 50,
    protos: path.join(REPO_ROOT, 'protos'),
  };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    const value = argv[i + 1];
    if (!key.startsWith('--') || value === undefined) throw new Error('usage: --address HOST:PORT --log NAME --count N [--protos DIR]');
    i++;
    switch (key) {
      case '--address': options.address = value; break;
      case '--log': options.log = value; break;
      case '--count': options.count = Number.parseInt(value, 10); break;
      case '--protos': options.protos = path.resolve(value); break;
      default: throw new Error('unknown option ' + key);
    }
  }
  if (!Number.isInteger(options.count) || options.count < 1) throw new Error('--count must be a positive integer');
  return options;
}

// ---------------------------------------------------------------------------------------------------------------
// Output: one JSON line, then exit. Guarded so a late stream event cannot print a second line.

let finished = false;
function finish(exitCode, result) {
  if (finished) return;
  finished = true;
  process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(exitCode));
}

function log(message) {
  process.stderr.write('[interop-client] ' + message + '\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

function deadline() {
  return new Date(Date.now() + UNARY_DEADLINE_MS);
}

// Promisified unary call with a deadline. The error keeps grpc-js's fields (code, details, metadata = trailers).
function unary(client, method, request) {
  return new Promise((resolve, reject) => {
    client[method](request, { deadline: deadline() }, (error, response) => {
      if (!error) return resolve(response);
      // Name the call in the message (grpc-js only says "6 ALREADY_EXISTS: ..."); code and metadata stay intact.
      error.message = method + ' failed: ' + describeError(error);
      reject(error);
    });
  });
}

// With longs: String the 64-bit ids arrive as decimal strings; BigInt compares them without losing precision.
function comparePositions(a, b) {
  const segA = BigInt(a.segmentId), segB = BigInt(b.segmentId);
  if (segA !== segB) return segA < segB ? -1 : 1;
  const entA = BigInt(a.entryId), entB = BigInt(b.entryId);
  return entA === entB ? 0 : (entA < entB ? -1 : 1);
}

function formatPosition(p) {
  return p ? p.segmentId + ':' + p.entryId : '(none)';
}

function statusName(code) {
  return Object.keys(grpc.status).find((name) => grpc.status[name] === code) || String(code);
}

function describeError(error) {
  if (error && typeof error.code === 'number') return statusName(error.code) + ': ' + (error.details || error.message);
  return error && error.message ? error.message : String(error);
}

// Properties are a proto map<string,string>; compare them as plain objects independent of key order.
function sameProperties(a, b) {
  const keysA = Object.keys(a || {}).sort(), keysB = Object.keys(b || {}).sort();
  return keysA.length === keysB.length && keysA.every((k, i) => k === keysB[i] && a[k] === b[k]);
}

// The entries we append: `count` requests of 1..3 entries each, payload "interop-<i>" with a running i so every
// payload is unique and a reordering or duplicate is detectable. Deterministic (no Math.random) so a failure
// reproduces exactly.
function buildBatches(count) {
  const batches = [];
  let i = 0;
  for (let r = 0; r < count; r++) {
    const size = (r % 3) + 1;
    const entries = [];
    for (let k = 0; k < size; k++, i++) {
      entries.push({ payload: Buffer.from('interop-' + i), properties: { lang: 'node' } });
    }
    batches.push(entries);
  }
  return batches;
}

// ---------------------------------------------------------------------------------------------------------------
// The tail reader: started before any append, so it exercises "follow" waking up on new durable data rather than
// just reading back what is already there.

function startTail(client, logName) {
  const received = [];
  let waiter = null;   // { target, resolve, reject } while someone awaits `target` entries
  let failure = null;
  let cancelled = false;

  const call = client.Read({ logName, earliest: true, follow: true });

  const check = () => {
    if (!waiter) return;
    if (failure) { waiter.reject(failure); waiter = null; return; }
    if (received.length >= waiter.target) { waiter.resolve(received); waiter = null; }
  };

  call.on('data', (response) => {
    for (const entry of response.entries) received.push(entry);
    check();
  });
  call.on('error', (error) => {
    // CANCELLED is what our own cancel() produces; anything else is a real failure of the tail.
    if (cancelled && error.code === grpc.status.CANCELLED) return;
    failure = new Error('tail Read failed: ' + describeError(error));
    check();
  });
  call.on('end', () => {
    // A follow read must not end by itself while we still wait for entries.
    if (!cancelled && !failure) failure = new Error('tail Read ended before it was cancelled (follow = true)');
    check();
  });

  return {
    received,
    waitFor(target) {
      return new Promise((resolve, reject) => { waiter = { target, resolve, reject }; check(); });
    },
    cancel() { cancelled = true; call.cancel(); },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The writer session: open, wait for "opened", then pipeline every AppendEntries request (many in flight, which
// is how the service is meant to be used) and match the ordered acknowledgements back to the requests.

function appendAll(client, logName, batches) {
  return new Promise((resolve, reject) => {
    const call = client.Append();
    let writerEpoch = null;
    const acknowledged = []; // one array of positions per request, in acknowledgement order
    let settled = false;

    const fail = (error) => {
      if (settled) return;
      settled = true;
      call.cancel();
      reject(error);
    };

    call.on('data', (response) => {
      if (settled) return;
      if (response.kind === 'opened') {
        if (writerEpoch !== null) return fail(new Error('Append: a second "opened" response'));
        writerEpoch = response.opened.writerEpoch;
        log('writer opened, epoch ' + writerEpoch + '; sending ' + batches.length + ' append requests');
        for (const entries of batches) call.write({ entries: { entries } });
        return;
      }
      if (response.kind !== 'appended') return fail(new Error('Append: unexpected response kind ' + response.kind));
      if (writerEpoch === null) return fail(new Error('Append: "appended" before "opened"'));

      // Acknowledgements arrive strictly in request order, so the n-th response belongs to the n-th request and
      // must carry exactly one position per entry of that request.
      const index = acknowledged.length;
      if (index >= batches.length) return fail(new Error('Append: more acknowledgements than requests'));
      const positions = response.appended.positions;
      if (positions.length !== batches[index].length) {
        return fail(new Error('Append: request ' + index + ' had ' + batches[index].length + ' entries but was acknowledged with ' + positions.length + ' positions'));
      }
      acknowledged.push(positions);
      if (acknowledged.length === batches.length) {
        // Everything is durable. Half-close our side so the server closes the writer session cleanly.
        settled = true;
        call.end();
        resolve({ writerEpoch, positions: acknowledged.flat() });
      }
    });
    call.on('error', (error) => fail(new Error('Append stream failed after ' + acknowledged.length + ' acknowledgements: ' + describeError(error))));
    call.on('end', () => fail(new Error('Append stream ended after ' + acknowledged.length + ' of ' + batches.length + ' acknowledgements')));

    call.write({ open: { logName } });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The error contract: gRPC status code plus the numeric Woodpecker error code in the "wp-error-code" trailer.

async function expectFailure(promise, expectedCode, expectedWpCode, what) {
  let error = null;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  if (!error) throw new Error(what + ' succeeded but must fail with ' + statusName(expectedCode));
  if (error.code !== expectedCode) {
    throw new Error(what + ' failed with ' + describeError(error) + ', expected ' + statusName(expectedCode));
  }
  if (expectedWpCode !== undefined) {
    const values = error.metadata ? error.metadata.get('wp-error-code') : [];
    const actual = values.length > 0 ? String(values[0]) : '(missing)';
    if (actual !== expectedWpCode) throw new Error(what + ': trailer wp-error-code is ' + actual + ', expected ' + expectedWpCode);
  }
}

// ---------------------------------------------------------------------------------------------------------------

async function run(options) {
  const definition = protoLoader.loadSync(path.join(options.protos, 'woodpecker', 'v1', 'log_service.proto'), {
    keepCase: false,  // fields become camelCase: logName, segmentId, writerEpoch ...
    longs: String,    // int64 as decimal strings: JavaScript numbers lose precision above 2^53
    enums: String,
    bytes: Buffer,
    defaults: true,   // absent scalars/maps/repeateds come back as their defaults, so no undefined checks
    oneofs: true,     // adds a virtual field naming the set member ("kind", "start"), used to tell responses apart
    includeDirs: [options.protos],
  });
  const woodpecker = grpc.loadPackageDefinition(definition).woodpecker.v1;
  const client = new woodpecker.LogService(options.address, grpc.credentials.createInsecure());

  try {
    // (1) Create the log.
    const info = await unary(client, 'CreateLog', { name: options.log });
    if (info.name !== options.log) throw new Error('CreateLog returned name ' + JSON.stringify(info.name));
    log('created log ' + info.name + ' (id ' + info.logId + ')');

    // (2) Tail it from the earliest position before anything is appended.
    const tail = startTail(client, options.log);

    // (3) Append through a writer session.
    const batches = buildBatches(options.count);
    const expected = batches.flat();
    const { writerEpoch, positions } = await appendAll(client, options.log, batches);
    for (let i = 1; i < positions.length; i++) {
      if (comparePositions(positions[i - 1], positions[i]) >= 0) {
        throw new Error('acknowledged positions not strictly increasing at entry ' + i + ': ' + formatPosition(positions[i - 1]) + ' then ' + formatPosition(positions[i]));
      }
    }
    const lastAcknowledged = positions[positions.length - 1];
    log('appended ' + positions.length + ' entries, last at ' + formatPosition(lastAcknowledged));

    // (4) The tail sees every entry, in order, with the positions the writer was given.
    await tail.waitFor(expected.length);
    tail.cancel();
    const tailed = tail.received;
    if (tailed.length !== expected.length) {
      throw new Error('tail received ' + tailed.length + ' entries, expected ' + expected.length);
    }
    for (let i = 0; i < expected.length; i++) {
      const got = tailed[i];
      if (!got.position || comparePositions(got.position, positions[i]) !== 0) {
        throw new Error('tailed entry ' + i + ' at ' + formatPosition(got.position) + ', acknowledged at ' + formatPosition(positions[i]));
      }
      if (!Buffer.from(got.payload).equals(expected[i].payload)) {
        throw new Error('tailed entry ' + i + ' payload ' + JSON.stringify(Buffer.from(got.payload).toString()) + ', expected ' + JSON.stringify(expected[i].payload.toString()));
      }
      if (!sameProperties(got.properties, expected[i].properties)) {
        throw new Error('tailed entry ' + i + ' properties ' + JSON.stringify(got.properties) + ', expected ' + JSON.stringify(expected[i].properties));
      }
    }
    log('tail matched all ' + tailed.length + ' entries');

    // (5) The log's last position is the last acknowledged one.
    const last = await unary(client, 'GetLastPosition', { logName: options.log });
    if (!last.position || comparePositions(last.position, lastAcknowledged) !== 0) {
      throw new Error('GetLastPosition returned ' + formatPosition(last.position) + ', last acknowledged ' + formatPosition(lastAcknowledged));
    }

    // (6) The error contract.
    await expectFailure(unary(client, 'CreateLog', { name: options.log }), grpc.status.ALREADY_EXISTS, WP_ERROR_LOG_ALREADY_EXISTS, 'CreateLog of an existing log');
    await expectFailure(unary(client, 'GetLog', { name: 'no-such-log-xyz' }), grpc.status.NOT_FOUND, undefined, 'GetLog of a missing log');

    return {
      ok: true,
      appended: positions.length,
      tailed: tailed.length,
      lastPosition: { segmentId: last.position.segmentId, entryId: last.position.entryId },
      writerEpoch: String(writerEpoch),
    };
  } finally {
    client.close();
  }
}

function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    finish(1, { ok: false, error: error.message });
    return;
  }

  // The overall timeout: a stuck stream (a tail that never wakes, an ack that never comes) must not hang the test
  // that runs us. unref() so the timer alone does not keep the process alive.
  setTimeout(() => {
    finish(2, { ok: false, error: 'timed out after ' + OVERALL_TIMEOUT_MS / 1000 + ' s' });
  }, OVERALL_TIMEOUT_MS).unref();

  run(options).then(
    (result) => finish(0, result),
    (error) => finish(1, { ok: false, error: error && error.message ? error.message : String(error) }));
}

main();
