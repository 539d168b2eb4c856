/**
 * `PARAPIPE_BUGGIFY=NAME`: the ONE place that reads the planted-bug switch (src/relay/buggify.ts)
 * from the environment. The name is validated here (an unknown one is bad input, exit 2, listing
 * the names) and handed down as an option: to every run's job (run-job.ts, worker threads too),
 * from there to `WorldOptions.buggify` and the relay runtime's `ApplyBlockContext`. Unset or
 * empty: no bug, polkadot-sdk's runtime.
 */
import { isPlantedBug, PLANTED_BUGS, type PlantedBug } from "../relay/buggify.ts";
import { InputError } from "./input-error.ts";

export const BUGGIFY_VARIABLE = "PARAPIPE_BUGGIFY";

/** The planted bug the environment names, or undefined; `InputError` on an unknown name. */
export function buggifyFromEnv(env: NodeJS.ProcessEnv = process.env): PlantedBug | undefined {
  const name = env[BUGGIFY_VARIABLE];
  if (name === undefined || name === "") return undefined;
  if (!isPlantedBug(name)) {
    throw new InputError(
      `${BUGGIFY_VARIABLE}: expected one of ${PLANTED_BUGS.join(", ")}, got ${JSON.stringify(name)}`,
    );
  }
  return name;
}

/** The prefix of a replay command run with the bug planted (`PARAPIPE_BUGGIFY=NAME `), or "". */
export function buggifyPrefix(bug: PlantedBug | undefined): string {
  return bug === undefined ? "" : `${BUGGIFY_VARIABLE}=${bug} `;
}
