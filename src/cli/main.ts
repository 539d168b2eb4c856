/**
 * The `parapipe` command line: argument parsing only, then calls into the layers below.
 * Exit codes: 0 success, 1 a check failed (a vector, an invariant), 2 bad input.
 */
import { Command, CommanderError } from "commander";
import { conformanceCommand } from "./conformance.ts";

const program = new Command();
program
  .name("parapipe")
  .description(
    "Polkadot's parachain inclusion pipeline (asynchronous backing, elastic scaling), implemented\n" +
      "as polkadot-sdk defines it and checked against vectors derived from its unit tests.",
  )
  .version("0.1.0")
  .exitOverride()
  .showHelpAfterError("(run with --help for usage)");

program
  .command("conformance")
  .description(
    "Run conformance vectors: JSON cases derived from polkadot-sdk's own unit tests.\n" +
      "Each PATH is a vector file or a folder searched recursively for *.json.\n" +
      "Prints PASS/FAIL per vector and a closing 'N passed, N failed'.\n" +
      "Exit 0: all passed; 1: some failed; 2: a vector could not be read or names an unknown suite or op.",
  )
  .argument("<path...>", "vector files or folders, e.g. ../shared/conformance/vectors")
  .option("--json", "print the verdicts as JSON instead of lines")
  .option("-q, --quiet", "print only failures and the closing line")
  .addHelpText(
    "after",
    "\nExamples:\n  parapipe conformance ../shared/conformance/vectors\n  parapipe conformance vectors/fragment-chain/FC19-populate-max-depth-2.json --json",
  )
  .action((paths: string[], opts: { json?: boolean; quiet?: boolean }) => {
    process.exitCode = conformanceCommand(paths, opts);
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else {
    throw e;
  }
}
