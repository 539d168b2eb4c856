import { describe, expect, it } from "vitest";
import {
  canUpgradeValidationCode,
  newParasState,
  noteNewHead,
  processScheduledUpgradeChanges,
  processScheduledUpgradeCooldowns,
  registerPara,
  scheduleCodeUpgrade,
  validationCodeHash,
} from "../../src/relay/paras.ts";
import { config, DUMMY_CODE, head } from "./helpers.ts";

const NEW_CODE = new Uint8Array([9, 8, 7, 6, 5, 4, 3, 2, 1]);

describe("paras", () => {
  it("register sets the head, the code and a most recent context of 0", () => {
    const p = newParasState();
    registerPara(p, 7, head(1), DUMMY_CODE);
    expect(p.heads.get(7)).toBe(head(1));
    expect(p.mostRecentContext.get(7)).toBe(0);
    expect(p.currentCodeHash.get(7)).toBe(validationCodeHash(DUMMY_CODE));
    expect(p.codeByHash.get(validationCodeHash(DUMMY_CODE))).toEqual(DUMMY_CODE);
  });

  it("note_new_head sets the head and MostRecentContext and resets a stale Abort", () => {
    const p = newParasState();
    registerPara(p, 1, head(0), DUMMY_CODE);
    p.upgradeGoAheadSignal.set(1, "Abort");
    noteNewHead(p, 1, head(5), 12);
    expect(p.heads.get(1)).toBe(head(5));
    expect(p.mostRecentContext.get(1)).toBe(12);
    expect(p.upgradeGoAheadSignal.has(1)).toBe(false);
  });

  it("schedule_code_upgrade: restriction, cooldown, go-ahead, and the no-op cases", () => {
    const cfg = config({
      validationUpgradeDelay: 2,
      minimumValidationUpgradeDelay: 4,
      validationUpgradeCooldown: 10,
    });
    const p = newParasState();
    registerPara(p, 1, head(0), DUMMY_CODE);
    // Same code as the current one: aborted at once.
    scheduleCodeUpgrade(p, 1, DUMMY_CODE, 5, cfg);
    expect(p.futureCodeHash.has(1)).toBe(false);
    // Too small (MIN_CODE_SIZE) or too large: ignored.
    scheduleCodeUpgrade(p, 1, new Uint8Array([1, 2]), 5, cfg);
    scheduleCodeUpgrade(p, 1, new Uint8Array(cfg.maxCodeSize + 1), 5, cfg);
    expect(p.futureCodeHash.has(1)).toBe(false);
    expect(canUpgradeValidationCode(p, 1)).toBe(true);

    scheduleCodeUpgrade(p, 1, NEW_CODE, 5, cfg);
    expect(canUpgradeValidationCode(p, 1)).toBe(false);
    expect(p.futureCodeUpgrades.get(1)).toBe(9); // max(5 + 2, 5 + 4)
    // `process_scheduled_upgrade_changes`: the go-ahead at the initialisation of block 9.
    expect(p.upgradeGoAheadSignal.has(1)).toBe(false);
    processScheduledUpgradeChanges(p, 8);
    expect(p.upgradeGoAheadSignal.has(1)).toBe(false);
    processScheduledUpgradeChanges(p, 9);
    expect(p.upgradeGoAheadSignal.get(1)).toBe("GoAhead");
    expect(p.upcomingUpgrades).toEqual([]);
    expect(p.upgradeCooldowns).toEqual([[1, 15]]);
    // Already in progress: no-op.
    scheduleCodeUpgrade(p, 1, new Uint8Array(12), 6, cfg);
    expect(p.futureCodeHash.get(1)).toBe(validationCodeHash(NEW_CODE));

    noteNewHead(p, 1, head(1), 8);
    expect(p.currentCodeHash.get(1)).toBe(validationCodeHash(DUMMY_CODE));
    noteNewHead(p, 1, head(2), 9);
    expect(p.currentCodeHash.get(1)).toBe(validationCodeHash(NEW_CODE));
    expect(canUpgradeValidationCode(p, 1)).toBe(false); // restriction until the cooldown
    processScheduledUpgradeCooldowns(p, 14);
    expect(canUpgradeValidationCode(p, 1)).toBe(false);
    processScheduledUpgradeCooldowns(p, 15);
    expect(canUpgradeValidationCode(p, 1)).toBe(true);
    expect(p.upgradeCooldowns).toEqual([]);
  });

  it("keeps upgrade cooldowns sorted by block", () => {
    const cfg = config({ validationUpgradeCooldown: 10 });
    const p = newParasState();
    for (const id of [1, 2, 3]) registerPara(p, id, head(0), DUMMY_CODE);
    scheduleCodeUpgrade(p, 1, NEW_CODE, 8, cfg);
    scheduleCodeUpgrade(p, 2, NEW_CODE, 3, cfg);
    scheduleCodeUpgrade(p, 3, NEW_CODE, 5, cfg);
    expect(p.upgradeCooldowns).toEqual([
      [2, 13],
      [3, 15],
      [1, 18],
    ]);
  });
});
