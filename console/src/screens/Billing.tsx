import { HealthBanner } from '../components/health-banner';
import { useMemo, useState } from 'react';
import { Link } from 'wouter';
import { companyMappings, ok } from '../api/client';
import { ApiError } from '../api/errors';
import { ErrorBanner, Screen } from '../components/ui';
import { useLoad } from '../components/use-load';
import { usePartner } from '../partner';
import { useCompanyAgreements, type CustomerRow } from './billing/agreements';
import { Approvals } from './billing/approvals';
import { CoverageSection } from './billing/coverage';
import { PreviewSection } from './billing/preview';
import { ProductMappings } from './billing/product-mappings';
import { SettingsSection } from './billing/settings';
import type { BillingSettings, Names } from './billing/types';
import { useStatus } from './billing/use-status';
import './billing/billing.css';

/**
 * Agreement Mapping for Billing: the billing toggle and each mapped customer's agreement, the run
 * policy and catalog defaults, product mappings, Preview / Apply, and pending approvals.
 */
export function Billing() {
  const { api, path } = usePartner();
  const settings = useLoad(
    () => ok(api.GET('/partners/{partnerId}/connectwise/billing-settings', { params: { path } })),
    [api, path],
  );
  const mappings = useLoad(() => companyMappings(api, path), [api, path]);
  const [saved, setSaved] = useState<BillingSettings>();
  const current = saved ?? settings.data;
  const { status, error: statusError, refresh } = useStatus();
  const customers = useMemo(
    () => (mappings.data?.mappings ?? []).map((m) => ({ customerId: m.customerId, name: m.name })),
    [mappings.data],
  );

  const rows = useMemo((): CustomerRow[] => {
    const all = mappings.data?.mappings ?? [];
    const chosen = new Set(current?.agreements.map((a) => a.customerId));
    return all
      .filter((m) => (m.status === 'mapped' && m.companyId !== null) || chosen.has(m.customerId))
      .map((m) => ({
        customerId: m.customerId,
        name: m.name,
        mapping: m.status === 'mapped' && m.companyId !== null ? m : null,
      }));
  }, [mappings.data, current]);
  const agreements = useCompanyAgreements(
    rows.flatMap((r) => (r.mapping?.companyId == null ? [] : [r.mapping.companyId])),
  );
  const names = useMemo((): Names => {
    const customers = new Map(mappings.data?.mappings.map((m) => [m.customerId, m.name]));
    const companies = new Map(
      mappings.data?.mappings.flatMap((m) =>
        m.companyId === null ? [] : [[m.companyId, m.company?.name ?? m.companyName ?? '']],
      ),
    );
    const agreementNames = new Map<number, string>();
    for (const loaded of agreements.values())
      if (loaded.state === 'loaded')
        for (const a of loaded.agreements) agreementNames.set(a.id, a.name);
    return {
      customer: (id) => customers.get(id) ?? id,
      agreement: (id) => agreementNames.get(id),
      company: (id) => companies.get(id) || undefined,
    };
  }, [mappings.data, agreements]);

  const noIntegration = settings.error instanceof ApiError && settings.error.status === 404;
  return (
    <Screen
      title="Agreement Mapping for Billing"
      intro="Which ConnectWise agreement each customer's DefensX usage is billed into, how billing runs behave, and the exact plan before anything is written."
    >
      <div className="billing">
        {noIntegration ? null : (
          <HealthBanner
            kinds={[
              'agreement_ineligible',
              'usage_stale',
              'catalog_item_unusable',
              'candidate_waiting',
              'addition_conflict',
              'approval_overdue',
            ]}
            fields={{
              usage_stale: 'body.staleUsageHours',
              approval_overdue: 'body.approvalOverdueHours',
            }}
          />
        )}
        {noIntegration ? (
          <div className="banner banner-warn" role="alert">
            There is no ConnectWise integration yet: create it on{' '}
            <Link href="/integration">Integration details</Link>, then map customers on{' '}
            <Link href="/company-mapping">Company Mapping</Link>.
          </div>
        ) : settings.error && !current ? (
          <ErrorBanner error={settings.error} />
        ) : null}

        {noIntegration ? null : (
          <section aria-labelledby="approvals-title">
            <h2 id="approvals-title">Pending approvals</h2>
            <ErrorBanner error={statusError} />
            <Approvals
              names={names}
              customers={customers}
              approvalMode={current?.apply === 'approve'}
              status={status}
              onDecided={() => void refresh()}
            />
          </section>
        )}

        {noIntegration ? null : (
          <section aria-labelledby="coverage-title">
            <h2 id="coverage-title">Coverage: what is used but not billed</h2>
            <CoverageSection status={status} changed={saved} />
          </section>
        )}

        {current && mappings.data ? (
          <SettingsSection
            settings={current}
            rows={rows}
            agreements={agreements}
            onSaved={setSaved}
          />
        ) : mappings.error ? (
          <ErrorBanner error={mappings.error} />
        ) : noIntegration ? null : (
          <p>Loading the billing settings and the mapped customers…</p>
        )}

        {noIntegration ? null : (
          <>
            <section aria-labelledby="products-title">
              <h2 id="products-title">Product mappings</h2>
              <ProductMappings />
            </section>
            <section aria-labelledby="preview-title">
              <h2 id="preview-title">Preview and apply</h2>
              <p className="hint">
                Preview plans the next run without writing anything, not even catalog items. Apply
                writes only what the preview showed.
              </p>
              <PreviewSection names={names} status={status} />
            </section>
          </>
        )}
      </div>
    </Screen>
  );
}
