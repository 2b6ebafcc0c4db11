/** Experiment series in the app: start, stop, resume, list, and their report (see series-runner.ts). */
import { ok } from '../../common/contract.js';
import type { Handlers } from './handler-types.js';
import type { SeriesRunner } from './series-runner.js';

export function seriesHandlers(
  series: SeriesRunner,
): Handlers<'series:start' | 'series:stop' | 'series:resume' | 'series:list' | 'series:report'> {
  return {
    'series:start': (req) => series.start(req.series, req.datasetId, req.seed),
    'series:stop': async (req) => series.stop(req.seriesId),
    'series:resume': (req) => series.resume(req.seriesId),
    'series:list': async () => ok({ series: await series.list() }),
    'series:report': (req) => series.report(req.seriesId),
  };
}
