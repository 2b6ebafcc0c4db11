// The readable table printed after a run (the JSON holds every value).
import { ratio } from './stats.js';

const fmt = (s, digits = 0) => (s ? `${s.median.toFixed(digits)} ±${(s.spreadPct / 2).toFixed(0)}%` : '—');
const x = (r) => (r == null ? '—' : `${r.toFixed(2)}x`);
const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
// Milliseconds per training step at the median samples/s.
const msPerStep = (s, batchSize) => (s ? (batchSize * 1000) / s.median : null);

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

function peerTrain(config, id) {
  const p = config.peers[id];
  return p?.train ?? null;
}

export function formatReport(result, peers) {
  const peak = result.peak.gflops.max;
  const out = [];
  out.push(`Layerbench bench, ${result.date}: ${result.machine.cpus} CPUs (${result.machine.cpuModel}), Node ${result.machine.node}`);
  out.push(`backend: ${result.backend.detail}`);
  // Same architecture everywhere: the parameter counts (moving statistics included) must agree.
  for (const variant of Object.keys(result.flops)) {
    const counts = peers.map((p) => {
      const c = result.training.find((t) => t.variant === variant && t.peers[p.id]?.params);
      return `${p.label} ${c ? c.peers[p.id].params : '—'}`;
    });
    out.push(`parameters, ${variant}: Layerbench ${result.flops[variant].params}, ${counts.join(', ')}`);
  }
  out.push(`peak: ${result.peak.size}x${result.peak.size} float32 matMul ${fmt(result.peak.gflops, 1)} GFLOP/s (best ${peak.toFixed(1)})`);
  out.push('');
  out.push('Training, samples/s (median ±half the min-max spread; warm-up epoch excluded)');
  const headers = [
    'model',
    'batch',
    'Layerbench',
    'LB ms/step',
    'LB eager step',
    ...peers.map((p) => p.label),
    ...peers.map((p) => `LB / ${p.label}`),
    'LB GFLOP/s',
    '% of peak',
  ];
  const rows = result.training.map((c) => {
    const lb = c.layerbench.train;
    const gflops = (lb.median * result.flops[c.variant].trainPerSample) / 1e9;
    return [
      c.variant,
      c.batchSize,
      fmt(lb),
      msPerStep(lb, c.batchSize)?.toFixed(1) ?? '—',
      fmt(c.layerbenchEager?.train),
      ...peers.map((p) =>
        c.peers[p.id]?.train ? fmt(c.peers[p.id].train) : c.peers[p.id]?.skipped ? 'skipped' : c.peers[p.id] ? 'failed' : '—',
      ),
      ...peers.map((p) => x(ratio(lb, peerTrain(c, p.id)))),
      gflops.toFixed(1),
      `${((gflops / peak) * 100).toFixed(0)}%`,
    ];
  });
  out.push(table(headers, rows));
  const resnet = result.training.filter((c) => c.variant === 'resnet20');
  if (resnet.length > 0) {
    out.push('');
    out.push('resnet20 step cost: seed-batchnorm samples/s / resnet20 samples/s, same batch (how many times longer a resnet20 step takes)');
    const costRows = resnet.map((r) => {
      const bn = result.training.find((c) => c.variant === 'batchnorm' && c.batchSize === r.batchSize);
      return [
        r.batchSize,
        x(ratio(bn?.layerbench.train, r.layerbench.train)),
        x(ratio(bn?.layerbenchEager?.train, r.layerbenchEager?.train)),
        ...peers.map((p) => x(ratio(peerTrain(bn, p.id), peerTrain(r, p.id)))),
      ];
    });
    out.push(table(['batch', 'Layerbench', 'LB eager step', ...peers.map((p) => p.label)], costRows));
  }
  if (!result.inference) {
    out.push(`Took ${(result.durationMs / 60000).toFixed(1)} min (--training-only: the other sections were not run)`);
    return out.join('\n');
  }
  out.push('');
  out.push('BatchNormalization cost: samples/s with BN / without, same batch');
  const bnRows = [...new Set(result.training.map((c) => c.batchSize))].map((b) => {
    const base = result.training.find((c) => c.variant === 'baseline' && c.batchSize === b);
    const bn = result.training.find((c) => c.variant === 'batchnorm' && c.batchSize === b);
    return [
      b,
      x(ratio(bn?.layerbench.train, base?.layerbench.train)),
      x(ratio(bn?.layerbenchEager?.train, base?.layerbenchEager?.train)),
      ...peers.map((p) => x(ratio(peerTrain(bn, p.id), peerTrain(base, p.id)))),
    ];
  });
  out.push(table(['batch', 'Layerbench', 'LB eager step', ...peers.map((p) => p.label)], bnRows));
  if (result.bnCost) {
    const paired = Object.entries(result.bnCost).map(
      ([b, r]) => `batch ${b}: ${r.median.toFixed(2)}x (rounds ${r.values.map((v) => v.toFixed(2)).join(' / ')})`,
    );
    out.push(`Layerbench, paired back-to-back rounds (median): ${paired.join('; ')}`);
  }
  out.push('');
  out.push(`Inference (evaluation in chunks of ${result.plan.inference.batchSize}), samples/s`);
  const infRows = Object.entries(result.inference).map(([variant, inf]) => {
    const peerInf = peers.map((p) => {
      const c = result.training.find((t) => t.variant === variant && t.peers[p.id]?.inference);
      return c ? fmt(c.peers[p.id].inference) : '—';
    });
    const gflops = (inf.samplesPerSec.median * result.flops[variant].forwardPerSample) / 1e9;
    return [
      variant,
      fmt(inf.samplesPerSec),
      fmt(inf.eagerSamplesPerSec),
      ...peerInf,
      gflops.toFixed(1),
      `${((gflops / peak) * 100).toFixed(0)}%`,
    ];
  });
  out.push(table(['model', 'Layerbench', 'LB eager', ...peers.map((p) => p.label), 'LB GFLOP/s', '% of peak'], infRows));
  out.push('');
  const ev = result.events;
  const overhead = (mode) => {
    const o = ev[mode].overheadMs;
    return `${o.median >= 0 ? '+' : ''}${o.median.toFixed(0)} ms (${((o.median / ev.none.epochMs.median) * 100).toFixed(1)}%, rounds ${o.values.map((v) => v.toFixed(0)).join('/')})`;
  };
  out.push(
    `Progress reporting (${ev.variant}, batch ${ev.batchSize}, ${ev.samplesPerEpoch} samples/epoch, ${ev.rounds} rounds): epoch ${ev.none.epochMs.median.toFixed(0)} ms with no listener; ` +
      `${overhead('throttled')} with the default 200 ms throttle (${ev.throttled.events?.events ?? '?'} events); ${overhead('every')} with an event every batch`,
  );
  const s = result.startup;
  out.push(
    `Start-up (${s.samples} images, ${result.plan.startup.variant}, batch ${result.plan.startup.batchSize}): first batch done ${(s.startToFirstBatchMs / 1000).toFixed(2)} s after Node started ` +
      `(Node ${s.nodeStartMs.toFixed(0)} ms + backend ${s.processToBackendMs.toFixed(0)} ms + split/build/compile/first step ${s.trainCallToFirstBatchMs.toFixed(0)} ms)`,
  );
  out.push(
    `Memory: peak RSS ${mb(s.peakRssBytes)} training from ${mb(s.datasetBytes)} of uint8 images (RSS ${mb(s.rssBeforeTrainingBytes)} before training)`,
  );
  const pf = result.prefetch;
  out.push(
    `Batch assembly: ${pf.assemblyMs.median.toFixed(2)} ms of a ${(pf.assemblyMs.median + pf.stepMs.median).toFixed(1)} ms step (${((pf.assemblyMs.median / (pf.assemblyMs.median + pf.stepMs.median)) * 100).toFixed(1)}%): the most prefetching could save`,
  );
  out.push(`Took ${(result.durationMs / 60000).toFixed(1)} min`);
  return out.join('\n');
}
