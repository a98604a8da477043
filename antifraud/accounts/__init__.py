"""Web accounts: users with roles and argon2 passwords, login throttling, and the audit log."""
