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
from pathlib import Path

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


def main(paths: list[str]) -> int:
    import uno
    from com.sun.star.beans import PropertyValue

    hidden = PropertyValue()
    hidden.Name, hidden.Value = "Hidden", True
    profile = Path(tempfile.mkdtemp(prefix="lo-pages-"))
    pipe = f"crisis_studio_pages_{os.getpid()}"
    office = subprocess.Popen(
        ["soffice", "--headless", "--norestore", "--nologo", "--nodefault",
         f"-env:UserInstallation={profile.as_uri()}", f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        context = None
        for _ in range(300):  # LibreOffice needs a moment to open its pipe
            try:
                context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:  # NoConnectException until the pipe is up
                time.sleep(0.1)
        if context is None:
            return 2
        desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        result = {}
        for path in paths:
            document = desktop.loadComponentFromURL(Path(path).resolve().as_uri(), "_blank", 0, (hidden,))
            try:
                result[path] = _heading_pages(document)
            finally:
                document.close(True)
        print(json.dumps(result))
        with contextlib.suppress(Exception):  # the bridge drops while LibreOffice exits
            desktop.terminate()
        return 0
    finally:
        try:
            office.wait(timeout=20)
        except subprocess.TimeoutExpired:
            office.kill()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
