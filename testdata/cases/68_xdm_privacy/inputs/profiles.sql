SELECT * FROM (VALUES
  ('A@Example.com ', [{'optOutType': 'sales_sharing_opt_out', 'optOutValue': 'out', 'timestamp': TIMESTAMP '2026-11-10 10:00:00'}],
     NULL::MAP(VARCHAR, VARCHAR), NULL::BOOLEAN, {'createDate': TIMESTAMP '2025-01-01', 'modifyDate': TIMESTAMP '2026-11-10 10:00:00'}),
  ('b@example.com', [{'optOutType': 'general_opt_out', 'optOutValue': 'out', 'timestamp': TIMESTAMP '2026-10-01 09:00:00'},
                     {'optOutType': 'sales_sharing_opt_out', 'optOutValue': 'in', 'timestamp': TIMESTAMP '2026-11-05 09:00:00'}],
     NULL, false, {'createDate': TIMESTAMP '2025-01-01', 'modifyDate': TIMESTAMP '2026-11-05 09:00:00'}),
  ('c@example.com', [{'optOutType': 'general_opt_out', 'optOutValue': 'not_provided', 'timestamp': TIMESTAMP '2026-11-01 08:00:00'}],
     MAP {'https://ns.adobe.com/xdm/channels/email': 'out', 'https://ns.adobe.com/xdm/channels/sms': 'in', 'https://ns.adobe.com/xdm/channels/fax': 'not_provided'},
     false, {'createDate': TIMESTAMP '2025-01-01', 'modifyDate': TIMESTAMP '2026-11-01 08:00:00'}),
  ('d@example.com', [{'optOutType': 'sales_sharing_opt_out', 'optOutValue': 'pending', 'timestamp': TIMESTAMP '2026-11-15 12:00:00'}],
     NULL, NULL, {'createDate': TIMESTAMP '2025-01-01', 'modifyDate': TIMESTAMP '2026-11-15 12:00:00'}),
  ('e@example.com', [], MAP {'xdm:globalOptout': 'false'}, true, {'createDate': TIMESTAMP '2025-01-01', 'modifyDate': TIMESTAMP '2026-11-02 07:00:00'}),
  ('f@example.com', [{'optOutType': 'sales_sharing_opt_out', 'optOutValue': 'maybe', 'timestamp': TIMESTAMP '2026-11-03 10:00:00'}],
     NULL, NULL, {'createDate': TIMESTAMP '2025-01-01', 'modifyDate': TIMESTAMP '2026-11-03 10:00:00'}),
  ('g@example.com', NULL, MAP {'https://ns.adobe.com/xdm/channels/sms': 'not_provided'}, false,
     {'createDate': TIMESTAMP '2025-01-01', 'modifyDate': TIMESTAMP '2026-11-03 10:00:00'}),
  ('h@example.com', NULL, MAP {'https://ns.adobe.com/xdm/channels/sms': 'out'}, NULL, NULL)
) t(email, privacyOptOuts, optInOut, globalOptout, _repo)
