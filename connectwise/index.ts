export { createConnectWiseClient, type ConnectWiseClientOptions } from './factory';
export { COMPANY_ID, COMPANY_ID_MESSAGE, isCompanyId } from './company-id';
export { DEFAULT_API_VERSION } from './client';
export type {
  ConnectWiseClient,
  CountQuery,
  ListAllQuery,
  ListPage,
  RequestOptions,
} from './client-interface';
export { DEFAULT_TIMEOUTS, writeInDoubtUntil, type ConnectWiseTimeouts } from './timeouts';
export { CODEBASE_REFRESH_INTERVAL_MS } from './codebase-refresh';
export {
  fetchCompanyInfo,
  STABLE_CODEBASE,
  type CompanyInfo,
  type CompanyInfoOptions,
} from './company-info';
export {
  CLOUD_REGIONS,
  isCloudRegion,
  parseSite,
  resolveSiteOrigin,
  type CloudRegion,
  type SiteOptions,
} from './site';
export { describeNonPublicAddress, type HostLookup } from './host-guard';
export {
  ClientErrorCode,
  ConnectWiseError,
  cwMessage,
  isConnectWiseError,
  type ConnectWiseErrorDetail,
  type ConnectWiseErrorInit,
} from './errors';
export { classifyConnectWiseError, type ConnectWiseErrorKind } from './classify';
export { MAX_RETRY_AFTER_MS, parseRetryAfter } from './retry-after';
export { DEFAULT_LIST_LIMITS, type ListLimits } from './paging';
export { DEFAULT_MAX_RESPONSE_BYTES } from './transport';
export { guardedLookup } from './connect-guard';
export { assertEngineKey, ENGINE_KEY } from './ids';
export {
  cond,
  ConditionError,
  isCondition,
  type Condition,
  type LikePattern,
  type Scalar,
} from './conditions';
export {
  CONDITION_TEXT,
  CONDITION_TEXT_MESSAGE,
  conditionTextProblem,
  isWellFormedText,
  WELL_FORMED_MESSAGE,
} from './condition-text';
export { MAX_PAGE_SIZE, type ListQuery } from './query';
export { parseNextLink, type NextPage } from './link';
export { replace, type PatchOperation, type TypedPatchOperation } from './patch';
export { formatCwDateTime, CW_DATE_TIME } from './dates';
export {
  evaluateAgreement,
  type AgreementEligibility,
  type AgreementFacts,
} from './agreement-eligibility';
export * from './security-role';
export * from './role-check';
export * from './schemas';
export * from './operations';
