SELECT * FROM (VALUES ('ck-1', 'a'), ('ck-9', 'b'), ('ck-5', 'c'), ('ck-3', 'd')) t(cookie, segment)
