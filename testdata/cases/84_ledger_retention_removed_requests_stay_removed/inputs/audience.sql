SELECT * FROM (VALUES ('alice@example.com', 'a'), ('bob@example.com', 'b'), ('carol@example.com', 'c')) t(email, segment)
