"""The `rexian` command: Django's management commands with hyphenated names.

rexian demo [--reset]      load the demo city
rexian serve               serve the site (waitress) on 127.0.0.1:8000
rexian worker              run queued background tasks (REXIAN_TASKS=database)
rexian check-invariants    replay every ticket's events against its stored state
rexian open311-key NAME    create an Open311 client and print its api_key (shown once)
rexian fetch-mail          read the e-mail channels' new mails into appeals now
rexian import-legacy FILE  import old work orders from Excel/CSV (--dry-run checks only)
rexian backup [--output D] the database and uploaded files in one tar.gz
rexian restore FILE --yes  put a backup back (replaces the whole database)
rexian doctor              check settings, database, calendar and worker; non-zero exit on a failure
rexian anonymise           anonymise personal data past the retention period now (--dry-run counts)
rexian reindex-knowledge   rebuild the knowledge search index from the entries
rexian migrate, rexian createsuperuser, …   any other management command
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rexian.settings")
    from django.core.management import execute_from_command_line

    if not args or args[0] in {"-h", "--help", "help"}:
        print(__doc__)
        args = ["help"]
    else:
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["rexian", *args])


if __name__ == "__main__":
    main()
