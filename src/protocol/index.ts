// Transaction rules on top of the codec: building requests, responses and reversals per dialect,
// matching answers to requests, and settlement totals. Shared by simulators, roles and suites.
export { rulesOf, operationRule, operationOf, responseMti, isRequestMti, isFinancial, adviceRule, requestRule, originalMti, isAdvice } from "./rules.js";
export { networkCodeOf, batchOf, panOf, originalData, parseOriginalData, referencedStan, timestamps, timeFields, cupField60, formatBalance, parseBalance } from "./fields.js";
export { buildRequest, type Card, type OriginalRef, type RequestParams } from "./requests.js";
export { buildResponse, type ResponseParams } from "./responses.js";
export { buildReversal, isReversal, reversedStan, type ReversalCause } from "./reversal.js";
export { answeredIndex, responseMismatches, requestKey, type Mismatch } from "./matching.js";
export { answerMacChecked, macRequired } from "./macPolicy.js";
export { profileOf, hasCapability, unsupportedOperations, type Capability, type SutProfile } from "./profile.js";
export { declineCodes, ISO87_DECLINE_CODES } from "./declineCodes.js";
export { encodeTotals, decodeTotals, sameTotals, settlementReply, settlementBalanced, settlementVerdict, tally, ZERO_TOTALS, type Tallied, type Totals } from "./totals.js";
export { encodeWorkingKeys, decodeWorkingKeys, type WorkingKeys } from "./workingKeys.js";
export { amountExtremes } from "./amountField.js";
export { pinBlock, pinFromBlock } from "./pinBlock.js";
