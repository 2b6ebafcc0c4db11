/**
 * Prints training events as Keras does: the batch progress line is rewritten in place on a terminal, and
 * each finished epoch leaves one line. Without a terminal (a pipe, a log file) only whole lines are written.
 */
import { batchLine, epochHeader, epochLine, trainOnLine } from '../../common/keras-log.js';
import type { TrainingEvent } from '../../common/training-events.js';

export interface LineSink {
  /** A finished line, also kept in the run's log. */
  line(text: string): void;
  /** The in-progress line (terminal only). */
  status(text: string): void;
}

export function terminalSink(stream: NodeJS.WriteStream, onLine: (text: string) => void = () => {}): LineSink {
  const tty = stream.isTTY === true;
  let hasStatus = false;
  return {
    line(text) {
      if (hasStatus) stream.write('\r\x1b[2K');
      hasStatus = false;
      stream.write(text + '\n');
      onLine(text);
    },
    status(text) {
      if (!tty) return;
      const cols = stream.columns ?? 120;
      stream.write('\r\x1b[2K' + text.slice(0, cols - 1));
      hasStatus = true;
    },
  };
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
        sink.status(batchLine(event.samplesSeen, event.samplesTotal, eta, { loss: event.loss, accuracy: event.accuracy }));
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
