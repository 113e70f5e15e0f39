"""Run by Debian's /usr/bin/python3 (python3-uno): print the page of every level-1 heading of .docx files.

    /usr/bin/python3 lo_pages_worker.py PACK.docx [PACK.docx ...]

Prints one JSON object {path: [page of each "Heading 1" paragraph, in document order]}. It starts one
headless LibreOffice with a throw-away profile for all the files, lays each one out and asks the view
cursor on which page each heading falls. It imports nothing from studio: the system interpreter does
not have the project's packages, only UNO.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HEADING_STYLES = {"Heading 1", "heading 1"}


def _heading_pages(document: object) -> list[int]:
    cursor = document.getCurrentController().getViewCursor()
    pages = []
    paragraphs = document.getText().createEnumeration()
    while paragraphs.hasMoreElements():
        paragraph = paragraphs.nextElement()
        if not paragraph.supportsService("com.sun.star.text.Paragraph"):
            continue  # a table: headings are never inside one
        if paragraph.getPropertyValue("ParaStyleName") in HEADING_STYLES:
            cursor.gotoRange(paragraph.getStart(), False)
            pages.append(int(cursor.getPage()))
    return pages


@contextlib.contextmanager
def libreoffice_desktop(prefix: str = "lo-profile-") -> Iterator[Any]:
    """A headless LibreOffice with a throw-away profile, as its UNO Desktop (None if it never answers).

    Also used by scripts/render_pack.py: concurrent runs sharing a profile collide, and LibreOffice
    needs a moment to open its pipe.
    """
    import uno

    profile = Path(tempfile.mkdtemp(prefix=prefix))
    pipe = f"crisis_studio_{os.getpid()}"
    office = subprocess.Popen(
        ["soffice", "--headless", "--norestore", "--nologo", "--nodefault",
         f"-env:UserInstallation={profile.as_uri()}", f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        context = None
        for _ in range(300):
            try:
                context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:  # NoConnectException until the pipe is up
                time.sleep(0.1)
        desktop = (
            None
            if context is None
            else context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        )
        yield desktop
        if desktop is not None:
            with contextlib.suppress(Exception):  # the bridge drops while LibreOffice exits
                desktop.terminate()
    finally:
        try:
            office.wait(timeout=20)
        except subprocess.TimeoutExpired:
            office.kill()
        shutil.rmtree(profile, ignore_errors=True)


def uno_properties(**values: object) -> tuple[Any, ...]:
    """UNO property values, e.g. ``uno_properties(Hidden=True)`` to load a document without a window."""
    from com.sun.star.beans import PropertyValue  # importable once uno is imported

    items = []
    for name, value in values.items():
        item = PropertyValue()
        item.Name, item.Value = name, value
        items.append(item)
    return tuple(items)


def main(paths: list[str]) -> int:
    with libreoffice_desktop("lo-pages-") as desktop:
        if desktop is None:
            return 2
        result = {}
        for path in paths:
            document = desktop.loadComponentFromURL(
                Path(path).resolve().as_uri(), "_blank", 0, uno_properties(Hidden=True)
            )
            try:
                result[path] = _heading_pages(document)
            finally:
                document.close(True)
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
