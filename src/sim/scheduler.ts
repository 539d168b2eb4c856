/**
 * Virtual-time discrete-event scheduler, and the per-node CPU model built on it.
 *
 * Time is an integer number of MICROSECONDS since the start of the run (`Time`). Integers make
 * every comparison and sum exact, so a seed replays identically; microseconds resolve a 128-byte
 * message at 100 Mbit/s (about 10 µs) and still reach 2^53 µs (285 years) of virtual time.
 * Scenario values in milliseconds are converted with `msToUs` (rounded to the nearest µs).
 *
 * Order: events run by time, and events at the same time in the order they were scheduled (a
 * global insertion sequence is the tie-breaker), so a run is a pure function of its inputs. An
 * event may schedule others at the current time; they run after it, in the same `runUntil`.
 * Cancellation is lazy (the event is marked and skipped when popped); the heap is compacted when
 * more than half of it is cancelled, so cancel-heavy timers do not leak.
 *
 * No clock, no timers: time only moves when `step`/`runUntil`/`run` pop an event.
 */
import { assert } from "../lib/assert.ts";
import { Heap } from "../lib/heap.ts";

/** Virtual time or a duration, in integer microseconds. */
export type Time = number;

export const US_PER_MS = 1000;
export const US_PER_SECOND = 1_000_000;

/** Milliseconds (possibly fractional, e.g. from a scenario) to integer microseconds. */
export function msToUs(ms: number): Time {
  assert(Number.isFinite(ms), () => `msToUs: not a finite number of ms: ${ms}`);
  return Math.round(ms * US_PER_MS);
}

/** Integer microseconds to milliseconds (a float when not a whole number of ms). */
export function usToMs(us: Time): number {
  return us / US_PER_MS;
}

export type Handler = () => void;

const PENDING = 0;
const FIRED = 1;
const CANCELLED = 2;

/** A scheduled event; the handle returned by `schedule`, `at` and `after`. */
export class ScheduledEvent {
  /** @internal */
  state: 0 | 1 | 2 = PENDING;

  constructor(
    private readonly scheduler: Scheduler,
    readonly time: Time,
    /** Global insertion sequence: the tie-breaker for equal times. */
    readonly seq: number,
    /** @internal */
    readonly handler: Handler,
    readonly label: string,
  ) {}

  get pending(): boolean {
    return this.state === PENDING;
  }

  get cancelled(): boolean {
    return this.state === CANCELLED;
  }

  /** Cancels the event if it has not run yet. Returns whether it was pending. */
  cancel(): boolean {
    if (this.state !== PENDING) return false;
    this.state = CANCELLED;
    this.scheduler.noteCancelled();
    return true;
  }
}

export type TimerHandle = ScheduledEvent;

/** When to run an event: at an absolute virtual time, or after a delay from `now`. */
export type When = { readonly at: Time } | { readonly after: Time };

/** Called before each event runs (e.g. to trace the event loop). */
export type EventObserver = (event: ScheduledEvent) => void;

function compareEvents(a: ScheduledEvent, b: ScheduledEvent): number {
  return a.time - b.time || a.seq - b.seq;
}

export class Scheduler {
  private readonly queue = new Heap<ScheduledEvent>(compareEvents);
  private nowUs: Time = 0;
  private nextSeq = 0;
  private cancelledInQueue = 0;
  private executed = 0;
  private running = false;
  private observer: EventObserver | undefined;

  /** Current virtual time, integer µs. */
  get now(): Time {
    return this.nowUs;
  }

  /** Events run so far. */
  get eventsExecuted(): number {
    return this.executed;
  }

  /** Events scheduled and neither run nor cancelled. */
  get pendingCount(): number {
    return this.queue.size - this.cancelledInQueue;
  }

  /** Time of the next pending event, or undefined when none is left. */
  nextTime(): Time | undefined {
    this.dropCancelledTop();
    return this.queue.peek()?.time;
  }

  setObserver(observer: EventObserver | undefined): void {
    this.observer = observer;
  }

  schedule(when: When, handler: Handler, label = ""): ScheduledEvent {
    return "at" in when ? this.at(when.at, handler, label) : this.after(when.after, handler, label);
  }

  /** Runs `handler` at absolute time `time` (>= now, integer µs). */
  at(time: Time, handler: Handler, label = ""): ScheduledEvent {
    assert(
      Number.isSafeInteger(time) && time >= this.nowUs,
      () => `schedule "${label}": time must be an integer >= now (${this.nowUs} µs), got ${time}`,
    );
    const ev = new ScheduledEvent(this, time, this.nextSeq++, handler, label);
    this.queue.push(ev);
    return ev;
  }

  /** Runs `handler` after `delay` µs (integer >= 0). */
  after(delay: Time, handler: Handler, label = ""): ScheduledEvent {
    assert(
      Number.isSafeInteger(delay) && delay >= 0,
      () => `schedule "${label}": delay must be an integer >= 0 µs, got ${delay}`,
    );
    return this.at(this.nowUs + delay, handler, label);
  }

  /** Runs the next pending event. Returns false when there is none. */
  step(): boolean {
    assert(!this.running, "Scheduler.step called from inside an event handler");
    this.running = true;
    try {
      return this.runOne();
    } finally {
      this.running = false;
    }
  }

  /**
   * Runs every event with time <= `time`, then sets `now` to `time`. Returns the number of events
   * run.
   */
  runUntil(time: Time): number {
    assert(
      Number.isSafeInteger(time) && time >= this.nowUs,
      () => `runUntil: time must be an integer >= now (${this.nowUs} µs), got ${time}`,
    );
    assert(!this.running, "Scheduler.runUntil called from inside an event handler");
    this.running = true;
    const before = this.executed;
    try {
      const queue = this.queue;
      for (;;) {
        const top = queue.peek();
        if (top === undefined || top.time > time) break;
        this.runOne();
      }
      this.nowUs = time;
    } finally {
      this.running = false;
    }
    return this.executed - before;
  }

  /** Runs until no event is left, or `maxEvents` have run. Returns the number of events run. */
  run(maxEvents = Number.POSITIVE_INFINITY): number {
    assert(!this.running, "Scheduler.run called from inside an event handler");
    this.running = true;
    const before = this.executed;
    try {
      while (this.executed - before < maxEvents && this.runOne()) {}
    } finally {
      this.running = false;
    }
    return this.executed - before;
  }

  /** @internal Called by `ScheduledEvent.cancel`. */
  noteCancelled(): void {
    this.cancelledInQueue++;
    if (this.cancelledInQueue > 1024 && this.cancelledInQueue * 2 > this.queue.size) {
      this.queue.retain((ev) => ev.state === PENDING);
      this.cancelledInQueue = 0;
    }
  }

  private runOne(): boolean {
    const queue = this.queue;
    for (;;) {
      const ev = queue.pop();
      if (ev === undefined) return false;
      if (ev.state === CANCELLED) {
        this.cancelledInQueue--;
        continue;
      }
      this.nowUs = ev.time;
      ev.state = FIRED;
      this.executed++;
      if (this.observer !== undefined) this.observer(ev);
      ev.handler();
      return true;
    }
  }

  private dropCancelledTop(): void {
    const queue = this.queue;
    for (let top = queue.peek(); top !== undefined && top.state === CANCELLED; top = queue.peek()) {
      queue.pop();
      this.cancelledInQueue--;
    }
  }
}

/**
 * Coalesced events (a modelled grouping, used by the network's broadcasts): `at(time, handler)`
 * runs `handler` at the END of the `bucketUs`-wide bucket holding `time`, i.e. at
 * `ceil(time / bucketUs) * bucketUs`, never before `time` and less than `bucketUs` after it. All
 * handlers of one bucket share ONE scheduler event and run in order of their `time`, then of
 * submission; a handler added to a bucket that is already running goes to a new event at the
 * same time (it runs after the current one). Deterministic: the order depends only on times and
 * submission order. It trades up to `bucketUs` of delay for one heap operation per bucket instead
 * of one per handler.
 */
export class Coalescer {
  private readonly pending = new Map<Time, CoalescedEvent[]>();

  constructor(
    private readonly scheduler: Scheduler,
    readonly bucketUs: Time,
    private readonly label = "coalesced",
  ) {
    assert(Number.isSafeInteger(bucketUs) && bucketUs >= 1, () => `Coalescer: got ${bucketUs}`);
  }

  /** The time a handler for `time` runs at. */
  runTime(time: Time): Time {
    return Math.ceil(time / this.bucketUs) * this.bucketUs;
  }

  /** Runs `handler` at the end of the bucket holding `time`. */
  at(time: Time, handler: Handler): void {
    this.add({ time, run: handler });
  }

  /**
   * Runs `event.run()` at the end of the bucket holding `event.time` (an object with the data
   * and the handler in one: one allocation per event where closures would take two).
   */
  add(event: CoalescedEvent): void {
    const time = event.time;
    assert(
      Number.isSafeInteger(time) && time >= this.scheduler.now,
      () => `Coalescer: time must be an integer >= now, got ${time}`,
    );
    const end = this.runTime(time);
    let bucket = this.pending.get(end);
    if (bucket === undefined) {
      const entries: CoalescedEvent[] = [];
      bucket = entries;
      this.pending.set(end, entries);
      this.scheduler.at(end, () => this.runBucket(end, entries), this.label);
    }
    bucket.push(event);
  }

  private runBucket(end: Time, entries: CoalescedEvent[]): void {
    this.pending.delete(end);
    // Stable: equal times keep their submission order.
    if (entries.length > 1) entries.sort(byTime);
    for (const e of entries) e.run();
  }
}

/** An event for `Coalescer.add`. */
export interface CoalescedEvent {
  /** When it is due (it runs at the end of its bucket). Read when added, and when sorting. */
  readonly time: Time;
  run(): void;
}

function byTime(a: CoalescedEvent, b: CoalescedEvent): number {
  return a.time - b.time;
}

/** A job queued on a node's CPU. */
export interface CpuJob {
  readonly actor: string;
  /** When the job starts running on a core. */
  readonly start: Time;
  /** When it completes (its `done` callback runs then). */
  readonly end: Time;
  readonly core: number;
  readonly handle: ScheduledEvent;
}

/**
 * The CPU model: each actor (node) has `cores` cores (default 1, i.e. one serial queue). Work is
 * non-preemptive and first-come first-served in submission order: a job submitted at `now` with
 * cost `c` starts on the core that frees first (lowest index on ties) at
 * `start = max(now, busyUntil(core))` and completes at `start + c`, when `done` runs. With one core
 * this is exactly `max(now, busyUntil) + cost`. The core time is reserved at submission:
 * cancelling the returned handle skips `done` but does not give the time back (an aborted PVF
 * job has already burnt its worker). No priorities (Polkadot's PVF host prefers backing over
 * approval work): callers that need them model separate pools, e.g. actor `v3/pvf`.
 */
export class Cpu {
  private readonly coresFree = new Map<string, Time[]>();
  private readonly busyTotal = new Map<string, Time>();
  private readonly coreCount = new Map<string, number>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly defaultCores = 1,
  ) {
    assert(Number.isInteger(defaultCores) && defaultCores >= 1, "Cpu: cores must be >= 1");
  }

  /** Sets the number of cores of `actor`; only before its first job. */
  setCores(actor: string, cores: number): void {
    assert(Number.isInteger(cores) && cores >= 1, () => `Cpu.setCores(${actor}): got ${cores}`);
    assert(!this.coresFree.has(actor), () => `Cpu.setCores(${actor}) after work was submitted`);
    this.coreCount.set(actor, cores);
  }

  /** Queues `costUs` of work on `actor`; `done` runs when it completes. */
  submit(actor: string, costUs: Time, done: Handler, label = ""): CpuJob {
    assert(
      Number.isSafeInteger(costUs) && costUs >= 0,
      () => `Cpu.submit(${actor}, "${label}"): cost must be an integer >= 0 µs, got ${costUs}`,
    );
    const cores = this.cores(actor);
    let core = 0;
    for (let i = 1; i < cores.length; i++) if (cores[i]! < cores[core]!) core = i;
    const start = Math.max(this.scheduler.now, cores[core]!);
    const end = start + costUs;
    cores[core] = end;
    this.busyTotal.set(actor, (this.busyTotal.get(actor) ?? 0) + costUs);
    const handle = this.scheduler.at(end, done, label);
    return { actor, start, end, core, handle };
  }

  /** The earliest time a job submitted now would start on `actor`. */
  busyUntil(actor: string): Time {
    const cores = this.coresFree.get(actor);
    let free = Number.POSITIVE_INFINITY;
    if (cores === undefined) free = 0;
    else for (const c of cores) free = Math.min(free, c);
    return Math.max(this.scheduler.now, free);
  }

  /** Total work submitted to `actor`, in µs (for utilisation figures). */
  busyTimeUs(actor: string): Time {
    return this.busyTotal.get(actor) ?? 0;
  }

  private cores(actor: string): Time[] {
    let cores = this.coresFree.get(actor);
    if (cores === undefined) {
      cores = new Array<Time>(this.coreCount.get(actor) ?? this.defaultCores).fill(0);
      this.coresFree.set(actor, cores);
    }
    return cores;
  }
}
