import type { paths } from '../../api/schema';

/** The API's own types for what this screen reads and sends (schema.d.ts, generated). */
type Json<T> = T extends { content: { 'application/json': infer J } } ? J : never;
type Base = '/partners/{partnerId}/connectwise';
type P<S extends string> = paths[`${Base}${S}` & keyof paths];

export type BillingSettings = Json<P<'/billing-settings'>['get']['responses'][200]>;
export type BillingBody = Json<NonNullable<P<'/billing-settings'>['put']['requestBody']>>;
export type CompanyMapping = Json<
  P<'/company-mappings'>['get']['responses'][200]
>['mappings'][number];
export type Agreement = Json<
  P<'/companies/{companyId}/agreements'>['get']['responses'][200]
>['agreements'][number];
export type ProductMapping = Json<
  P<'/product-mappings'>['get']['responses'][200]
>['mappings'][number];
export type Plan = Json<P<'/billing/preview'>['post']['responses'][200]>;
export type PlanAgreement = Plan['agreements'][number];
export type PlanOperation = PlanAgreement['operations'][number];
export type ApprovalPage = Json<P<'/billing/approvals'>['get']['responses'][200]>;
export type Approval = ApprovalPage['items'][number];
export type CandidateDecision = Approval['candidates'][number]['decision'];
export type DecideBody = Json<NonNullable<P<'/billing/approvals/decide'>['post']['requestBody']>>;
export type DecideAnswer = Json<P<'/billing/approvals/decide'>['post']['responses'][200]>;
export type ApplyAnswer = Json<P<'/billing/apply'>['post']['responses'][202]>;
export type Status = Json<P<'/status'>['get']['responses'][200]>;
export type RunProgress = NonNullable<Status['runProgress']>;
export type SetupEntry = Json<
  P<'/product-categories'>['get']['responses'][200]
>['categories'][number];

/** Names for the ids a plan carries: the customer's, the agreement's, the company's. */
export interface Names {
  customer(customerId: string): string;
  agreement(agreementId: number): string | undefined;
  company(companyId: number): string | undefined;
}
