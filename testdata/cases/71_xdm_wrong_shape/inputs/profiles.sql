SELECT 'a@example.com' AS email, [{'optOutType': 'general_opt_out', 'value': 'out', 'timestamp': TIMESTAMP '2026-11-01'}] AS privacyOptOuts
