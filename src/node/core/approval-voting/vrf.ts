/**
 * The VRF behind approval assignments, as one interface (STYLE.md: crypto is handed in): a
 * validator evaluates it on a transcript (the relay VRF story, a sample or a core) and gets
 * `make_bytes(outputContext)` with a proof; a checker verifies the pair against the validator's
 * assignment key. Two implementations:
 *
 * - `prfVrf`, MODELLED (crypto modes `none` and `ed25519`): a keyed PRF standing in for the VRF
 *   (spec/SEMANTICS.md 5.7 "Model instead of computing"). The output is
 *   `blake2b256("parapipe/prf-vrf/output" ‖ publicKey ‖ outputContext ‖ transcript)`, the proof is
 *   `blake2b256("parapipe/prf-vrf/proof" ‖ output ‖ extra)` (fields length-prefixed), and
 *   verification recomputes both: two hashes each way. DEPARTURE from SEMANTICS'
 *   `blake2(secret ‖ ...)`: the key is the PUBLIC key, because verification by recomputation must
 *   work with the key a checker holds (for `none` the public key is itself a hash of the
 *   secret). So it keeps what the simulation relies on (an output is a function of key and
 *   transcript, uniform, unique: a validator cannot pick its tranche, a tampered output or a wrong
 *   key is rejected) and drops what it never exercises (unpredictability to others,
 *   unforgeability): anyone can compute anyone's output.
 * - `sr25519Vrf(random, native)`: REAL sr25519 VRFs (@scure/sr25519 `vrf.sign`, schnorrkel's DLEQ
 *   proof over ristretto255; verified with @scure's `vrf.verify` and outputs computed with
 *   @noble/curves unless the crypto provider injects its own `vrfVerify` and `agree`, e.g. the
 *   CLI's schnorrkel in WebAssembly: src/cli/native-crypto.ts, checked to agree before use), with
 *   the nonce randomness drawn from the given seeded function,
 *   so the same seed gives the same bytes (the witness also mixes in the key's nonce seed and the
 *   transcript, as in schnorrkel: a constant `random` gives proofs that depend on key and
 *   transcript only, a stream gives proofs that depend on the order of evaluations; outputs never
 *   depend on it). Over a PARAPIPE transcript: the labelled messages are
 *   serialised into `msg` (`transcriptBytes`), the context label goes in `ctx`, the extra
 *   transcript (its context and messages) in `extra`. The signature is `preOutput(32) ‖ c(32) ‖
 *   s(32)` (index.ts: `concatBytes(p.output.toBytes(), cBytes, sBytes)`); the proof is those 96
 *   bytes and the output is `makeBytes(signature[0..32], outputContext)`, a blake2b-256 of the
 *   pre-output (the VRF output point) and the output context. NOT byte-compatible with
 *   polkadot: schnorrkel hashes a Merlin transcript built with `Transcript::new(b"A&V MOD")` and
 *   `append_message` ops (here: a SigningContext fed our serialised bytes), and its `make_bytes`
 *   is a Merlin `VRFResult` transcript over the input and output points (here: blake2b over the
 *   output point and the context; the output point already depends on the input).
 *
 * `extra` mirrors schnorrkel's `vrf_sign_extra`: it is bound by the proof only and never changes
 * the output (@scure: "Extra bytes bind only the separate DLEQ transcript"), so an assignment's
 * core can be chosen from the output first and then signed into the proof.
 *
 * Invariants: `verify` never throws (malformed keys, proofs or points give false); `evaluate`
 * asserts its key's shape (a wrong key is a parapipe bug). Outputs are 32 bytes.
 *
 * Ref: polkadot/node/core/approval-voting/src/criteria.rs (vrf_sign, vrf_sign_extra_after_check,
 *      vrf_verify, vrf_verify_extra, make_bytes); schnorrkel src/vrf.rs; @scure/sr25519 index.ts.
 */
import { ristretto255, ristretto255_hasher } from "@noble/curves/ed25519.js";
import { bytesToNumberLE } from "@noble/curves/utils.js";
import { __tests as scureTests, vrf as scureVrf } from "@scure/sr25519";
import { assert } from "../../../lib/assert.ts";
import { bytesEqual } from "../../../lib/hex.ts";
import { getOrInsertComputed } from "../../../lib/memo.ts";
import { blake2b256 } from "../../../primitives/hashing.ts";
import {
  type Crypto,
  type Keypair,
  type Sr25519Agree,
  scureVrfVerify,
} from "../../../primitives/signing.ts";

/** One labelled message of a transcript (Merlin's `append_message(label, message)`). */
export interface TranscriptMessage {
  readonly label: string;
  readonly message: Uint8Array;
}

/** A transcript: a context label (`Transcript::new(context)`) and labelled messages, in order. */
export interface Transcript {
  readonly context: string;
  readonly messages: readonly TranscriptMessage[];
}

/** A VRF evaluation: `make_bytes(outputContext)` and the proof a checker verifies. */
export interface VrfSignature {
  readonly output: Uint8Array;
  readonly proof: Uint8Array;
}

export interface AssignmentVrf {
  readonly kind: "prf" | "sr25519";
  /** True when the VRF is modelled (not unpredictable nor unforgeable): `prfVrf`. */
  readonly modelled: boolean;
  /** `make_bytes(outputContext)` of the VRF on `transcript`, and a proof binding `extra` too. */
  evaluate(
    keypair: Keypair,
    transcript: Transcript,
    outputContext: string,
    extra?: Transcript,
  ): VrfSignature;
  /**
   * `evaluate(...).output` without the proof (schnorrkel's `vrf_create_hash` then `make_bytes`: one
   * scalar multiplication for sr25519, against about four for a proof). The proof never changes
   * the output, so a caller may learn its output first and prove later.
   */
  output(keypair: Keypair, transcript: Transcript, outputContext: string): Uint8Array;
  /** Whether `output` is `make_bytes(outputContext)` of `publicKey`'s VRF on `transcript`. */
  verify(
    publicKey: Uint8Array,
    transcript: Transcript,
    outputContext: string,
    output: Uint8Array,
    proof: Uint8Array,
    extra?: Transcript,
  ): boolean;
  /** Whether `publicKey` decodes as a key of this VRF (`schnorrkel::PublicKey::from_bytes`). */
  isPublicKey(publicKey: Uint8Array): boolean;
}

export const VRF_OUTPUT_BYTES = 32;
const PUBLIC_KEY_BYTES = 32;
const SR25519_SECRET_BYTES = 64;
const SR25519_SIGNATURE_BYTES = 96;
const SR25519_PRE_OUTPUT_BYTES = 32;

const utf8 = new TextEncoder();
const MAKE_BYTES_DOMAIN = utf8.encode("parapipe/vrf/make_bytes");
const PRF_OUTPUT_DOMAIN = utf8.encode("parapipe/prf-vrf/output");
const PRF_PROOF_DOMAIN = utf8.encode("parapipe/prf-vrf/proof");
const EMPTY = new Uint8Array(0);

/**
 * `head ‖ (u32le(|f|) ‖ f for f in fields)`, in one allocation: the fields are length-prefixed,
 * so different transcripts never serialise alike.
 */
function serialise(head: readonly Uint8Array[], fields: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const h of head) size += h.length;
  for (const f of fields) size += 4 + f.length;
  const out = new Uint8Array(size);
  let o = 0;
  for (const h of head) {
    out.set(h, o);
    o += h.length;
  }
  for (const f of fields) {
    const n = f.length;
    out[o] = n & 0xff;
    out[o + 1] = (n >>> 8) & 0xff;
    out[o + 2] = (n >>> 16) & 0xff;
    out[o + 3] = (n >>> 24) & 0xff;
    out.set(f, o + 4);
    o += 4 + n;
  }
  return out;
}

/** The fields of a transcript's messages: label, message, label, message, ... */
function messageFields(t: Transcript): Uint8Array[] {
  const fields: Uint8Array[] = [];
  for (const m of t.messages) fields.push(utf8.encode(m.label), m.message);
  return fields;
}

/** The fields of a whole transcript: its context, then its messages. */
function transcriptFields(t: Transcript): Uint8Array[] {
  return [utf8.encode(t.context), ...messageFields(t)];
}

/** A transcript from its context and `[label, message]` pairs. */
export function transcript(
  context: string,
  ...messages: readonly (readonly [string, Uint8Array])[]
): Transcript {
  return { context, messages: messages.map(([label, message]) => ({ label, message })) };
}

/** A transcript's messages, serialised: `u32le(|label|) ‖ label ‖ u32le(|msg|) ‖ msg`, in order. */
export function transcriptBytes(t: Transcript): Uint8Array {
  return serialise([], messageFields(t));
}

/**
 * A whole transcript (context, then messages), serialised: how an `extra` transcript is bound
 * (the `extra` bytes of @scure's `vrf.sign`); no extra transcript gives no bytes.
 */
export function extraTranscriptBytes(extra: Transcript | undefined): Uint8Array {
  return extra === undefined ? EMPTY : serialise([], transcriptFields(extra));
}

/**
 * parapipe's `make_bytes` of a pre-output:
 * `blake2b256("parapipe/vrf/make_bytes" ‖ u32le(|context|) ‖ context ‖ u32le(|pre|) ‖ pre)`.
 */
export function makeBytes(preOutput: Uint8Array, outputContext: string): Uint8Array {
  return blake2b256(serialise([MAKE_BYTES_DOMAIN], [utf8.encode(outputContext), preOutput]));
}

function prfOutput(publicKey: Uint8Array, t: Transcript, outputContext: string): Uint8Array {
  return blake2b256(
    serialise([PRF_OUTPUT_DOMAIN, publicKey], [utf8.encode(outputContext), ...transcriptFields(t)]),
  );
}

function prfProof(output: Uint8Array, extra: Transcript | undefined): Uint8Array {
  return blake2b256(serialise([PRF_PROOF_DOMAIN, output], [extraTranscriptBytes(extra)]));
}

function prfIsPublicKey(publicKey: Uint8Array): boolean {
  return publicKey.length === PUBLIC_KEY_BYTES;
}

/**
 * The sr25519 VRF's pre-output (the output point `input * secret`), as `@scure/sr25519`'s
 * `vrf.sign` computes it before its proof (its `initVRF`, repeated here with the transcript class
 * the package exports for tests: a test checks it against `vrf.sign`'s first 32 bytes). The input
 * point hashes the context, the message and the public key (`vrf-nm-pk`).
 */
function sr25519PreOutput(
  keypair: Keypair,
  t: Transcript,
  agree: Sr25519Agree | undefined,
): Uint8Array {
  const ctx = new scureTests.SigningContext("SigningContext");
  ctx.label(utf8.encode(t.context));
  ctx.bytes(transcriptBytes(t));
  // The package's transcript only reads the point's bytes (`toBytes`): the key's own bytes, so
  // the point need not be decoded (its encoding is canonical: `evaluate` would reject it else).
  ctx.commitPoint("vrf-nm-pk", { toBytes: () => keypair.publicKey } as never);
  const hash = ctx.challengeBytes("VRFHash", 64);
  const input = ristretto255_hasher.deriveToCurve!(hash);
  // An injected key agreement (e.g. schnorrkel in WebAssembly) multiplies the same point.
  if (agree !== undefined) return agree(keypair.secretKey, input.toBytes());
  // schnorrkel's secret scalar: the key's first 32 bytes, little-endian, divided by the cofactor.
  const scalar = bytesToNumberLE(keypair.secretKey.subarray(0, 32)) >> 3n;
  return input.multiply(scalar).toBytes();
}

/** The keyed-PRF stand-in (MODELLED; see the header). Two blake2b-256 per evaluation. */
export const prfVrf: AssignmentVrf = {
  kind: "prf",
  modelled: true,
  evaluate(keypair, t, outputContext, extra) {
    assert(
      prfIsPublicKey(keypair.publicKey),
      () => `a public key is ${PUBLIC_KEY_BYTES} bytes, got ${keypair.publicKey.length}`,
    );
    const output = prfOutput(keypair.publicKey, t, outputContext);
    return { output, proof: prfProof(output, extra) };
  },
  output(keypair, t, outputContext) {
    assert(
      prfIsPublicKey(keypair.publicKey),
      () => `a public key is ${PUBLIC_KEY_BYTES} bytes, got ${keypair.publicKey.length}`,
    );
    return prfOutput(keypair.publicKey, t, outputContext);
  },
  verify(publicKey, t, outputContext, output, proof, extra) {
    if (!prfIsPublicKey(publicKey)) return false;
    return (
      bytesEqual(output, prfOutput(publicKey, t, outputContext)) &&
      bytesEqual(proof, prfProof(output, extra))
    );
  },
  isPublicKey: prfIsPublicKey,
};

/**
 * Whether a key decodes as a ristretto255 point, by key object: a checker asks it of the same
 * assignment keys for every certificate, and decoding costs about a sixth of a VRF check in
 * WebAssembly (an identity memo of a pure function: keys are never mutated).
 */
const ristrettoKeys = new WeakMap<Uint8Array, boolean>();

function sr25519IsPublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== PUBLIC_KEY_BYTES) return false;
  return getOrInsertComputed(ristrettoKeys, publicKey, (key) => {
    try {
      ristretto255.Point.fromBytes(key);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Real sr25519 VRFs over a parapipe transcript (see the header). `random(n)` supplies the `n` = 32
 * bytes of nonce randomness of each evaluation; give it a seeded stream so a seed replays exactly.
 * The randomness changes the proof, never the output. `native` may bring the crypto provider's
 * `vrfVerify` (checks proofs; default @scure's) and `agree` (computes `output`'s pre-output;
 * default @noble's multiplication): implementations that agree with those give the same run.
 */
export function sr25519Vrf(
  random: (n: number) => Uint8Array,
  native: Pick<Crypto, "vrfVerify" | "agree"> = {},
): AssignmentVrf {
  const isPublicKey = sr25519IsPublicKey;
  const verify = native.vrfVerify ?? scureVrfVerify;
  const agree = native.agree;
  return {
    kind: "sr25519",
    modelled: false,
    evaluate(keypair, t, outputContext, extra) {
      assert(
        keypair.secretKey.length === SR25519_SECRET_BYTES,
        () =>
          `an sr25519 secret key is ${SR25519_SECRET_BYTES} bytes, got ${keypair.secretKey.length}`,
      );
      const nonce = random(32);
      assert(nonce.length === 32, () => `random(32) returned ${nonce.length} bytes`);
      const signature = scureVrf.sign(
        transcriptBytes(t),
        keypair.secretKey,
        utf8.encode(t.context),
        extraTranscriptBytes(extra),
        nonce,
      );
      const preOutput = signature.subarray(0, SR25519_PRE_OUTPUT_BYTES);
      return { output: makeBytes(preOutput, outputContext), proof: signature };
    },
    output(keypair, t, outputContext) {
      assert(
        keypair.secretKey.length === SR25519_SECRET_BYTES,
        () =>
          `an sr25519 secret key is ${SR25519_SECRET_BYTES} bytes, got ${keypair.secretKey.length}`,
      );
      return makeBytes(sr25519PreOutput(keypair, t, agree), outputContext);
    },
    verify(publicKey, t, outputContext, output, proof, extra) {
      if (proof.length !== SR25519_SIGNATURE_BYTES || !isPublicKey(publicKey)) return false;
      const preOutput = proof.subarray(0, SR25519_PRE_OUTPUT_BYTES);
      if (!bytesEqual(output, makeBytes(preOutput, outputContext))) return false;
      return verify(
        publicKey,
        utf8.encode(t.context),
        transcriptBytes(t),
        extraTranscriptBytes(extra),
        proof,
      );
    },
    isPublicKey,
  };
}
