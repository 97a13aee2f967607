// At most `max` calls at once; the others wait their turn in order, or give up when their signal
// aborts (the caller's timeout covers the wait too). A finishing call hands its slot straight to the
// next in line, so a newcomer can never squeeze in between and exceed the bound.
export class ConcurrencyLimit {
  #active = 0;
  #waiting: (() => void)[] = [];

  constructor(readonly max: number) {}

  async run<T>(task: () => Promise<T>, signal: AbortSignal): Promise<T> {
    if (this.#active < this.max) this.#active++;
    else await this.#wait(signal);
    try {
      // A slot handed over just as the caller's time ran out is passed straight on.
      signal.throwIfAborted();
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active--;
    }
  }

  #wait(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    return new Promise((resolve, reject) => {
      const go = () => {
        signal.removeEventListener('abort', giveUp);
        resolve();
      };
      const giveUp = () => {
        this.#waiting = this.#waiting.filter((waiter) => waiter !== go);
        reject(signal.reason);
      };
      signal.addEventListener('abort', giveUp, { once: true });
      this.#waiting.push(go);
    });
  }
}
