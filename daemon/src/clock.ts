/** Unix time in whole seconds. Injected everywhere so tests can move time instead of sleeping. */
export type Clock = () => number;

export const systemClock: Clock = () => Math.floor(Date.now() / 1000);
