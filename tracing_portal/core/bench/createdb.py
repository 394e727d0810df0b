"""`python -m tracing_portal.core.bench.createdb postgres://…/scale`: create the benchmark's
PostgreSQL database if it does not exist yet (used by `make bench`)."""

import sys
from urllib.parse import urlsplit

import psycopg
from psycopg import sql


def main(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in ("postgres", "postgresql", "pgsql") or not name:
        raise SystemExit(f"Not a PostgreSQL database URL: {url}")
    server = parts._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created database {name}.")


if __name__ == "__main__":
    main(sys.argv[1])
