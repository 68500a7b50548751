"""Everything that touches SQLite: schema, migrations, and (later) the stores."""
