"""Regenerate (or check, or only compile) each app's Vietnamese catalogue.

An app's catalogue lives in `tracing_portal/<app>/locale/` and holds the strings of its
Python code and of `templates/<app>/`. `core` also holds the project-level files
(settings, base templates). Keeping one catalogue per app lets apps change independently.

An app may also translate the messages of an installed package that reach its users (the
API answers with Django REST framework's), in a separate catalogue: its AppConfig declares
`package_catalogues = {locale dir inside the app: (package, [module, ...])}`. The strings
are extracted from those modules of the installed package and checked like the app's own.
The settings put such a catalogue in LOCALE_PATHS so that it wins over the package's own
translations; it then wins over every app's too, so `--check` also fails when it
translates a string differently from a portal catalogue.

`--compile` (run by `make run`) turns each .po into its .mo with polib, so it needs no GNU
gettext; a .mo that already holds the same translations is left as it is.
"""

import os
import shutil
import subprocess
import tempfile
from contextlib import chdir
from functools import partial
from importlib import import_module
from pathlib import Path

import polib
from django.apps import apps as django_apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

PORTAL = Path(settings.BASE_DIR) / "tracing_portal"
TEMPLATES = Path(settings.BASE_DIR) / "templates"
PROJECT_FILES = ["settings.py", "urls.py"]
MSGFMT = shutil.which("msgfmt") or "msgfmt"


def portal_apps() -> list[str]:
    return sorted(p.name for p in PORTAL.iterdir() if p.is_dir() and (p / "apps.py").exists())


def package_catalogues(app: str) -> list[tuple[Path, Path, list[str]]]:
    """(locale dir, package dir, modules) of each installed package's catalogue the app keeps."""
    config = next((c for c in django_apps.get_app_configs() if Path(c.path) == PORTAL / app), None)
    declared = getattr(config, "package_catalogues", {})
    return [
        (PORTAL / app / locale, Path(import_module(package).__path__[0]), list(modules))
        for locale, (package, modules) in declared.items()
    ]


def catalogue_path(locale_dir: Path) -> Path:
    return locale_dir / "vi" / "LC_MESSAGES" / "django.po"


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
    _makemessages(src, locale_dir, top=app)


def extract_package(package_dir: Path, modules: list[str], workdir: Path, locale_dir: Path):
    """Run makemessages over the listed modules of an installed package."""
    src = workdir / "src"
    (src / package_dir.name).mkdir(parents=True)
    for module in modules:
        os.symlink(package_dir / module, src / package_dir.name / module)
    _makemessages(src, locale_dir, top=package_dir.name)


def _makemessages(src: Path, locale_dir: Path, *, top: str) -> None:
    os.symlink(locale_dir, src / "locale")
    with chdir(src):
        call_command(
            "makemessages",
            locale=["vi"],
            symlinks=True,
            ignore_patterns=[f"{top}/locale", f"{top}/locale/*", "*/migrations/*"],
            no_obsolete=True,
            add_location="file",
            verbosity=0,
        )


def app_catalogues(app: str) -> list[Path]:
    """The app's own catalogue, then those of the packages' messages it translates."""
    return [catalogue_path(PORTAL / app / "locale")] + [
        catalogue_path(locale_dir) for locale_dir, _package, _modules in package_catalogues(app)
    ]


def refresh(name: str, real: Path, extractor, *, check: bool) -> list[str]:
    """Extract the strings into the catalogue in `real` and compile it, or, with `check`,
    into a copy: the problems are the strings without a translation (and, with `check`,
    those missing from the catalogue and any translation that breaks a placeholder)."""
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if check:
            target = tmp / "locale"
            if real.exists():
                shutil.copytree(real, target)
            else:
                target.mkdir()
        else:
            real.mkdir(parents=True, exist_ok=True)
            target = real
        extractor(tmp, target)
        po_path = catalogue_path(target)
        if not po_path.exists():
            return []
        po = polib.pofile(str(po_path))
        missing = [e.msgid for e in po if not e.translated() and not e.obsolete]
        problems += [f"{name}: untranslated: {m!r}" for m in missing]
        if check:
            committed = catalogue_path(real)
            have = {e.msgid for e in polib.pofile(str(committed))} if committed.exists() else set()
            new = {e.msgid for e in po} - have
            problems += [f"{name}: not in the catalogue: {m!r}" for m in sorted(new)]
            msgfmt = subprocess.run(  # noqa: S603
                [MSGFMT, "--check-format", "-o", str(tmp / "check.mo"), str(po_path)],
                capture_output=True,
                text=True,
            )
            if msgfmt.returncode:
                errors = msgfmt.stderr.replace(str(po_path), "django.po").splitlines()
                problems += [f"{name}: {line}" for line in errors]
        else:
            subprocess.run(  # noqa: S603
                [MSGFMT, "--check-format", "-o", str(po_path.with_suffix(".mo")), str(po_path)],
                check=True,
            )
    return problems


def clashes(name: str, po_path: Path) -> list[str]:
    """A package catalogue sits in LOCALE_PATHS and wins over every app's: it must not give
    a string another translation than a portal catalogue does."""
    if not po_path.exists():
        return []
    ours = {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(po_path)).translated_entries()}
    problems = []
    for other in sorted(PORTAL.glob("*/locale/vi/LC_MESSAGES/django.po")):
        for e in polib.pofile(str(other)).translated_entries():
            if ours.get((e.msgctxt, e.msgid), e.msgstr) != e.msgstr:
                app = other.relative_to(PORTAL).parts[0]
                problems.append(f"{name}: {e.msgid!r} is translated otherwise in {app}")
    return problems


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
            help=(
                "fail if a catalogue lacks a string used in the code or a translation, or a "
                "translation breaks a placeholder"
            ),
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
                if any([compile_catalogue(po) for po in app_catalogues(app) if po.exists()])
            ]
            self.stdout.write(
                f"Compiled: {', '.join(written)}." if written else "Catalogues are compiled."
            )
            return
        if shutil.which("xgettext") is None:
            raise CommandError("GNU gettext is needed (apt-get install gettext).")
        problems = []
        for app in apps or portal_apps():
            problems += refresh(app, PORTAL / app / "locale", partial(extract, app), check=check)
            for locale_dir, package_dir, modules in package_catalogues(app):
                name = f"{app}: {package_dir.name}"
                extractor = partial(extract_package, package_dir, modules)
                problems += refresh(name, locale_dir, extractor, check=check)
                if check:
                    problems += clashes(name, catalogue_path(locale_dir))
        for line in problems:
            self.stderr.write(line)
        if problems and check:
            raise CommandError(f"{len(problems)} catalogue problem(s).")
        if problems:
            self.stdout.write(f"{len(problems)} string(s) still need a translation.")
        else:
            self.stdout.write("Catalogues are complete.")
