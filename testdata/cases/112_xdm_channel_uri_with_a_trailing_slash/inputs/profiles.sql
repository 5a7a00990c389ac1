SELECT * FROM (VALUES
  ('a@example.com', []::STRUCT(optOutType VARCHAR, optOutValue VARCHAR, "timestamp" TIMESTAMP)[], MAP {'https://ns.adobe.com/xdm/channels/email/': 'out'}, NULL::BOOLEAN, {'createDate': TIMESTAMP '2025-01-01', 'modifyDate': TIMESTAMP '2026-11-03 07:00:00'}),
  ('b@example.com', [], MAP {' https://ns.adobe.com/xdm/channels/sms ': 'out'}, NULL, {'createDate': TIMESTAMP '2025-01-01', 'modifyDate': TIMESTAMP '2026-11-03 07:00:00'}),
  ('c@example.com', [], MAP {'HTTPS://NS.Adobe.com/xdm/channels/Email': 'out'}, NULL, {'createDate': TIMESTAMP '2025-01-01', 'modifyDate': TIMESTAMP '2026-11-03 07:00:00'})
) t(email, privacyOptOuts, optInOut, globalOptout, _repo)
