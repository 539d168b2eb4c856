/**
 * The signatures and VRFs, per operation and library: `npm run bench -- --only crypto [--runs N]`.
 *
 * For each operation, the median wall time of one call (µs) over `runs` samples (default 15),
 * each sample a pass over 64 inputs (keys, messages, signatures) made from a seeded PRNG; the
 * implementations of an operation take turns sample by sample, so a change in the machine's load
 * falls on all of them alike. One untimed pass warms each up first; every verification is checked
 * to accept and every ed25519 signature and VRF output to be the pure one's (outside the timing),
 * so a fast rejection or a wrong answer is never what is measured.
 *
 * Operations (the messages are 128 bytes, about a signed statement's payload; the VRF transcripts
 * are approval-voting/vrf.ts's serialisation of a 32-byte relay VRF story and a sample):
 * - sr25519 sign / verify: @scure/sr25519 (with the seeded nonce of src/primitives/signing.ts)
 *   and @polkadot/wasm-crypto (schnorrkel in WebAssembly; its signing draws the nonce from the OS,
 *   so parapipe does not sign with it);
 * - sr25519 VRF sign / verify: @scure's `vrf.sign` (seeded nonce) / `vrf.verify` and wasm-crypto's
 *   `vrfSign` (OS nonce) / `vrfVerify`, on the ctx, msg and extra bytes vrf.ts passes;
 * - sr25519 VRF output only (vrf.ts `output`: hash to the input point, multiply it by the key,
 *   no proof), the multiplication by @noble/curves or by wasm-crypto's `sr25519Agree`;
 * - ed25519 sign / verify: @noble/curves, node:crypto (as src/cli/native-crypto.ts calls it, with
 *   its key objects cached) and wasm-crypto (ed25519-dalek; deterministic like all RFC 8032).
 *
 * What the CLI uses per operation is marked (src/cli/native-crypto.ts).
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import * as wasm from "@polkadot/wasm-crypto";
import * as scure from "@scure/sr25519";
import { nodeEd25519, useNativeCrypto, wasmSr25519 } from "../src/cli/native-crypto.ts";
import { bytesEqual } from "../src/lib/hex.ts";
import { Prng } from "../src/lib/prng.ts";
import { sr25519Vrf, transcript, transcriptBytes } from "../src/node/core/approval-voting/vrf.ts";
import { ed25519Crypto, interoperable, sr25519Crypto } from "../src/primitives/signing.ts";
import { printTable } from "./table.ts";

const INPUTS = 64;
const MESSAGE_BYTES = 128;

interface Input {
  readonly seed: Uint8Array;
  /** @scure's 64-byte secret key (= wasm-crypto's, ed25519 form) and public key. */
  readonly srSecret: Uint8Array;
  readonly srPublic: Uint8Array;
  readonly edSecret: Uint8Array;
  readonly edPublic: Uint8Array;
  readonly message: Uint8Array;
  readonly srSignature: Uint8Array;
  readonly edSignature: Uint8Array;
  /** The VRF's ctx, msg and extra bytes as vrf.ts passes them, and @scure's signature. */
  readonly vrfContext: Uint8Array;
  readonly vrfMessage: Uint8Array;
  readonly vrfExtra: Uint8Array;
  readonly vrfSignature: Uint8Array;
  readonly nonce: Uint8Array;
}

interface Implementation {
  readonly library: string;
  /** Whether the CLI uses it for this operation. */
  readonly used: boolean;
  readonly note?: string;
  readonly run: (x: Input) => unknown;
  /**
   * Checked on every input before the timing: a verification must accept, a deterministic
   * signature or output must be the pure one's.
   */
  readonly check?: (x: Input) => boolean;
}

interface Operation {
  readonly name: string;
  readonly implementations: readonly Implementation[];
}

function bytesOf(rng: Prng, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => rng.int(256));
}

function inputsOf(rng: Prng): Input[] {
  const utf8 = new TextEncoder();
  return Array.from({ length: INPUTS }, (_, i) => {
    const seed = bytesOf(rng, 32);
    const sr = sr25519Crypto.keypairFromSeed(seed);
    const ed = ed25519Crypto.keypairFromSeed(seed);
    const message = bytesOf(rng, MESSAGE_BYTES);
    const t = transcript(
      "A&V MOD",
      ["sample", Uint8Array.of(i & 0xff, 0, 0, 0)],
      ["story", bytesOf(rng, 32)],
    );
    const vrfContext = utf8.encode(t.context);
    const vrfMessage = transcriptBytes(t);
    const vrfExtra = i % 2 === 0 ? new Uint8Array(0) : bytesOf(rng, 40);
    const nonce = bytesOf(rng, 32);
    return {
      seed,
      srSecret: sr.secretKey,
      srPublic: sr.publicKey,
      edSecret: ed.secretKey,
      edPublic: ed.publicKey,
      message,
      srSignature: sr25519Crypto.sign(sr.secretKey, message),
      edSignature: ed25519Crypto.sign(ed.secretKey, message),
      vrfContext,
      vrfMessage,
      vrfExtra,
      vrfSignature: scure.vrf.sign(vrfMessage, sr.secretKey, vrfContext, vrfExtra, nonce),
      nonce,
    };
  });
}

function operations(): Operation[] {
  const vrf = sr25519Vrf(() => new Uint8Array(32));
  const fastVrf = sr25519Vrf(() => new Uint8Array(32), wasmSr25519);
  const vrfTranscript = transcript("A&V MOD", ["sample", new Uint8Array(4)]);
  return [
    {
      name: "sr25519 sign",
      implementations: [
        {
          library: "@scure/sr25519",
          used: true,
          note: "seeded nonce",
          run: (x) => sr25519Crypto.sign(x.srSecret, x.message),
        },
        {
          library: "@polkadot/wasm-crypto",
          used: false,
          note: "OS nonce",
          run: (x) => wasm.sr25519Sign(x.srPublic, x.srSecret, x.message),
        },
      ],
    },
    {
      name: "sr25519 verify",
      implementations: [
        {
          library: "@scure/sr25519",
          used: false,
          run: (x) => scure.verify(x.message, x.srSignature, x.srPublic),
          check: (x) => scure.verify(x.message, x.srSignature, x.srPublic),
        },
        {
          library: "@polkadot/wasm-crypto",
          used: true,
          run: (x) => wasm.sr25519Verify(x.srSignature, x.message, x.srPublic),
          check: (x) => wasm.sr25519Verify(x.srSignature, x.message, x.srPublic),
        },
      ],
    },
    {
      name: "sr25519 VRF sign",
      implementations: [
        {
          library: "@scure/sr25519",
          used: true,
          note: "seeded nonce",
          run: (x) => scure.vrf.sign(x.vrfMessage, x.srSecret, x.vrfContext, x.vrfExtra, x.nonce),
        },
        {
          library: "@polkadot/wasm-crypto",
          used: false,
          note: "OS nonce",
          run: (x) => wasm.vrfSign(x.srSecret, x.vrfContext, x.vrfMessage, x.vrfExtra),
        },
      ],
    },
    {
      name: "sr25519 VRF verify",
      implementations: [
        {
          library: "@scure/sr25519",
          used: false,
          run: (x) =>
            scure.vrf.verify(x.vrfMessage, x.vrfSignature, x.srPublic, x.vrfContext, x.vrfExtra),
          check: (x) =>
            scure.vrf.verify(x.vrfMessage, x.vrfSignature, x.srPublic, x.vrfContext, x.vrfExtra),
        },
        {
          library: "@polkadot/wasm-crypto",
          used: true,
          run: (x) =>
            wasm.vrfVerify(x.srPublic, x.vrfContext, x.vrfMessage, x.vrfExtra, x.vrfSignature),
          check: (x) =>
            wasm.vrfVerify(x.srPublic, x.vrfContext, x.vrfMessage, x.vrfExtra, x.vrfSignature),
        },
      ],
    },
    {
      name: "sr25519 VRF output only",
      implementations: [
        {
          library: "@noble/curves",
          used: false,
          note: "multiply",
          run: (x) =>
            vrf.output({ publicKey: x.srPublic, secretKey: x.srSecret }, vrfTranscript, "ctx"),
        },
        {
          library: "@polkadot/wasm-crypto",
          used: true,
          note: "sr25519Agree",
          run: (x) =>
            fastVrf.output({ publicKey: x.srPublic, secretKey: x.srSecret }, vrfTranscript, "ctx"),
          check: (x) => {
            const keypair = { publicKey: x.srPublic, secretKey: x.srSecret };
            return bytesEqual(
              fastVrf.output(keypair, vrfTranscript, "ctx"),
              vrf.output(keypair, vrfTranscript, "ctx"),
            );
          },
        },
      ],
    },
    {
      name: "ed25519 sign",
      implementations: [
        {
          library: "@noble/curves",
          used: false,
          run: (x) => ed25519.sign(x.message, x.edSecret),
          check: (x) => bytesEqual(ed25519.sign(x.message, x.edSecret), x.edSignature),
        },
        {
          library: "node:crypto",
          used: true,
          run: (x) => nodeEd25519.sign(x.edSecret, x.message),
          check: (x) => bytesEqual(nodeEd25519.sign(x.edSecret, x.message), x.edSignature),
        },
        {
          library: "@polkadot/wasm-crypto",
          used: false,
          run: (x) => wasm.ed25519Sign(x.edPublic, x.edSecret, x.message),
          check: (x) =>
            bytesEqual(wasm.ed25519Sign(x.edPublic, x.edSecret, x.message), x.edSignature),
        },
      ],
    },
    {
      name: "ed25519 verify",
      implementations: [
        {
          library: "@noble/curves",
          used: false,
          run: (x) => ed25519.verify(x.edSignature, x.message, x.edPublic),
          check: (x) => ed25519.verify(x.edSignature, x.message, x.edPublic),
        },
        {
          library: "node:crypto",
          used: true,
          run: (x) => nodeEd25519.verify(x.message, x.edSignature, x.edPublic),
          check: (x) => nodeEd25519.verify(x.message, x.edSignature, x.edPublic),
        },
        {
          library: "@polkadot/wasm-crypto",
          used: false,
          run: (x) => wasm.ed25519Verify(x.edSignature, x.message, x.edPublic),
          check: (x) => wasm.ed25519Verify(x.edSignature, x.message, x.edPublic),
        },
      ],
    },
  ];
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** µs per call of one pass of `run` over the inputs. */
function pass(run: (x: Input) => unknown, inputs: readonly Input[]): number {
  const t0 = performance.now();
  for (const x of inputs) run(x);
  return ((performance.now() - t0) * 1000) / inputs.length;
}

/** Runs the operations and prints the table. */
export async function cryptoBench(runs = 15): Promise<void> {
  const t0 = performance.now();
  await wasm.waitReady();
  const wasmInitMs = performance.now() - t0;
  await useNativeCrypto();
  const t1 = performance.now();
  const agrees = interoperable(sr25519Crypto, wasmSr25519) === null;
  const agreeMs = performance.now() - t1;
  if (!agrees)
    throw new Error(
      `wasm-crypto disagrees with @scure: ${interoperable(sr25519Crypto, wasmSr25519)}`,
    );
  const inputs = inputsOf(Prng.fromSeed(1).fork("crypto-bench"));
  const header = ["operation", "library", "µs (median)", "min..max µs", "x vs first", "CLI uses"];
  const rows: string[][] = [];
  for (const op of operations()) {
    for (const impl of op.implementations) {
      if (impl.check !== undefined && !inputs.every(impl.check)) {
        throw new Error(`${op.name} / ${impl.library}: rejects a valid input`);
      }
      pass(impl.run, inputs);
    }
    const samples = op.implementations.map((): number[] => []);
    for (let r = 0; r < runs; r++) {
      for (const [i, impl] of op.implementations.entries()) {
        samples[i]!.push(pass(impl.run, inputs));
      }
    }
    const first = median(samples[0]!);
    op.implementations.forEach((impl, i) => {
      const s = samples[i]!;
      const m = median(s);
      rows.push([
        op.name,
        impl.library + (impl.note === undefined ? "" : ` (${impl.note})`),
        m.toFixed(1),
        `${Math.min(...s).toFixed(0)}..${Math.max(...s).toFixed(0)}`,
        i === 0 ? "1.0" : (first / m).toFixed(1),
        impl.used ? "yes" : "",
      ]);
    });
  }
  console.log(
    `signatures and VRFs: node ${process.version}, median of ${runs} passes over ${INPUTS} inputs ` +
      `(${MESSAGE_BYTES}-byte messages); implementations alternate pass by pass. ` +
      `wasm-crypto start-up: ${wasmInitMs.toFixed(0)} ms to compile, ${agreeMs.toFixed(0)} ms for the ` +
      "agreement check (interoperable, run once by the CLI when a run first asks for sr25519)",
  );
  printTable(header, rows);
  console.log(
    '"x vs first": how many times faster than the first library of the operation. ' +
      "The CLI signs with the seeded implementations only (src/cli/native-crypto.ts).",
  );
}
