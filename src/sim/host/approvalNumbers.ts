/** RRNs are 12 digits (field 37, an12); the sequence wraps after this many. */
const RRN_SPACE = 1_000_000_000_000n;
/** Authorisation codes are 6 characters (field 38, an6), here base 36: 36^6 of them. */
const AUTH_SPACE = 36n ** 6n;
/**
 * Coprime to 36^6 (neither even nor a multiple of 3), so n → n × STRIDE mod 36^6 is a bijection:
 * consecutive approvals get codes that look unrelated yet never repeat.
 */
const AUTH_STRIDE = 1_234_567_891n;

export interface ApprovalRefs {
  /** Retrieval reference number, field 37: 12 digits. */
  rrn: string;
  /** Authorisation code, field 38: 6 characters 0-9 A-Z. */
  auth: string;
}

/**
 * The references a host hands out: each call gives a retrieval reference number (37) and an
 * authorisation code (38) that no earlier call gave, for the first 2 × 10^9 calls. `offset`
 * (from the host's seed) moves where the sequences start.
 */
export class ApprovalNumbers {
  private issued = 0n;

  /** `wrapAfter` (the `rrn-wraps` bug): the sequence starts again after this many. */
  constructor(
    private readonly offset: bigint,
    private readonly wrapAfter?: bigint,
  ) {}

  next(): ApprovalRefs {
    this.issued = this.wrapAfter !== undefined && this.issued >= this.wrapAfter ? 1n : this.issued + 1n;
    const n = this.offset + this.issued;
    return {
      rrn: String(n % RRN_SPACE).padStart(12, "0"),
      auth: ((n * AUTH_STRIDE) % AUTH_SPACE).toString(36).toUpperCase().padStart(6, "0"),
    };
  }
}
