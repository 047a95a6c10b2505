"""Privacy by design: roles and permissions, masking, audit trail, keys."""
