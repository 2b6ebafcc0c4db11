/** MaxPooling2D: downsamples, keeping each window's largest value. */
import type { z } from 'zod';
import type { LayerDescriptor } from './descriptor.js';
import { poolingDescriptor, poolingSchema } from './pooling2d.js';

export const maxPooling2dSchema = poolingSchema('MaxPooling2D');
export type MaxPooling2DLayer = z.output<typeof maxPooling2dSchema>;

export const maxPooling2d: LayerDescriptor<MaxPooling2DLayer> = poolingDescriptor(
  'MaxPooling2D',
  maxPooling2dSchema,
  'Halves size, keeps strongest',
  'max_pooling2d',
);
