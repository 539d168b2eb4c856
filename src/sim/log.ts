/**
 * Structured logs in chain time (STYLE.md rule 10):
 *
 *     rb#128 +2.500s v3 backing: Candidate seconded {"candidateHash":"0x..","paraId":2000}
 *
 * i.e. relay block number, offset into that block's slot (seconds, ms resolution), actor,
 * subsystem, message and fields (canonical JSON: sorted keys, so a seed's log is byte-identical on
 * every run; omitted when empty). The level is not printed; it is on the record the sink gets.
 *
 * No console here: the sink is injected (the CLI prints, the dashboard collects, tests capture).
 * Which relay block a virtual time belongs to is also injected (`ChainClock`): `slotClock` derives
 * it from the slot grid; the world may instead report its best block. Disabled levels cost one
 * comparison; fields may be given as a function so they are only built when the line is emitted.
 */
import { assert } from "../lib/assert.ts";
import { type Time, US_PER_MS } from "./scheduler.ts";
import { canonicalJson } from "./trace.ts";

export type LogLevel = "error" | "warn" | "info" | "debug" | "trace";

const LEVEL_RANK: Readonly<Record<LogLevel, number>> = {
  error: 0,
  warn: 1,
  info: 2,
  debug: 3,
  trace: 4,
};

export type LogFields = Readonly<Record<string, unknown>>;

export interface ChainTime {
  readonly relayBlock: number;
  /** Time since the start of that relay block's slot, µs, >= 0. */
  readonly offsetUs: Time;
}

export type ChainClock = (time: Time) => ChainTime;

/**
 * Relay block numbers from the slot grid: block 1's slot starts at `firstBlockUs`, block n's at
 * `firstBlockUs + (n - 1) * slotDurationUs`; before `firstBlockUs` the time is in block 0 (genesis)
 * with the offset counted from 0.
 */
export function slotClock(slotDurationUs: Time, firstBlockUs: Time = 0): ChainClock {
  assert(slotDurationUs > 0, () => `slotClock: slot duration must be > 0, got ${slotDurationUs}`);
  return (time) => {
    if (time < firstBlockUs) return { relayBlock: 0, offsetUs: time };
    const since = time - firstBlockUs;
    const index = Math.floor(since / slotDurationUs);
    return { relayBlock: index + 1, offsetUs: since - index * slotDurationUs };
  };
}

export interface LogRecord {
  readonly time: Time;
  readonly relayBlock: number;
  readonly offsetUs: Time;
  readonly level: LogLevel;
  readonly actor: string;
  readonly subsystem: string;
  readonly message: string;
  readonly fields?: LogFields;
}

export type LogSink = (line: string, record: LogRecord) => void;

/** `+2.500s`: whole milliseconds, truncated. */
export function formatOffset(offsetUs: Time): string {
  const ms = Math.floor(offsetUs / US_PER_MS);
  const s = Math.floor(ms / 1000);
  return `+${s}.${String(ms - s * 1000).padStart(3, "0")}s`;
}

export function formatLogLine(r: LogRecord): string {
  const head = `rb#${r.relayBlock} ${formatOffset(r.offsetUs)} ${r.actor} ${r.subsystem}: ${r.message}`;
  if (r.fields === undefined) return head;
  const json = canonicalJson(r.fields);
  return json === "{}" ? head : `${head} ${json}`;
}

/** Levels per target (the log line's subsystem, e.g. `backing`, `collator`), and for the rest. */
export interface LogLevels {
  readonly default: LogLevel;
  readonly byTarget: ReadonlyMap<string, LogLevel>;
}

export interface LoggerOptions {
  /** Anything with the current virtual time, e.g. the Scheduler. */
  readonly clock: { readonly now: Time };
  readonly chainClock: ChainClock;
  readonly sink: LogSink;
  /** The most verbose level emitted, for all targets or per target; default `info`. */
  readonly level?: LogLevel | LogLevels;
}

export class Logger {
  private rank: number;
  private rankByTarget: ReadonlyMap<string, number>;
  private readonly clock: { readonly now: Time };
  private readonly chainClock: ChainClock;
  private readonly sink: LogSink;

  constructor(options: LoggerOptions) {
    this.clock = options.clock;
    this.chainClock = options.chainClock;
    this.sink = options.sink;
    this.rank = 0;
    this.rankByTarget = new Map();
    this.setLevel(options.level ?? "info");
  }

  setLevel(level: LogLevel | LogLevels): void {
    const levels: LogLevels =
      typeof level === "string" ? { default: level, byTarget: new Map<string, LogLevel>() } : level;
    this.rank = LEVEL_RANK[levels.default];
    this.rankByTarget = new Map([...levels.byTarget].map(([t, l]) => [t, LEVEL_RANK[l]]));
  }

  /** The most verbose rank emitted for `target` (its own level, else the default). */
  private rankFor(target: string): number {
    return this.rankByTarget.size === 0 ? this.rank : (this.rankByTarget.get(target) ?? this.rank);
  }

  enabled(level: LogLevel, target = ""): boolean {
    return LEVEL_RANK[level] <= this.rankFor(target);
  }

  log(
    level: LogLevel,
    actor: string,
    subsystem: string,
    message: string,
    fields?: LogFields | (() => LogFields),
  ): void {
    if (LEVEL_RANK[level] > this.rankFor(subsystem)) return;
    const time = this.clock.now;
    const { relayBlock, offsetUs } = this.chainClock(time);
    const f = typeof fields === "function" ? fields() : fields;
    const base = { time, relayBlock, offsetUs, level, actor, subsystem, message };
    const record: LogRecord = f === undefined ? base : { ...base, fields: f };
    this.sink(formatLogLine(record), record);
  }

  /** A logger bound to one actor and subsystem (`log.for("v3", "backing").info(...)`). */
  for(actor: string, subsystem: string): ActorLogger {
    return new ActorLogger(this, actor, subsystem);
  }
}

type FieldsArg = LogFields | (() => LogFields);

export class ActorLogger {
  constructor(
    private readonly logger: Logger,
    readonly actor: string,
    readonly subsystem: string,
  ) {}

  enabled(level: LogLevel): boolean {
    return this.logger.enabled(level, this.subsystem);
  }
  /** The same actor's logger for one of its subsystems (`v3 backing: ...`). */
  child(subsystem: string): ActorLogger {
    return new ActorLogger(this.logger, this.actor, subsystem);
  }
  error(message: string, fields?: FieldsArg): void {
    this.logger.log("error", this.actor, this.subsystem, message, fields);
  }
  warn(message: string, fields?: FieldsArg): void {
    this.logger.log("warn", this.actor, this.subsystem, message, fields);
  }
  info(message: string, fields?: FieldsArg): void {
    this.logger.log("info", this.actor, this.subsystem, message, fields);
  }
  debug(message: string, fields?: FieldsArg): void {
    this.logger.log("debug", this.actor, this.subsystem, message, fields);
  }
  trace(message: string, fields?: FieldsArg): void {
    this.logger.log("trace", this.actor, this.subsystem, message, fields);
  }
}

/**
 * A `--log` specification: levels separated by commas, each `LEVEL` (the default for every
 * target) or `TARGET=LEVEL` (e.g. `warn,backing=debug,collator=trace`); `targets` are the names a
 * target may have. Throws with what was wrong.
 */
export function parseLogSpec(spec: string, targets: readonly string[]): LogLevels {
  const levels = Object.keys(LEVEL_RANK) as LogLevel[];
  let def: LogLevel = "warn";
  const byTarget = new Map<string, LogLevel>();
  for (const part of spec
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "")) {
    const [target, level] = part.includes("=") ? part.split("=", 2) : [null, part];
    if (!(levels as string[]).includes(level!)) {
      throw new Error(`${JSON.stringify(part)}: expected a level, one of ${levels.join(", ")}`);
    }
    if (target === null) def = level as LogLevel;
    else if (!targets.includes(target!)) {
      throw new Error(`${JSON.stringify(target)}: unknown target (known: ${targets.join(", ")})`);
    } else byTarget.set(target!, level as LogLevel);
  }
  return { default: def, byTarget };
}
