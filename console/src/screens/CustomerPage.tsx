import { Screen } from '../components/ui';
import type { Session } from '../session';
import './customer-page.css';

/**
 * The local stack's stand-in for the vendor console's page of one customer: the ConnectWise
 * hosted tab redirects here (VENDOR_CONSOLE_CUSTOMER_URL). It is framed by ConnectWise (another
 * origin, where this tab's sessionStorage is empty), so it needs no session and calls no API: it
 * shows the customer id from its own URL. The real vendor console shows the customer after its
 * own sign-in.
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
      <p className="stand-in-brand">DefensX console</p>
      <Screen title={`Customer ${customerId}`}>
        <p className="banner banner-warn">
          Local stand-in for the DefensX vendor console. The ConnectWise hosted tab opens this page;
          in production it opens the vendor console&rsquo;s page of this customer, which asks for
          its own sign-in.
        </p>
        <dl className="stand-in-facts">
          <dt>Customer ID</dt>
          <dd>
            <code>{customerId}</code>
          </dd>
          <dt>Signed in</dt>
          <dd>
            {session
              ? `as partner ${session.partnerId} (in this browser tab)`
              : 'no: this stand-in shows only the customer id from its address'}
          </dd>
        </dl>
      </Screen>
    </main>
  );
}
