import type { Channel, RequestOf, ResponseOf, Result } from '../../common/contract.js';

export type Handler<C extends Channel> = (request: RequestOf<C>) => Promise<Result<ResponseOf<C>>>;
export type Handlers<K extends Channel = Channel> = { [C in K]: Handler<C> };
