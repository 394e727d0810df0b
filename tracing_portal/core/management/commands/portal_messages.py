"""Regenerate (or check, or only compile) each app's Vietnamese catalogue.

An app's catalogue lives in `tracing_portal/<app>/locale/` and holds the strings of its
Python code and of `templates/<app>/`. `core` also holds the project-level files
(settings, base templates). Keeping one catalogue per app lets apps change independently.

`--compile` (run by `make run`) turns each .po into its .mo with polib, so it needs no GNU
gettext; a .mo that already holds the same translations is left as it is.
"""

import os
import shutil
import subprocess
import tempfile
from contextlib import chdir
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

PORTAL = Path(settings.BASE_DIR) / "tracing_portal"
TEMPLATES = Path(settings.BASE_DIR) / "templates"
PROJECT_FILES = ["settings.py", "urls.py"]
MSGFMT = shutil.which("msgfmt") or "msgfmt"


def portal_apps() -> list[str]:
    return sorted(p.name for p in PORTAL.iterdir() if p.is_dir() and (p / "apps.py").exists())


def _translations(entries) -> set[tuple]:
    return {
        (e.msgctxt, e.msgid, e.msgid_plural, e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in entries
        if e.msgid
    }


def compile_catalogue(po_path: Path) -> bool:
    """Write the .mo beside `po_path` unless it already holds the same translations (a
    fresh clone's committed .mo files stay untouched). True when it was written."""
    po = polib.pofile(str(po_path))
    mo_path = po_path.with_suffix(".mo")
    if mo_path.exists() and _translations(polib.mofile(str(mo_path))) == _translations(
        po.translated_entries()
    ):
        return False
    po.save_as_mofile(str(mo_path))
    return True


def extract(app: str, workdir: Path, locale_dir: Path) -> None:
    """Run makemessages over the app's code and templates, writing into locale_dir."""
    src = workdir / "src"
    src.mkdir()
    os.symlink(PORTAL / app, src / app)
    if (TEMPLATES / app).is_dir():
        os.symlink(TEMPLATES / app, src / f"templates_{app}")
    if app == "core":
        for name in PROJECT_FILES:
            os.symlink(PORTAL / name, src / name)
        os.symlink(TEMPLATES / "base.html", src / "base.html")
    os.symlink(locale_dir, src / "locale")
    with chdir(src):
        call_command(
            "makemessages",
            locale=["vi"],
            symlinks=True,
            ignore_patterns=[f"{app}/locale", f"{app}/locale/*", "*/migrations/*"],
            no_obsolete=True,
            add_location="file",
            verbosity=0,
        )


class Command(BaseCommand):
    help = (
        "Regenerate each app's Vietnamese catalogue and compile it; --check only reports; "
        "--compile only compiles."
    )

    def add_arguments(self, parser):
        parser.add_argument("apps", nargs="*", help="apps to process (default: all)")
        parser.add_argument(
            "--check",
            action="store_true",
            help="fail if a catalogue lacks a string used in the code, or a translation",
        )
        parser.add_argument(
            "--compile",
            action="store_true",
            dest="compile_only",
            help="only compile the catalogues that changed (.po to .mo); needs no GNU gettext",
        )

    def handle(self, *args, apps, check, compile_only, **options):
        if compile_only:
            written = [
                app
                for app in apps or portal_apps()
                if (po := PORTAL / app / "locale" / "vi" / "LC_MESSAGES" / "django.po").exists()
                and compile_catalogue(po)
            ]
            self.stdout.write(
                f"Compiled: {', '.join(written)}." if written else "Catalogues are compiled."
            )
            return
        if shutil.which("xgettext") is None:
            raise CommandError("GNU gettext is needed (apt-get install gettext).")
        problems = []
        for app in apps or portal_apps():
            real = PORTAL / app / "locale"
            with tempfile.TemporaryDirectory() as tmp:
                tmp = Path(tmp)
                if check:
                    target = tmp / "locale"
                    if real.exists():
                        shutil.copytree(real, target)
                    else:
                        target.mkdir()
                else:
                    real.mkdir(exist_ok=True)
                    target = real
                extract(app, tmp, target)
                po_path = target / "vi" / "LC_MESSAGES" / "django.po"
                if not po_path.exists():
                    continue
                po = polib.pofile(str(po_path))
                missing = [e.msgid for e in po if not e.translated() and not e.obsolete]
                problems += [f"{app}: untranslated: {m!r}" for m in missing]
                if check:
                    committed = real / "vi" / "LC_MESSAGES" / "django.po"
                    have = (
                        {e.msgid for e in polib.pofile(str(committed))}
                        if committed.exists()
                        else set()
                    )
                    new = {e.msgid for e in po} - have
                    problems += [f"{app}: not in the catalogue: {m!r}" for m in sorted(new)]
                else:
                    subprocess.run(  # noqa: S603
                        [
                            MSGFMT,
                            "--check-format",
                            "-o",
                            str(po_path.with_suffix(".mo")),
                            str(po_path),
                        ],
                        check=True,
                    )
        for line in problems:
            self.stderr.write(line)
        if problems and check:
            raise CommandError(f"{len(problems)} catalogue problem(s).")
        if problems:
            self.stdout.write(f"{len(problems)} string(s) still need a translation.")
        else:
            self.stdout.write("Catalogues are complete.")
