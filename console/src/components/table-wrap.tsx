import type { ReactNode } from 'react';
import './table-wrap.css';

/**
 * A table's box that scrolls sideways on a narrow window: focusable and named, so a keyboard user
 * can scroll it too (axe: scrollable-region-focusable).
 */
export function TableWrap({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
