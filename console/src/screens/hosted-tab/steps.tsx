import { Link } from 'wouter';

/** The seed's steps for showing the tab in ConnectWise, and what the tab does not grant. */
export function Steps() {
  return (
    <>
      <h2>Showing the tab in ConnectWise</h2>
      <ol className="hosted-steps">
        <li>
          Map each customer to its ConnectWise company on{' '}
          <Link href="/company-mapping">Company Mapping</Link>: the tab shows the customer mapped to
          the company it is opened on (an unmapped company shows how to map it).
        </li>
        <li>
          Press <strong>Install</strong> above. The API member&rsquo;s security role needs System
          &rarr; Table Setup with the customize item &ldquo;Manage Hosted API&rdquo; allowed.
        </li>
        <li>
          In ConnectWise, open <strong>Companies &rarr; Company</strong> and open a company: the{' '}
          <strong>DefensX</strong> tab is among its tabs (reload a company screen that was open
          during the install).
        </li>
        <li>
          Click the DefensX tab: it opens the DefensX console&rsquo;s page of that company&rsquo;s
          customer.
        </li>
      </ol>
      <p>
        ConnectWise lists the tab under System &rarr; Setup Tables &rarr; Hosted API as{' '}
        <strong>DefensX</strong>; the engine finds its own tab by that name, so keep it, and use
        Repair here rather than editing it there.
      </p>
      <p className="banner banner-warn">
        The tab grants no access by itself: its address only says which partner&rsquo;s company
        mapping to read, and the DefensX console it opens keeps its own sign-in.
      </p>
    </>
  );
}
