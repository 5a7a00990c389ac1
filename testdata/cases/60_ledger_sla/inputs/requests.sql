-- Times are UTC. The run: D = 2026-11-21, now = 2026-11-22 09:00 UTC (Sunday 01:00 in Los Angeles).
-- r1 Mon 2 Nov, CA, 15 days: 3,4,5,6,9,10,(11 Veterans Day),12,13,16,17,18,19,20,23,24 -> Tue 24 Nov; met;
--    business days to the run: the first business day on or after Sun 22 Nov is Mon 23 = the 14th.
-- r2 Thu 1 Oct, NY, 15 days: 2,5,6,7,8,9,(12 Columbus Day),13..16,19..23 -> Fri 23 Oct; breached; 35 days.
-- r3 Mon 16 Nov, CO (10 days), pending: 17,18,19,20,23,24,25,(26 Thanksgiving),27,30,1 Dec -> Tue 1 Dec; open.
-- r4 Mon 26 Oct, no state, pending, 15 days: 27..30,2..6,9,10,12,13,16,17 -> Tue 17 Nov; open_breached.
-- r5 Mon 2 Nov, no state, matches C1 (CO, 10 days): 3,4,5,6,9,10,12,13,16,17 -> Tue 17 Nov; breached; 14 days.
-- r6 rejected: not in the ledger.
SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-11-02 18:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'CA'::VARCHAR, 'a@example.com'::VARCHAR),
  ('r2'::VARCHAR, '2026-10-01 17:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'NY'::VARCHAR, 'b@example.com'::VARCHAR),
  ('r3'::VARCHAR, '2026-11-16 17:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'pending'::VARCHAR, ' co '::VARCHAR, 'c@example.com'::VARCHAR),
  ('r4'::VARCHAR, '2026-10-26 16:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'pending'::VARCHAR, NULL::VARCHAR, 'd@example.com'::VARCHAR),
  ('r5'::VARCHAR, '2026-11-02 18:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, NULL::VARCHAR, 'e@example.com'::VARCHAR),
  ('r6'::VARCHAR, '2026-11-02 18:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'rejected'::VARCHAR, NULL::VARCHAR, 'f@example.com'::VARCHAR)
) t(request_id, received_at, request_type, status, state, email)
