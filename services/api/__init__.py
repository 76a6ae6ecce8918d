"""The api service: counts, accounts and roles, the hash-chained audit log, notices, health."""
