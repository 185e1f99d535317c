"""Print the PostgreSQL URL the test suite should also run on, or nothing when none answers.

DATABASE_URL wins when it names PostgreSQL; otherwise a server on 127.0.0.1:5432 with database `test`
(as on CI machines) is tried. With REQUIRE_POSTGRES=1 a missing server is an error (exit 1).
"""

from __future__ import annotations

import os
import sys

CANDIDATES = ["postgresql://postgres@127.0.0.1:5432/test", "postgresql://127.0.0.1:5432/test"]


def answers(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def main() -> int:
    configured = os.environ.get("DATABASE_URL", "")
    candidates = [configured] if configured.startswith(("postgres://", "postgresql://")) else CANDIDATES
    for url in candidates:
        if answers(url):
            print(url)
            return 0
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        print(
            "PostgreSQL is required (REQUIRE_POSTGRES=1) but none answers at " + ", ".join(candidates), file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
