SELECT * FROM (VALUES ('m1'::VARCHAR, sha256('14155550102')), ('m2', sha256('+14155550102')), ('m3', sha256('19995550100'))) t(rid, ph)
