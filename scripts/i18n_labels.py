"""Regenerate the literal list of labels in src/rexian/web/labels.py from the tables it names.

    .venv/bin/python scripts/i18n_labels.py

Then update the catalogue (from src/rexian: django-admin makemessages -l en --settings=rexian.settings),
translate the new entries and compile them (django-admin compilemessages --settings=rexian.settings).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "src" / "rexian" / "web" / "labels.py"
MARKER = "LABELS = (\n"


def literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def generate() -> str:
    from rexian.web.labels import label_sources

    seen: set[str] = set()
    lines = []
    for source, labels in label_sources().items():
        new = [label for label in dict.fromkeys(labels) if label not in seen]
        seen.update(new)
        if new:
            lines.append(f"    # {source}")
            lines += [f"    gettext_noop({literal(label)})," for label in new]
    return "\n".join(lines) + "\n"


def main() -> int:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rexian.settings")
    import django

    django.setup()
    text = TARGET.read_text(encoding="utf-8")
    head = text[: text.index(MARKER) + len(MARKER)]
    TARGET.write_text(head + generate() + ")\n", encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
