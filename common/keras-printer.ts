/**
 * Renders training events as Keras's `fit(verbose=1)` log into a line sink: one line per finished epoch and a
 * progress line rewritten in place where the sink supports it. The CLI prints it to the terminal; a run
 * keeps the same lines in its log.txt.
 */
import { batchLine, epochHeader, epochLine, trainOnLine } from './keras-log.js';
import type { TrainingEvent } from './training-events.js';

export interface LineSink {
  /** A finished line, also kept in the run's log. */
  line(text: string): void;
  /** The in-progress line (terminal only). */
  status(text: string): void;
}

/** Returns the event handler that renders a run into `sink`. */
export function kerasPrinter(sink: LineSink): (event: TrainingEvent) => void {
  return (event) => {
    switch (event.type) {
      case 'start':
        if (event.backend.warning) sink.line(`Warning: ${event.backend.warning}`);
        sink.line(`Backend: ${event.backend.detail}`);
        sink.line(trainOnLine(event.trainCount, event.validationCount));
        break;
      case 'epochStart':
        sink.line(epochHeader(event.epoch, event.epochs));
        break;
      case 'batch': {
        const rate = event.samplesPerSec;
        const eta = rate > 0 ? (event.samplesTotal - event.samplesSeen) / rate : 0;
        sink.status(batchLine(event.batch, event.batches, eta, { loss: event.loss, accuracy: event.accuracy }));
        break;
      }
      case 'epochEnd':
        sink.line(epochLine(event.record));
        break;
      case 'log':
        sink.line(event.level === 'warn' ? `Error: ${event.message}` : event.message);
        break;
      case 'end':
        break;
      default: {
        const never: never = event;
        throw new Error(`Unsupported message ${JSON.stringify(never)}`);
      }
    }
  };
}
