SELECT * FROM (VALUES ('C1'::VARCHAR, 'z@example.com'::VARCHAR, NULL::VARCHAR)) t(customer_id, email, phone)
