import type { ReactNode } from 'react';
import { When } from './ui';

/** The last Test Connection: passed or failed and when (then `children`), or "never". */
export function LastValidation({
  last,
  children,
}: {
  last: { ok: boolean; testedAt: string } | null | undefined;
  children?: ReactNode;
}) {
  return last ? (
    <>
      <span className={`badge ${last.ok ? 'badge-ok' : 'badge-bad'}`}>
        {last.ok ? 'passed' : 'failed'}
      </span>{' '}
      <When at={last.testedAt} />
      {children}
    </>
  ) : (
    'never'
  );
}
