-- 5 row(s): the last two repeat a link and the customer's own email
SELECT * FROM (VALUES
  ('C2'::VARCHAR, 'ck-b2'::VARCHAR, NULL::VARCHAR),
  ('C2'::VARCHAR, NULL::VARCHAR, 'bob.work@example.com'::VARCHAR),
  ('C9'::VARCHAR, 'ck-9'::VARCHAR, NULL::VARCHAR),
  ('C2'::VARCHAR, 'ck-b2'::VARCHAR, NULL::VARCHAR),
  ('C2'::VARCHAR, NULL::VARCHAR, ' Bob@Example.com'::VARCHAR)
) t(customer_id, cookie_id, email)
