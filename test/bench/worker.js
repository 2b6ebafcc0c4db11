// One measurement in a fresh Node process, so configurations cannot disturb each other (memory, kernel
// caches) and peak memory is this job's own. Usage: node worker.js '<job json>'; the last stdout line is
// the result as JSON. Jobs are listed in JOBS.
const started = performance.now();
const job = JSON.parse(process.argv[2] ?? '{}');

const { loadBackend } = await import('../../dist/main/backend/index.js');
const backend = await loadBackend();
const backendMs = performance.now() - started;
const engineBackend = { tf: backend.tf, name: backend.name, native: backend.native, detail: backend.detail };
const { trainJob, bnPairJob, startupMemoryJob } = await import('./jobs-train.js');
const { inferJob, peakJob, prefetchJob } = await import('./jobs-misc.js');

const JOBS = { train: trainJob, bnPair: bnPairJob, startupMemory: startupMemoryJob, infer: inferJob, peak: peakJob, prefetch: prefetchJob };
const run = JOBS[job.kind];
if (!run) throw new Error(`Unsupported bench job ${JSON.stringify(job.kind)}`);
const result = await run(engineBackend, job, { started, backendMs });
process.stdout.write(`\n${JSON.stringify({ backend: { name: backend.name, detail: backend.detail }, ...result })}\n`);
