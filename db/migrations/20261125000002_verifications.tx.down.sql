DROP TABLE IF EXISTS verification_cache, verifications;
