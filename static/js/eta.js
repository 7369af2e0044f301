// How long the files in the outbox still take on this link. On 2G one installation's photos
// take minutes, and a technician deciding whether to wait by the school's router or drive
// on needs a number, not a bar creeping along. The rate is what the server confirmed (bytes
// per second of each chunk's round trip, which is what the link really carries, not what
// the phone handed to it), smoothed so one slow or quick chunk does not make the figure jump.

const SMOOTHING_S = 20; // a chunk's weight grows with its duration: 20 s of link time is ~63 %

export class Throughput {
  constructor() {
    this.rate = null; // bytes per second, once a chunk has been confirmed
  }

  /** A chunk of `bytes` the server confirmed `ms` after it was sent. */
  note(bytes, ms) {
    if (!(bytes > 0 && ms > 0)) return;
    const sample = bytes / (ms / 1000);
    const weight = this.rate === null ? 1 : 1 - Math.exp(-ms / 1000 / SMOOTHING_S);
    this.rate = this.rate === null ? sample : this.rate + weight * (sample - this.rate);
  }

  /** Seconds to send `bytesLeft`, or null before anything was measured. */
  secondsFor(bytesLeft) {
    return this.rate ? bytesLeft / this.rate : null;
  }
}

/** The estimate as the outbox says it: [message key, its parameters]. */
export function phrase(seconds) {
  if (seconds < 60) return ["eta_under_minute", {}];
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return ["eta_minutes", { n: minutes }];
  return ["eta_hours", { h: Math.floor(minutes / 60), m: minutes % 60 }];
}
