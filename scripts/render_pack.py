#!/usr/bin/env python3
"""Render Word packs to PDF and PNG pages for reviewers (LibreOffice headless, then pdftoppm).

    python scripts/render_pack.py OUT/pack.docx [more.docx ...] -o review/ [--dpi 60] [--no-png]

For each pack this writes review/<pack>.pdf and review/<pack>-<page>.png. LibreOffice's plain
``--convert-to pdf`` leaves the table of contents as its placeholder, so the conversion goes through
the UNO API instead: the document is loaded hidden, its indexes and fields are refreshed, then it is
stored as PDF. UNO is only importable from Debian's system interpreter (python3-uno), so this script
re-runs itself under /usr/bin/python3 for that step; without python3-uno it falls back to the plain
conversion and says so. Each LibreOffice run gets its own throw-away profile, because concurrent runs
sharing one collide.

Exit codes: 0 rendered, 2 bad input or missing tools.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SYSTEM_PYTHON = "/usr/bin/python3"
UNO_WORKER_FLAG = "--uno-worker"
LO_HELPERS = Path(__file__).resolve().parents[1] / "studio" / "exports" / "docx"


def _uno_convert(source: Path, target: Path) -> int:
    """Runs under the system python: load ``source``, refresh TOC and fields, store ``target`` as PDF."""
    # The LibreOffice helpers import uno, which only the system interpreter has: load them by path.
    sys.path.insert(0, str(LO_HELPERS))
    from lo_pages_worker import libreoffice_desktop, uno_properties

    with libreoffice_desktop() as desktop:
        if desktop is None:
            print("render_pack: LibreOffice did not start", file=sys.stderr)
            return 2
        document = desktop.loadComponentFromURL(
            source.resolve().as_uri(), "_blank", 0, uno_properties(Hidden=True)
        )
        indexes = document.getDocumentIndexes()
        for index in range(indexes.getCount()):
            indexes.getByIndex(index).update()
        document.getTextFields().refresh()
        document.storeToURL(target.resolve().as_uri(), uno_properties(FilterName="writer_pdf_Export"))
        document.close(True)
    return 0


def _plain_convert(source: Path, out_dir: Path) -> None:
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    try:
        subprocess.run(
            [
                "soffice",
                "--headless",
                "--norestore",
                f"-env:UserInstallation={profile.as_uri()}",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out_dir),
                str(source),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=180,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def _has_uno() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True)
    return probe.returncode == 0


def render(source: Path, out_dir: Path, *, dpi: int = 60, png: bool = True) -> tuple[Path, list[Path]]:
    """Render one .docx to ``out_dir/<stem>.pdf`` and PNG pages; return the PDF and PNG paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    pdf = out_dir / f"{source.stem}.pdf"
    if _has_uno():
        result = subprocess.run(
            [SYSTEM_PYTHON, str(Path(__file__).resolve()), UNO_WORKER_FLAG, str(source), str(pdf)],
            timeout=180,
        )
        if result.returncode != 0:
            raise RuntimeError(f"LibreOffice could not convert {source}")
    else:
        print("render_pack: python3-uno missing, TOC left as placeholder", file=sys.stderr)
        _plain_convert(source, out_dir)
    pages: list[Path] = []
    if png:
        for old in out_dir.glob(f"{source.stem}-*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(out_dir / source.stem)], check=True)
        pages = sorted(out_dir.glob(f"{source.stem}-*.png"))
    return pdf, pages


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == [UNO_WORKER_FLAG]:
        return _uno_convert(Path(argv[1]), Path(argv[2]))
    parser = argparse.ArgumentParser(description="Render Word packs to PDF and PNG pages.")
    parser.add_argument("packs", nargs="+", type=Path, help=".docx files")
    parser.add_argument("-o", "--output", type=Path, required=True, help="folder for PDF and PNG files")
    parser.add_argument("--dpi", type=int, default=60)
    parser.add_argument("--no-png", action="store_true", help="stop at the PDF")
    args = parser.parse_args(argv)
    for tool in ("soffice", "pdftoppm"):
        if shutil.which(tool) is None:
            print(
                f"render_pack: {tool} not found (install libreoffice-writer-nogui, poppler-utils)",
                file=sys.stderr,
            )
            return 2
    for pack in args.packs:
        if not pack.is_file() or pack.suffix.lower() != ".docx":
            print(f"render_pack: not a .docx file: {pack}", file=sys.stderr)
            return 2
    for pack in args.packs:
        started = time.perf_counter()
        pdf, pages = render(pack, args.output, dpi=args.dpi, png=not args.no_png)
        print(f"{pack.name}: {pdf} + {len(pages)} PNG pages in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
