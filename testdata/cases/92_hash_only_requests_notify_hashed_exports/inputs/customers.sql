SELECT * FROM (VALUES ('C1'::VARCHAR, 'eve@example.com'::VARCHAR, NULL::VARCHAR)) t(customer_id, email, phone)
