/**
 * `parapipe check`: the configuration doctor. Diagnoses a resolved scenario (`rules.ts`) and
 * attaches each finding's evidence: the static rule with its figures, or the given and fixed
 * configurations simulated side by side (`evidence.ts`). The result is SCENARIO.md's
 * `{"findings": [...]}` (docs/check.md).
 *
 * Invariants: no finding, no simulation (a clean scenario is checked in milliseconds); the
 * findings are deterministic given the scenario (the simulations are seeded).
 */
import type { Scenario } from "../../config/scenario.ts";
import { runScenario } from "../run.ts";
import {
  evidenceFor,
  evidenceRuns,
  type Measured,
  measure,
  type Simulate,
  type SimulatedEvidence,
} from "./evidence.ts";
import { diagnose, type FindingId, type Severity, type SimulatedProof } from "./rules.ts";

export interface Finding {
  readonly id: FindingId;
  readonly severity: Severity;
  readonly message: string;
  readonly why: string;
  readonly reference: string;
  readonly evidence: { readonly rule: string } | SimulatedEvidence;
}

export interface CheckReport {
  readonly findings: readonly Finding[];
}

export interface CheckOptions {
  /** How an evidence scenario is run (default: `runScenario`). */
  readonly simulate?: Simulate;
  /**
   * An evidence run's figures, when the caller has run `evidenceScenarios` already (in worker
   * threads, say); instead of `simulate`.
   */
  readonly figures?: (scenario: Scenario) => Measured;
}

/**
 * The scenarios `checkScenario` simulates for its findings' evidence, in the order it runs them
 * (none for a scenario without a simulated finding).
 */
export function evidenceScenarios(scenario: Scenario): Scenario[] {
  const proofs = diagnose(scenario).flatMap((d): SimulatedProof[] =>
    d.proof.kind === "simulate" ? [d.proof] : [],
  );
  return evidenceRuns(scenario, proofs);
}

export function checkScenario(scenario: Scenario, options: CheckOptions = {}): CheckReport {
  const simulate = options.simulate ?? ((s: Scenario) => runScenario(s));
  const evidence = evidenceFor(scenario, options.figures ?? ((s) => measure(simulate(s))));
  return {
    findings: diagnose(scenario).map((d) => ({
      id: d.id,
      severity: d.severity,
      message: d.message,
      why: d.why,
      reference: d.reference,
      evidence: d.proof.kind === "static" ? { rule: d.proof.rule } : evidence(d.proof),
    })),
  };
}
