"""Scale tooling: a realistic province generated into PostgreSQL with COPY
(`manage.py generate_province`) and the benchmark that measures the portal on it over HTTP
(`manage.py bench`, `make bench`). Nothing here runs in the portal's request path."""
