import { useState } from 'react';
import { Link, Redirect, Route, Router, Switch, useRoute } from 'wouter';
import { PartnerProvider } from './partner';
import { CustomerPage } from './screens/CustomerPage';
import { SignIn } from './screens/SignIn';
import { screens } from './screens';
import { clearSession, loadSession, type Session } from './session';

export function App() {
  const [session, setSession] = useState<Session | undefined>(loadSession);
  return (
    <Router base="/console">
      <Switch>
        {/* The vendor console's customer page (the hosted tab opens it): no partner shell. */}
        <Route path="/customers/:customerId">
          {(params) => <CustomerPage customerId={params.customerId} session={session} />}
        </Route>
        <Route>
          {session ? (
            <Shell
              session={session}
              onSignOut={() => {
                clearSession();
                setSession(undefined);
              }}
            />
          ) : (
            <SignIn onSignIn={setSession} />
          )}
        </Route>
      </Switch>
    </Router>
  );
}

function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  return (
    <PartnerProvider session={session}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <p className="brand">DefensX · ConnectWise PSA</p>
        <p className="who">
          Partner <strong>{session.partnerId}</strong>
        </p>
        <button type="button" className="button button-secondary" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <div className="layout">
        <nav aria-label="Integration" className="side">
          <ol>
            {screens.map((s) => (
              <li key={s.path}>
                <NavItem path={s.path} label={s.label} />
              </li>
            ))}
          </ol>
        </nav>
        <main id="main" tabIndex={-1}>
          <Switch>
            {screens.map((s) => (
              <Route key={s.path} path={s.path} component={s.component} />
            ))}
            <Route>
              <Redirect to="/integration" replace />
            </Route>
          </Switch>
        </main>
      </div>
    </PartnerProvider>
  );
}

function NavItem({ path, label }: { path: string; label: string }) {
  const [active] = useRoute(path);
  return (
    <Link href={path} aria-current={active ? 'page' : undefined}>
      {label}
    </Link>
  );
}
