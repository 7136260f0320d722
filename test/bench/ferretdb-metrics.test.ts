import { dbActivity, dbTable, parseMetrics } from '../../bench/common/ferretdb-metrics';

const before = parseMetrics(`# HELP ferretdb_client_requests_total Total number of requests.
ferretdb_client_requests_total{command="find",opcode="OP_MSG"} 10
ferretdb_client_requests_total{command="insert",opcode="OP_MSG"} 3
ferretdb_cursors_created_total{collection="integrations",db="cw_engine",type="Normal",username=""} 4
ferretdb_cursors_duration_seconds_sum{collection="integrations",db="cw_engine",type="Normal",username=""} 0.5
`);
const after = parseMetrics(`ferretdb_client_requests_total{command="find",opcode="OP_MSG"} 15
ferretdb_client_requests_total{command="insert",opcode="OP_MSG"} 3
ferretdb_client_requests_total{command="getMore",opcode="OP_MSG"} 2
ferretdb_cursors_created_total{collection="integrations",db="cw_engine",type="Normal",username=""} 9
ferretdb_cursors_duration_seconds_sum{collection="integrations",db="cw_engine",type="Normal",username=""} 0.75
ferretdb_cursors_created_total{collection="billingSnapshots",db="cw_engine",type="Normal",username=""} 1
`);

test('commands and reads per collection between two readings', () => {
  expect(dbActivity(before, after)).toEqual({
    commands: { find: 5, getMore: 2 },
    reads: {
      integrations: { cursors: 5, seconds: 0.25 },
      billingSnapshots: { cursors: 1, seconds: 0 },
    },
  });
});

test('a table side by side, or why there is none', () => {
  const db = dbActivity(before, after);
  expect(dbTable([{ key: 'b', db }])).toMatch(
    /\| reads of integrations: cursors, Σ time +\| 5, 0\.25 s \|/,
  );
  expect(dbTable([{ key: 'b' }])).toMatch(/not available/);
});
