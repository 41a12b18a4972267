"""The versioned handbook site: tables from the schema, one site per version, versions.json and redirects."""
