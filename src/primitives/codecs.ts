/**
 * SCALE codecs of the polkadot primitives parapipe uses, and the TypeScript types derived from them
 * (STYLE.md rule 4: the encoding defines the type). Hashes and head data are 0x-hex strings;
 * message payloads and code are `Uint8Array`.
 *
 * Ref: polkadot/primitives/src/v8/mod.rs (PersistedValidationData, CandidateCommitments,
 *      CandidateDescriptor, CandidateReceipt, CommittedCandidateReceipt),
 *      polkadot/primitives/src/vstaging/mod.rs (CandidateDescriptorV2),
 *      polkadot/parachain/src/primitives.rs (HeadData, ValidationCode, HorizontalMessage).
 */
import {
  Bytes,
  type Codec,
  type CodecType,
  enhanceCodec,
  Option,
  Struct,
  u8,
  u16,
  u32,
  Vector,
} from "scale-ts";
import { fromHex, type Hash, type Hex, toHex } from "../lib/hex.ts";

/** Fixed-length bytes as 0x-hex (`[u8; N]`, `H256`). */
export const FixedHex = (length: number): Codec<Hex> => enhanceCodec(Bytes(length), fromHex, toHex);
/** `Vec<u8>` as 0x-hex (head data: small, used as an identity). */
export const VecHex: Codec<Hex> = enhanceCodec(Bytes(), fromHex, toHex);
/** `Option<T>` with `null` for None (scale-ts uses `undefined`). */
export const Nullable = <T extends {}>(inner: Codec<T>): Codec<T | null> =>
  enhanceCodec<T | undefined, T | null>(
    Option(inner),
    (v: T | null) => (v === null ? undefined : v),
    (v: T | undefined) => (v === undefined ? null : v),
  );

export const H256: Codec<Hash> = FixedHex(32);
export const ParaId = u32;
export type ParaId = number;
export type BlockNumber = number;
export type CoreIndex = number;
export type GroupIndex = number;
export type ValidatorIndex = number;
export type SessionIndex = number;
export type CandidateHash = Hash;

/** `HeadData(Vec<u8>)`: the para's head, opaque to the relay chain. */
export const HeadData = VecHex;
export type HeadData = Hex;

export const PersistedValidationData = Struct({
  parentHead: HeadData,
  relayParentNumber: u32,
  relayParentStorageRoot: H256,
  maxPovSize: u32,
});
export type PersistedValidationData = CodecType<typeof PersistedValidationData>;

export const OutboundHrmpMessage = Struct({ recipient: ParaId, data: Bytes() });
export type OutboundHrmpMessage = CodecType<typeof OutboundHrmpMessage>;

export const CandidateCommitments = Struct({
  upwardMessages: Vector(Bytes()),
  horizontalMessages: Vector(OutboundHrmpMessage),
  newValidationCode: Nullable(Bytes()),
  headData: HeadData,
  processedDownwardMessages: u32,
  hrmpWatermark: u32,
});
export type CandidateCommitments = CodecType<typeof CandidateCommitments>;

/** The V1 descriptor: collator id and signature. */
export const CandidateDescriptorV1 = Struct({
  paraId: ParaId,
  relayParent: H256,
  collator: FixedHex(32),
  persistedValidationDataHash: H256,
  povHash: H256,
  erasureRoot: H256,
  signature: FixedHex(64),
  paraHead: H256,
  validationCodeHash: H256,
});
export type CandidateDescriptorV1 = CodecType<typeof CandidateDescriptorV1>;

/** The V2 descriptor: same size as V1; core index and session replace the collator fields. */
const CandidateDescriptorV2Raw = Struct({
  paraId: ParaId,
  relayParent: H256,
  version: u8,
  coreIndex: u16,
  sessionIndex: u32,
  reserved1: FixedHex(25),
  persistedValidationDataHash: H256,
  povHash: H256,
  erasureRoot: H256,
  reserved2: FixedHex(64),
  paraHead: H256,
  validationCodeHash: H256,
});
const ZERO_25 = `0x${"00".repeat(25)}`;
const ZERO_64 = `0x${"00".repeat(64)}`;
type V2Raw = CodecType<typeof CandidateDescriptorV2Raw>;
export type CandidateDescriptorV2 = Omit<V2Raw, "reserved1" | "reserved2">;
/** Reserved bytes are always zero in a V2 descriptor: they are not part of the TypeScript value. */
export const CandidateDescriptorV2: Codec<CandidateDescriptorV2> = enhanceCodec(
  CandidateDescriptorV2Raw,
  (d: CandidateDescriptorV2): V2Raw => ({ ...d, reserved1: ZERO_25, reserved2: ZERO_64 }),
  ({ reserved1: _r1, reserved2: _r2, ...d }: V2Raw): CandidateDescriptorV2 => d,
);

/**
 * A candidate descriptor as the relay chain sees it: the 292 bytes of either layout, tagged with
 * the layout they were read as. `descriptorVersion` mirrors `CandidateDescriptorV2::version()`:
 * V1 if either reserved area is non-zero, else V2 if the version byte is 0, else Unknown.
 */
export type CandidateDescriptor =
  | ({ readonly kind: "v1" } & CandidateDescriptorV1)
  | ({ readonly kind: "v2" } & CandidateDescriptorV2);
export type DescriptorVersion = "v1" | "v2" | "unknown";

const DESCRIPTOR_BYTES = 292;

export const CandidateDescriptor: Codec<CandidateDescriptor> = enhanceCodec(
  Bytes(DESCRIPTOR_BYTES),
  (d: CandidateDescriptor): Uint8Array => {
    if (d.kind === "v1") {
      const { kind: _k, ...v1 } = d;
      return CandidateDescriptorV1.enc(v1);
    }
    const { kind: _k, ...v2 } = d;
    return CandidateDescriptorV2.enc(v2);
  },
  (bytes: Uint8Array): CandidateDescriptor => {
    const raw = CandidateDescriptorV2Raw.dec(bytes);
    if (raw.reserved1 === ZERO_25 && raw.reserved2 === ZERO_64) {
      const { reserved1: _r1, reserved2: _r2, ...v2 } = raw;
      return { kind: "v2", ...v2 };
    }
    return { kind: "v1", ...CandidateDescriptorV1.dec(bytes) };
  },
);

export function descriptorVersion(d: CandidateDescriptor): DescriptorVersion {
  if (d.kind === "v1") return "v1";
  return d.version === 0 ? "v2" : "unknown";
}

export const CandidateReceipt = Struct({
  descriptor: CandidateDescriptor,
  commitmentsHash: H256,
});
export type CandidateReceipt = CodecType<typeof CandidateReceipt>;

export const CommittedCandidateReceipt = Struct({
  descriptor: CandidateDescriptor,
  commitments: CandidateCommitments,
});
export type CommittedCandidateReceipt = CodecType<typeof CommittedCandidateReceipt>;
