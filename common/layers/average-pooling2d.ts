/** AveragePooling2D: downsamples, averaging each window. */
import type { z } from 'zod';
import type { LayerDescriptor } from './descriptor.js';
import { poolingDescriptor, poolingSchema } from './pooling2d.js';

export const averagePooling2dSchema = poolingSchema('AveragePooling2D');
export type AveragePooling2DLayer = z.output<typeof averagePooling2dSchema>;

export const averagePooling2d: LayerDescriptor<AveragePooling2DLayer> = poolingDescriptor(
  'AveragePooling2D',
  averagePooling2dSchema,
  'Halves size, averages',
  'average_pooling2d',
);
