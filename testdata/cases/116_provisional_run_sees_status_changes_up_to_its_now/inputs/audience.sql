SELECT * FROM (VALUES ('a@example.com'::VARCHAR, 'alice'::VARCHAR), ('b@example.com', 'bob'), ('z@example.com', 'zed')) t(email, name)
