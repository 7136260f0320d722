import { randomUUID } from 'node:crypto';
import type { BillingPolicySettings } from '../../domain/billing/settings';
import type { TicketSettings } from '../../domain/tickets/settings';
import type { SealedSecret } from '../../security';
import type { IntegrationDoc, IntegrationModel, IntegrationState } from '../models/integration';
import type { IntegrationTenantModel } from '../models/integration-tenant';
import { retryOnDuplicateKey } from '../retry-duplicate';

export type { TicketSettings };

/** Which agreement each customer bills through, and the run's policy (absent: the defaults). */
export interface BillingSettings extends Partial<BillingPolicySettings> {
  enabled: boolean;
  /** With billing off: release every ledger addition (true) or leave them as they are (false). */
  releaseAdditions?: boolean | null;
  agreements: Array<{ customerId: string; agreementId: number }>;
}

/** The record of a change of ConnectWise tenant: what it was, what it became, what was cleared. */
export interface TenantChangeRecord {
  at: string;
  action: 'reset' | 'same_tenant';
  from: { apiOrigin: string; companyId: string };
  to: { apiOrigin: string; companyId: string };
  /** How many company and product mappings, and which settings, a reset cleared. */
  cleared: {
    companyMappings: number;
    /** Absent in records from before product mappings. */
    productMappings?: number;
    settings: string[];
  };
}

const KEEP_TENANT_CHANGES = 20;

export interface IntegrationRecord {
  id: string;
  partnerId: string;
  site: string;
  companyId: string;
  publicKey: string;
  privateKey: SealedSecret | undefined;
  codebase?: string;
  isCloud?: boolean;
  versionNumber?: string;
  state: IntegrationState;
  stateReason?: string;
  lastValidation?: unknown;
  ticketSettings?: TicketSettings;
  /** Why ConnectWise refused tickets under the saved ticket settings; cleared when they are saved. */
  ticketSettingsProblem?: string;
  /** Why ConnectWise cannot call the engine back for tickets (services/tickets/callback-registration.ts). */
  ticketCallbackProblem?: string;
  billingSettings?: BillingSettings;
  tenantChanges: TenantChangeRecord[];
  /** How many times a reset moved the integration to another tenant (domain/tenant.ts). */
  tenantEpoch: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewIntegration {
  partnerId: string;
  site: string;
  companyId: string;
  publicKey: string;
  /** Sealed by the caller with the id it was given, so the ciphertext is bound to this record. */
  sealPrivateKey: (integrationId: string) => SealedSecret;
  codebase?: string;
  isCloud?: boolean;
  versionNumber?: string;
  lastValidation?: unknown;
}

/**
 * Compare-and-set conditions for update(): the write happens only if the record still has this
 * state and this sealed key, so a slow test or a stale 401 cannot overwrite a newer change.
 */
export interface UpdateExpectation {
  state?: IntegrationState;
  privateKeyCt?: string;
}

export class IntegrationExistsError extends Error {
  constructor(readonly partnerId: string) {
    super('this partner already has a ConnectWise integration');
  }
}

const toRecord = (
  doc: IntegrationDoc & { _id: string; createdAt: Date; updatedAt: Date },
): IntegrationRecord => ({
  id: doc._id,
  partnerId: doc.partnerId,
  site: doc.site,
  companyId: doc.companyId,
  publicKey: doc.publicKey,
  privateKey: doc.privateKey ?? undefined,
  codebase: doc.codebase ?? undefined,
  isCloud: doc.isCloud ?? undefined,
  versionNumber: doc.versionNumber ?? undefined,
  state: doc.state,
  stateReason: doc.stateReason ?? undefined,
  lastValidation: doc.lastValidation,
  ticketSettings: (doc.ticketSettings as TicketSettings | null | undefined) ?? undefined,
  ticketSettingsProblem: doc.ticketSettingsProblem ?? undefined,
  ticketCallbackProblem: doc.ticketCallbackProblem ?? undefined,
  billingSettings: (doc.billingSettings as BillingSettings | null | undefined) ?? undefined,
  tenantChanges: (doc.tenantChanges as TenantChangeRecord[] | undefined) ?? [],
  tenantEpoch: doc.tenantEpoch ?? 0,
  createdAt: doc.createdAt,
  updatedAt: doc.updatedAt,
});

type Lean = IntegrationDoc & { _id: string; createdAt: Date; updatedAt: Date };

const guardOf = (i: IntegrationRecord, changing: boolean) => {
  const report = i.lastValidation as { site?: { apiOrigin?: string } } | undefined;
  return {
    changing,
    site: i.site,
    companyId: i.companyId,
    ...(report?.site?.apiOrigin ? { apiOrigin: report.site.apiOrigin } : {}),
    tenantEpoch: i.tenantEpoch,
    updatedAt: new Date(),
  };
};

/** What an integration writes into now, from its tenant guard (models/integration-tenant.ts). */
export interface TenantGuard {
  /** A change of tenant is being saved: nothing may be written. */
  changing: boolean;
  site: string;
  companyId: string;
  lastValidation: { site: { apiOrigin?: string } };
  tenantEpoch: number;
}

export class IntegrationRepository {
  constructor(
    private readonly model: IntegrationModel,
    private readonly tenants: IntegrationTenantModel,
  ) {}

  /** The integration's tenant guard, read now by `_id`; undefined for a record without one yet. */
  async tenantGuard(id: string): Promise<TenantGuard | undefined> {
    const doc = await this.tenants.findOne({ _id: id }).lean().exec();
    if (!doc) return undefined;
    return {
      changing: doc.changing,
      site: doc.site,
      companyId: doc.companyId,
      lastValidation: { site: doc.apiOrigin ? { apiOrigin: doc.apiOrigin } : {} },
      tenantEpoch: doc.tenantEpoch,
    };
  }

  /** Adds the guard of a record saved before guards existed (never overwrites one). */
  async ensureTenantGuard(integration: IntegrationRecord): Promise<void> {
    await retryOnDuplicateKey(() =>
      this.tenants
        .updateOne(
          { _id: integration.id },
          { $setOnInsert: guardOf(integration, false) },
          { upsert: true },
        )
        .exec(),
    );
  }

  private async setTenantGuard(integration: IntegrationRecord, changing: boolean): Promise<void> {
    await this.tenants
      .updateOne(
        { _id: integration.id },
        { $set: guardOf(integration, changing) },
        { upsert: true },
      )
      .exec();
  }

  async create(input: NewIntegration): Promise<IntegrationRecord> {
    const id = randomUUID();
    const { sealPrivateKey, ...rest } = input;
    try {
      await this.model.create({
        _id: id,
        slot: input.partnerId,
        state: 'active',
        privateKey: sealPrivateKey(id),
        ...rest,
      });
    } catch (err) {
      if ((err as { code?: number }).code === 11000)
        throw new IntegrationExistsError(input.partnerId);
      throw err;
    }
    return (await this.get(input.partnerId, id))!;
  }

  /** The partner's live integration, if any. */
  async findForPartner(partnerId: string): Promise<IntegrationRecord | undefined> {
    const doc = await this.model.findOne({ slot: partnerId, partnerId }).lean<Lean>().exec();
    return doc ? toRecord(doc) : undefined;
  }

  async get(partnerId: string, id: string): Promise<IntegrationRecord | undefined> {
    const doc = await this.model.findOne({ _id: id, partnerId }).lean<Lean>().exec();
    return doc ? toRecord(doc) : undefined;
  }

  /** Single-document atomic update, filtered by partner; returns the new state or undefined. */
  async update(
    partnerId: string,
    id: string,
    set: Partial<
      Omit<
        IntegrationRecord,
        'id' | 'partnerId' | 'createdAt' | 'updatedAt' | 'tenantChanges' | 'tenantEpoch'
      >
    >,
    unset: Array<keyof IntegrationRecord> = [],
    expect: UpdateExpectation = {},
    /** Appended in the same atomic write. */
    tenantChange?: TenantChangeRecord,
  ): Promise<IntegrationRecord | undefined> {
    const update: Record<string, unknown> = { $set: set };
    if (unset.length) update.$unset = Object.fromEntries(unset.map((k) => [k, '']));
    if (tenantChange)
      update.$push = { tenantChanges: { $each: [tenantChange], $slice: -KEEP_TENANT_CHANGES } };
    if (tenantChange?.action === 'reset') update.$inc = { tenantEpoch: 1 };
    const filter: Record<string, unknown> = { _id: id, partnerId, state: { $ne: 'deleted' } };
    if (expect.state) filter.state = expect.state;
    if (expect.privateKeyCt) filter['privateKey.ct'] = expect.privateKeyCt;
    // A change of tenant: no billing batch writes while it is saved, nor after it into the old
    // tenant (the guard then names the new one; or the old one again if nothing was saved).
    const before = tenantChange ? await this.get(partnerId, id) : undefined;
    if (before) await this.setTenantGuard(before, true);
    let doc: Lean | null = null;
    try {
      doc = await this.model.findOneAndUpdate(filter, update, { new: true }).lean<Lean>().exec();
    } finally {
      if (before) {
        const now = doc ?? (await this.model.findOne({ _id: id }).lean<Lean>().exec());
        await this.setTenantGuard(now ? toRecord(now) : before, false);
      }
    }
    return doc ? toRecord(doc) : undefined;
  }

  /** Frees the partner's slot and drops the secret; the record (and sync history) stays. */
  /**
   * Deleted: the secret is dropped with it, unless `keepSecret` (the ticket watch still needs the
   * keys to remove the integration's ConnectWise callback; it drops them after with
   * `dropDeletedSecret`). A deleted integration is never read as live, whatever it keeps.
   */
  async markDeleted(
    partnerId: string,
    id: string,
    options: { keepSecret?: boolean } = {},
  ): Promise<boolean> {
    const res = await this.model
      .updateOne(
        { _id: id, partnerId, state: { $ne: 'deleted' } },
        {
          $set: { state: 'deleted', slot: `deleted:${id}`, deletedAt: new Date() },
          ...(options.keepSecret ? {} : { $unset: { privateKey: '' } }),
        },
      )
      .exec();
    return res.modifiedCount === 1;
  }

  /** The secret a deleted integration kept for its clean-up, dropped (true if there was one). */
  async dropDeletedSecret(partnerId: string, id: string): Promise<boolean> {
    const res = await this.model
      .updateOne(
        { _id: id, partnerId, state: 'deleted', privateKey: { $exists: true } },
        { $unset: { privateKey: '' } },
      )
      .exec();
    return res.modifiedCount === 1;
  }

  /** Every integration still holding a secret, for key rotation. */
  async *withSecrets(): AsyncGenerator<IntegrationRecord> {
    for await (const doc of this.model
      .find({ privateKey: { $exists: true } })
      .lean<Lean>()
      .cursor()) {
      yield toRecord(doc);
    }
  }
}
