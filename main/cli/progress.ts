/**
 * The terminal end of the Keras log (common/keras-printer.ts): the batch progress line is rewritten in place
 * on a terminal, and each finished epoch leaves one line. Without a terminal (a pipe, a log file) only whole
 * lines are written.
 */
import type { LineSink } from '../../common/keras-printer.js';

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
