import { Screen } from '../components/ui';
import type { Session } from '../session';

/**
 * The local stack's stand-in for the vendor console's page of one customer: the ConnectWise
 * hosted tab redirects here (VENDOR_CONSOLE_CUSTOMER_URL). It shows the id from its own URL;
 * the real vendor console shows the customer after its own sign-in.
 */
export function CustomerPage({
  customerId,
  session,
}: {
  customerId: string;
  session: Session | undefined;
}) {
  return (
    <main id="main" className="customer-page">
      <Screen title={`Customer ${customerId}`}>
        <p>
          DefensX console (local stand-in): the vendor console shows customer{' '}
          <code>{customerId}</code> here, after its own sign-in.
        </p>
        {session ? <p>Signed in as partner {session.partnerId}.</p> : null}
      </Screen>
    </main>
  );
}
