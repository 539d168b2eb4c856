/**
 * The `parapipe` command line: argument parsing only, then calls into the layers below.
 * Exit codes: 0 success, 1 a check failed (a vector, an invariant), 2 bad input; `fuzz` also
 * 3 (only liveness failures) and 4 (an internal error).
 *
 * Each command's module is imported when that command runs, not here: `parapipe --help` and a
 * mistyped option load commander and this file only (docs/package.md).
 */
import { availableParallelism } from "node:os";
import { Command, CommanderError } from "commander";
import type { checkCommand } from "./check.ts";
import type { compareCommand } from "./compare.ts";
import type { fuzzCommand } from "./fuzz.ts";
import type { importCommand } from "./import.ts";
import type { runCommand } from "./run.ts";
import type { timingCommand } from "./timing.ts";
import type { upgradeCommand } from "./upgrade.ts";

// A closed pipe (`parapipe ... | head`) ends the output, not the process with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}

/**
 * `--jobs N` of the commands that run several simulations (docs/answers.md); the default is
 * applied when the runs start (targets.ts `jobsOption`).
 */
const JOBS_OPTION = [
  "--jobs <n>",
  `simulations run at once, each in a worker thread, the longest first (default: the machine's cores, ${availableParallelism()} here; 1: one after another in this thread); the output is the same apart from wall times`,
] as const;

const program = new Command();
program
  .name("parapipe")
  .description(
    "Polkadot's parachain inclusion pipeline (asynchronous backing, elastic scaling), implemented as " +
      "polkadot-sdk defines it, checked against vectors derived from its unit tests, and simulated " +
      "as whole networks in virtual time.",
  )
  .version("0.1.0")
  .exitOverride()
  .showHelpAfterError("(run with --help for usage)");

program
  .command("conformance")
  .description(
    "Run conformance vectors: JSON cases derived from polkadot-sdk's own unit tests. " +
      "Each PATH is a vector file or a folder searched recursively for *.json. " +
      "Prints PASS/FAIL per vector and a closing 'N passed, N failed'. " +
      "Exit 0: all passed; 1: some failed; 2: a vector could not be read or names an unknown suite or op.",
  )
  .argument("<path...>", "vector files or folders, e.g. conformance/shared/vectors")
  .option("--json", "print the verdicts as JSON instead of lines")
  .option("-q, --quiet", "print only failures and the closing line")
  .addHelpText(
    "after",
    "\nExamples:\n  parapipe conformance conformance/shared/vectors conformance/current\n  parapipe conformance conformance/shared/vectors/fragment-chain/FC19-populate-max-depth-2.json --json",
  )
  .action(async (paths: string[], opts: { json?: boolean; quiet?: boolean }) => {
    const { conformanceCommand } = await import("./conformance.ts");
    process.exitCode = conformanceCommand(paths, opts);
  });

const runCmd = program
  .command("run")
  .description(
    "Simulate whole networks (relay validators, collators, parachain runtimes, the network" +
      " between them) in virtual time and report block time and throughput per para. " +
      "Give SCENARIO files (YAML or JSON, see spec/SCENARIO.md), zombienet networks (.toml, " +
      "imported as parapipe import does, with their .zndsl's checks) and/or --preset NAME; " +
      "several runs are printed side by side. Every run checks safety invariants. " +
      "Exit 0: done; 1: a safety invariant broke (a replay command is printed) or a check failed; " +
      "3: liveness failed (a para did not include again within livenessRelayBlocks after the last " +
      "fault, or included nothing); 4: an internal error (the replay command is printed, the stack " +
      "trace written to parapipe-crash-SEED.txt); 2: bad input.",
  )
  .argument("[scenario...]", "scenario files (YAML or JSON) or zombienet networks (.toml)")
  .option("--json", "print the run report(s) as JSON (SCENARIO.md's contract)")
  .option(
    "--expect <check>",
    'a check every run must pass, e.g. "para 2000 blockTimeMs.mean < 7000" or "no forks" (repeatable; docs/answers.md)',
    collect,
    [],
  );
withOutputOptions(withNetworkOptions(withSimulateOptions(runCmd)), "the summary")
  .addHelpText(
    "after",
    "\nExamples:\n" +
      "  parapipe run --preset sync --preset async        # sync vs async backing, side by side\n" +
      "  parapipe run --preset elastic-3 --json           # the run report as JSON\n" +
      "  parapipe run my-chain.yaml --seed 7 --relay-blocks 120\n" +
      "  parapipe run --preset elastic-12 --generation 2024   # the 2024-25 node and collator rules\n" +
      "  parapipe run --preset async --report async.html   # the summary and charts in one HTML file\n" +
      '  parapipe run --preset async --expect "para 2000 backedPer15RelayBlocks.min >= 11" --expect "no forks"\n' +
      "  parapipe run network.toml --para-preset elastic-3   # a zombienet network and its .zndsl checks\n" +
      "\nA scenario names only what differs from its preset, e.g.:\n" +
      "  preset: async\n  parachains:\n    - id: 2000\n      runtime: {unincludedSegmentCapacity: 1}\n",
  )
  .action(async (files: string[], opts: Parameters<typeof runCommand>[1]) => {
    const { runCommand } = await import("./run.ts");
    process.exitCode = await runCommand(files, opts);
  });

program
  .command("check")
  .description(
    "The configuration doctor: check one scenario (a SCENARIO file or --preset NAME) against the " +
      "rules of asynchronous backing and elastic scaling (docs/check.md). Each finding names the " +
      "keys and values, the polkadot-sdk rule and where it is written, and its evidence: the rule's " +
      "figures, or the given and a fixed configuration simulated side by side. " +
      "Exit 0: no findings; 1: findings; 2: bad input.",
  )
  .argument("[scenario]", "a scenario file (YAML or JSON) or a zombienet network (.toml)")
  .option(
    "-p, --preset <name>",
    "a built-in preset: sync, async, elastic-3, elastic-12",
    collect,
    [],
  )
  .option(
    "--para-preset <spec>",
    "for a .toml network: the paras' preset, NAME or ID=NAME,... (default async)",
  )
  .option("--cores <n>", "for a .toml network: cores per para, N or ID=N,...")
  .option(
    "--generation <g>",
    "which polkadot-sdk node and collator rules to check against: current or 2024",
  )
  .option("--json", 'print {"findings": [...]} (SCENARIO.md\'s "Other commands\' JSON")')
  .option(...JOBS_OPTION)
  .option("--no-progress", "no progress bar (it is drawn only on a terminal anyway)")
  .addHelpText(
    "after",
    "\nExamples:\n" +
      "  parapipe check --preset elastic-3                      # no findings, exit 0\n" +
      "  parapipe check examples/async-capacity-1.yaml          # capacity-one-6s-slots, exit 1\n" +
      "  parapipe check examples/full-blocks-handover-2024.yaml --json\n",
  )
  .action(async (file: string | undefined, opts: Parameters<typeof checkCommand>[1]) => {
    const { checkCommand } = await import("./check.ts");
    process.exitCode = await checkCommand(file === undefined ? [] : [file], opts);
  });

const compareCmd = program
  .command("compare")
  .description(
    "The async backing docs' table, measured: run each target (default: the sync and async " +
      "presets) and print parablocks included every, the maximum execution time of a parablock " +
      "(configured) beside the measured one, the compute throughput per core, their ratios " +
      "against the first column, block time p95, backed per 15 relay blocks, transactions per " +
      "second, PoV use and (under a txPerSecond load) transaction latency. Exit codes as run.",
  )
  .argument(
    "[scenario...]",
    "scenario files (YAML or JSON) or zombienet networks (.toml); the first is the baseline",
  )
  .option("--json", "print the comparison as JSON (SCENARIO.md's \"Other commands' JSON\")");
withOutputOptions(withNetworkOptions(withSimulateOptions(compareCmd)), "the table")
  .addHelpText(
    "after",
    "\nExamples:\n" +
      "  parapipe compare                                     # sync vs async, the seed table\n" +
      "  parapipe compare --preset async --preset elastic-3   # async as the baseline\n" +
      "  parapipe compare my-chain.yaml upgraded.yaml --markdown\n" +
      "  parapipe compare --report compare.html           # the table, its figures as bars, each run's charts\n",
  )
  .action(async (files: string[], opts: Parameters<typeof compareCommand>[1]) => {
    const { compareCommand } = await import("./compare.ts");
    process.exitCode = await compareCommand(files, opts);
  });

program
  .command("timing")
  .description(
    "Block-number durations across an upgrade: how long a period counted in para blocks (a " +
      "vesting schedule, a staking era, a governance period) lasts before and after, the block " +
      "count that keeps its real time, the same period in relay blocks, and the issuance per block " +
      "that keeps the yearly issuance. The block times are measured by simulating both sides.",
  )
  .option("--before <target>", "preset name or scenario file before the upgrade", "sync")
  .option("--after <target>", "preset name or scenario file after the upgrade", "async")
  .option(
    "--period <name=blocks>",
    "a period in para blocks, e.g. vesting=50400 (repeatable)",
    collect,
    [],
  )
  .option("--issuance-per-block <n>", "tokens issued per para block before the upgrade")
  .option("--seed <n>", "override the scenarios' seed")
  .option("--relay-blocks <n>", "override the number of measured relay blocks")
  .option("--generation <g>", "current or 2024")
  .option("--json", "print the figures as JSON")
  .option(...JOBS_OPTION)
  .option("--no-progress", "no progress bar")
  .addHelpText(
    "after",
    "\nExamples:\n" +
      "  parapipe timing --period week=50400 --issuance-per-block 10   # a 7-day period at 12 s blocks\n" +
      "  parapipe timing --before my-chain.yaml --after my-chain-async.yaml --period era=14400\n",
  )
  .action(async (opts: Parameters<typeof timingCommand>[0]) => {
    const { timingCommand } = await import("./timing.ts");
    process.exitCode = await timingCommand(opts);
  });

program
  .command("upgrade")
  .description(
    "The async backing upgrade guide, rehearsed: without a SCENARIO, the async preset's relay " +
      "chain with the sync preset's parachain for 120 relay blocks, the guide's phases 1 (runtime), " +
      "2 (collator) and 3 (runtime) at relay blocks 20, 50 and 80; with one, its upgrades: list. " +
      "Runtime phases go through the relay chain's code-upgrade path. Prints each phase's block time " +
      "and execution per relay block from where it took effect, the stalls and the panics with the " +
      "rule behind them. Exit 0: clean; 1: a stall, a panic or a safety violation; 2: bad input.",
  )
  .argument("[scenario]", "a scenario with an upgrades: list")
  .option("--order <phases>", "the phases' order in the rehearsal, e.g. 3,1,2 (a wrong order)")
  .option("--seed <n>", "override the scenario's seed")
  .option("--relay-blocks <n>", "override the number of measured relay blocks")
  .option("--generation <g>", "current or 2024")
  .option("--json", "print the phases, stalls and panics as JSON (SCENARIO.md)")
  .option("--markdown", "print the phases table as Markdown")
  .option("--csv", "print the phases table as CSV (RFC 4180); stalls and panics go to stderr")
  .option("--report <file>", "also write a self-contained HTML report (docs/report.md)")
  .option(
    "--log <level>",
    "write chain-time logs to stderr: a level (error, warn, info, debug, trace) or levels per target, e.g. warn,backing=debug,collator=info",
  )
  .option("--no-progress", "no progress bar")
  .addHelpText(
    "after",
    "\nExamples:\n" +
      "  parapipe upgrade                   # phases 1, 2, 3 at relay blocks 20, 50, 80\n" +
      "  parapipe upgrade --order 3,1,2     # phase 3's runtime first: what breaks\n" +
      "  parapipe upgrade my-chain.yaml     # upgrades: [{at: 20, phase: 1}, {at: 60, runtime: {...}}]\n" +
      "  parapipe upgrade --report upgrade.html   # the block time with the phases marked, in HTML\n",
  )
  .action(async (files: string | undefined, opts: Parameters<typeof upgradeCommand>[1]) => {
    const { upgradeCommand } = await import("./upgrade.ts");
    process.exitCode = await upgradeCommand(files === undefined ? [] : [files], opts);
  });

program
  .command("import")
  .description(
    "Print the scenario (YAML) a zombienet v1 network (TOML) maps to: validators, the relay " +
      "chain's genesis preset for its chain (rococo-local) with the file's host-configuration " +
      "overrides, parachains and collators, with {% for %} ranges and variables' defaults " +
      "rendered; from the .zndsl beside it, each para's cores (assign-core.js) and the assertions " +
      "parapipe measures as timed expect: checks (para block height, relay and collator block " +
      "height, registered), polled in virtual time as zombienet polls. Keys parapipe does not " +
      "model (images, commands, args, resources) and .zndsl lines it does not check are listed on " +
      "stderr with the reason; what it would have to guess is refused (docs/import.md). run, " +
      "check and compare take the .toml directly. Exit 0: imported; 2: refused (file, line and " +
      "reason).",
  )
  .argument("<network>", "a zombienet network file (.toml)")
  .option(
    "--para-preset <spec>",
    "the preset whose parachain runtime, collator and load the paras take: NAME for every para, ID=NAME for one (comma-separated), NAME one of sync, async, elastic-3, elastic-12",
    "async",
  )
  .option(
    "--cores <n>",
    "cores per para: N for every para or ID=N,ID=N (default: the .zndsl's assign-core.js lines, else one per para registered at genesis)",
  )
  .option(
    "--zndsl <file>",
    "the network's test file (default: the .zndsl beside the network whose Network: line names it)",
  )
  .addHelpText(
    "after",
    "\nExamples:\n" +
      "  parapipe import ../shared/zombienet/0011-async-backing-6-seconds-rate.toml > 0011.yaml\n" +
      "  parapipe run 0011.yaml                          # then simulate it and judge its checks\n" +
      "  parapipe run ../shared/zombienet/0017-sync-backing.toml   # or run the network directly\n" +
      "  parapipe import network.toml --para-preset sync --cores 2000=2,2001=1\n" +
      "  parapipe import 0008-elastic_authoring.toml --para-preset 2100=elastic-3   # one elastic para\n",
  )
  .action(async (file: string, opts: Parameters<typeof importCommand>[1]) => {
    const { importCommand } = await import("./import.ts");
    process.exitCode = importCommand(file, opts);
  });

program
  .command("fuzz")
  .description(
    "A VOPR for the inclusion pipeline (docs/fuzz.md): each seed draws a scenario (preset, " +
      "validators, cores, collators, network, generation) and a fault and adversary plan within " +
      "the budget (each run enables a random subset of the modelled kinds), runs it, and judges " +
      "it by the safety invariants and the liveness rule. Each failure is written to DIR as a " +
      "scenario that `parapipe run` replays exactly, with one line: FAIL seed S: <invariant or " +
      "liveness>: parapipe run DIR/seed-S.yaml. Ends with a table: runs, the runs exercising each " +
      "kind, the invariants checked, the failures. PARAPIPE_BUGGIFY=NAME plants a bug in the relay " +
      "runtime (to test the tester). Exit 0: no failure; 1: a safety failure; 3: only liveness " +
      "failures; 4: an internal error; 2: bad input.",
  )
  .requiredOption("--seeds <n>", "how many seeds (scenarios) to run")
  .option("--from <s>", "the first seed (default 1)")
  .option(...JOBS_OPTION)
  .option("--minutes <m>", "start no new seed after M minutes of wall time")
  .option("--out <dir>", "where failing scenarios are written", "fuzz-failures")
  .option("--stop-on-failure", "start no new seed after the first failure")
  .option("--shrink", "reduce each failing scenario to a smaller one that fails the same way")
  .option("--json", 'print {"runs", "failures": [...], "exercised": {...}} (docs/fuzz.md)')
  .option("--no-progress", "no progress bar (it is drawn only on a terminal anyway)")
  .addHelpText(
    "after",
    "\nExamples:\n" +
      "  parapipe fuzz --seeds 1000 --jobs 2                 # the VOPR: 0 failures expected\n" +
      "  parapipe fuzz --seeds 200 --from 5000 --minutes 5 --json\n" +
      "  PARAPIPE_BUGGIFY=backing-votes-minus-one parapipe fuzz --seeds 200 --stop-on-failure --shrink\n",
  )
  .action(async (opts: Parameters<typeof fuzzCommand>[0]) => {
    const { fuzzCommand } = await import("./fuzz.ts");
    process.exitCode = await fuzzCommand(opts);
  });

/** The options of the simulating commands (`run`, `compare`). */
function withSimulateOptions(command: Command): Command {
  return command
    .option(
      "-p, --preset <name>",
      "a built-in preset: sync, async, elastic-3, elastic-12 (repeatable)",
      collect,
      [],
    )
    .option("--seed <n>", "override the scenario's seed")
    .option("--relay-blocks <n>", "override the number of measured relay blocks")
    .option(
      "--generation <g>",
      "which polkadot-sdk node and collator rules run: current (the newest stable release) or 2024",
    )
    .option(
      "--log <level>",
      "write chain-time logs to stderr: a level (error, warn, info, debug, trace) or levels per target, e.g. warn,backing=debug,collator=info",
    )
    .option(
      "--approval-views <form>",
      "how validators see each other's approval gossip: per-validator (every copy imported by " +
        "every validator) or shared (approval voting once, each validator's view from its own " +
        "copy of the item that approved a candidate; much faster at hundreds of validators). " +
        "Default: shared from 100 validators on a network without loss, faults or adversaries " +
        '(docs/simulator.md "Approval views")',
    )
    .option(...JOBS_OPTION)
    .option("--no-progress", "no progress bar (it is drawn only on a terminal anyway)");
}

/** What `run` and `compare` take for zombienet network files (`.toml`), as `import` does. */
function withNetworkOptions(command: Command): Command {
  return command
    .option(
      "--para-preset <spec>",
      "for .toml networks: the paras' runtime, collator and load from a preset, NAME or ID=NAME,... (default async)",
    )
    .option(
      "--cores <n>",
      "for .toml networks: cores per para, N or ID=N,... (default: the .zndsl's assign-core.js lines, else one)",
    );
}

/** The output options of `run` and `compare` (`--json` is each command's own). */
function withOutputOptions(command: Command, what: string): Command {
  return command
    .option("--markdown", `print ${what} as Markdown`)
    .option("--csv", `print ${what} as CSV (RFC 4180), alone on stdout (other lines on stderr)`)
    .option(
      "--report <file>",
      "also write a self-contained HTML report: the tables and charts (docs/report.md)",
    );
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

// Before any command runs: the WebAssembly BLAKE2b and sr25519 checks (the same answers as
// noble's and scure's, faster), as in every `--jobs` worker (thread-setup.ts).
program.hook("preAction", async () => {
  const { setUpThread } = await import("./thread-setup.ts");
  await setUpThread();
});

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else if (e instanceof (await import("./targets.ts")).InputError) {
    console.error(`error: ${e.message}`);
    process.exitCode = 2;
  } else {
    throw e;
  }
}
