import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { createApi, type Api } from './api/client';
import type { Session } from './session';

interface PartnerContext {
  api: Api;
  partnerId: string;
  /** The path parameter every partner route takes: `{ params: { path: partner.path } }`. */
  path: { partnerId: string };
}

const Context = createContext<PartnerContext | undefined>(undefined);

export function PartnerProvider({ session, children }: { session: Session; children: ReactNode }) {
  const value = useMemo(
    () => ({
      api: createApi(session),
      partnerId: session.partnerId,
      path: { partnerId: session.partnerId },
    }),
    [session],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

/** The signed-in partner's API; only inside the signed-in shell. */
export function usePartner(): PartnerContext {
  const value = useContext(Context);
  if (!value) throw new Error('usePartner outside PartnerProvider');
  return value;
}
