import { useEffect, useState } from 'react';
import { ok } from '../../api/client';
import { Pager, useCursorPages } from '../../components/paging';
import { TableWrap } from '../../components/table-wrap';
import { Button, ErrorBanner, SelectField } from '../../components/ui';
import { usePartner } from '../../partner';
import { STATES, type TicketState } from './labels';
import { TicketRow } from './ticket-row';

/** The security events and their tickets, filtered by state, read again while one is pending. */
export function TicketList() {
  const { api, path } = usePartner();
  const [state, setState] = useState<TicketState | ''>('');
  const pages = useCursorPages(
    async (cursor) => {
      const data = await ok(
        api.GET('/partners/{partnerId}/connectwise/tickets', {
          params: {
            path,
            query: { ...(state ? { state } : {}), ...(cursor ? { cursor } : {}), pageSize: 20 },
          },
        }),
      );
      return { items: data.tickets, nextCursor: data.nextCursor };
    },
    [api, path.partnerId, state],
  );
  const tickets = pages.items;
  const waiting = tickets?.some((t) => t.state === 'pending' && !t.reason) ?? false;
  const { reload } = pages;

  // While a ticket is being created, look again every few seconds.
  useEffect(() => {
    if (!waiting) return;
    const timer = setTimeout(() => void reload(), 2000);
    return () => clearTimeout(timer);
  }, [waiting, reload, tickets]);

  return (
    <section aria-labelledby="ticket-list-title" className="ticket-list">
      <h2 id="ticket-list-title">Tickets</h2>
      <div className="actions">
        <SelectField
          label="State"
          value={state}
          empty="All states"
          options={STATES}
          onValue={(v) => setState(v as TicketState | '')}
        />
        <Button onClick={() => void reload()} busy={pages.loading}>
          Refresh
        </Button>
      </div>
      <ErrorBanner error={pages.error} />
      {tickets && tickets.length === 0 ? (
        <p>No security events{state ? ' in this state' : ''} yet.</p>
      ) : null}
      {tickets && tickets.length > 0 ? (
        <TableWrap label="Security events and their tickets">
          <table>
            <caption className="visually-hidden">Security events and their tickets</caption>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Customer</th>
                <th scope="col">Severity</th>
                <th scope="col">State</th>
                <th scope="col">ConnectWise ticket</th>
                <th scope="col">Reports</th>
                <th scope="col">Last seen</th>
                <th scope="col">Workflow</th>
              </tr>
            </thead>
            <tbody>
              {tickets.map((t) => (
                <TicketRow key={t.key} ticket={t} />
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
      <Pager pages={pages} what="tickets" />
    </section>
  );
}
