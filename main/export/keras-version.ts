/**
 * The Keras release whose file layouts the writers follow. They were checked against files that this Keras
 * saved, and the round-trip tests load the exports in it (test/python/requirements.txt pins it).
 */
export const KERAS_FORMAT_VERSION = '3.15.1';
