"""Who may see and do what: sign-in, roles and row-level access to dossiers."""
