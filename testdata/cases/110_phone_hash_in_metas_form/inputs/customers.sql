SELECT * FROM (VALUES ('C2'::VARCHAR, NULL::VARCHAR, '415-555-0102'::VARCHAR), ('C3', NULL, '4155550103'), ('C9', 'x@example.com', NULL)) t(customer_id, email, phone)
