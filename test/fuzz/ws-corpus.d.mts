// Types of ws-corpus.mjs (plain JS so `npm run fuzz:server` runs it with node alone) for the unit test.
import type { Socket } from 'node:net';

export interface FrameOptions {
  fin?: boolean;
  rsv?: number;
  opcode?: number;
  masked?: boolean;
  payload?: Buffer;
  declaredLength?: number;
}
export interface Outcome {
  close: number | null;
  reply: { id: number; result: { ok: boolean; value?: unknown; error?: { code: string; message: string } } } | null;
}
export interface FuzzCase {
  name: string;
  bytes: Buffer;
  expected: { close: number } | { reply: Record<string, unknown> };
  /** A phrase the reply's error message or spec issues must contain. */
  says?: string;
}
export function frame(options?: FrameOptions): Buffer;
export function nestedArrays(depth: number): string;
export function corpus(maxMessageBytes: number): FuzzCase[];
export interface BadHandshake {
  name: string;
  request: string;
  /** How the status line must start; absent when the client resets the connection itself. */
  status?: string;
  reset?: boolean;
}
export function badHandshakes(port: number, token: string): BadHandshake[];
export function rawRequest(port: number, text: string, reset?: boolean, timeoutMs?: number): Promise<string>;
export function handshake(port: number, token: string): Promise<{ socket: Socket; rest: Buffer }>;
export function play(port: number, token: string, bytes: Buffer, timeoutMs?: number): Promise<Outcome>;
export function replyText(reply: Outcome['reply']): string;
export function answers(port: number, token: string): Promise<boolean>;
