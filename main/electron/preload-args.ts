/** The arguments main gives the preload: the contract's channel and event names (see preload.cts). */
import { API_GLOBAL, CHANNELS, EVENT_NAMES } from '../../common/contract.js';

export function preloadArguments(): string[] {
  return [
    `--layerbench-channels=${CHANNELS.join(',')}`,
    `--layerbench-events=${EVENT_NAMES.join(',')}`,
    `--layerbench-global=${API_GLOBAL}`,
  ];
}
