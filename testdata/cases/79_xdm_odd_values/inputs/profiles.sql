SELECT * FROM (VALUES
  ('a@example.com', [{'optOutType': 'sales_sharing_opt_out', 'optOutValue': 'out', 'timestamp': TIMESTAMP '2026-11-01 10:00:00'},
                     {'optOutType': NULL, 'optOutValue': 'in', 'timestamp': TIMESTAMP '2026-11-05 10:00:00'}],
     NULL::MAP(VARCHAR, VARCHAR), NULL::BOOLEAN, {'createDate': TIMESTAMP '2025-01-01', 'modifyDate': TIMESTAMP '2026-11-05 10:00:00'}),
  ('b@example.com', [{'optOutType': ' General_Opt_Out ', 'optOutValue': 'OUT', 'timestamp': TIMESTAMP '2026-11-02 09:00:00'}],
     NULL, NULL, {'createDate': TIMESTAMP '2025-01-01', 'modifyDate': TIMESTAMP '2026-11-02 09:00:00'}),
  ('c@example.com', [{'optOutType': 'general_opt_out', 'optOutValue': 'out', 'timestamp': TIMESTAMP '2026-11-01 08:00:00'}],
     MAP {'': 'in'}, NULL, {'createDate': TIMESTAMP '2025-01-01', 'modifyDate': TIMESTAMP '2026-11-10 08:00:00'}),
  ('d@example.com', [], MAP {'xdm:globalOptout': 'True'}, NULL, {'createDate': TIMESTAMP '2025-01-01', 'modifyDate': TIMESTAMP '2026-11-03 07:00:00'}),
  ('e@example.com', [], MAP {'globalOptout': 'yes'}, NULL, {'createDate': TIMESTAMP '2025-01-01', 'modifyDate': TIMESTAMP '2026-11-03 07:00:00'}),
  ('f@example.com', [{'optOutType': 'sales_sharing_opt_out', 'optOutValue': 'PENDING', 'timestamp': TIMESTAMP '2026-11-04 12:00:00'}],
     MAP {'xdm:globalOptout': 'in'}, NULL, {'createDate': TIMESTAMP '2025-01-01', 'modifyDate': TIMESTAMP '2026-11-04 12:00:00'}),
  ('g@example.com', [], MAP {'xdm:globalOptout': 'false'}, NULL, {'createDate': TIMESTAMP '2025-01-01', 'modifyDate': TIMESTAMP '2026-11-03 10:00:00'}),
  ('h@example.com', [{'optOutType': '', 'optOutValue': 'out', 'timestamp': TIMESTAMP '2026-11-06 10:00:00'}],
     NULL, NULL, {'createDate': TIMESTAMP '2025-01-01', 'modifyDate': TIMESTAMP '2026-11-06 10:00:00'})
) t(email, privacyOptOuts, optInOut, globalOptout, _repo)
