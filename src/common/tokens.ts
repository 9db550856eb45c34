/** Nest injection tokens for values built at boot. */
export const SECRET_BOX = Symbol('SECRET_BOX');
export const DATABASE_URL = Symbol('DATABASE_URL');
export const CLOCK = Symbol('CLOCK');

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };
