"""One warm LibreOffice, driven over UNO: the helper behind ``documents.pdf``'s warm pool.

Run by the *system* Python (``/usr/bin/python3``), which has Debian's ``python3-uno``;
the project's virtualenv cannot import ``uno``. It imports nothing from the project.

    /usr/bin/python3 converter_uno.py SOFFICE PROFILE_DIR

It starts ``SOFFICE`` headless with its own profile, listening on a private pipe,
connects, then answers one JSON request per line on stdin with one JSON line on stdout:

    {"ready": true}                                  once LibreOffice is reachable
    {"in": "/x/document.docx", "out": "/x/document.pdf"}  ->  {"ok": true}
                                                          or {"ok": false, "error": "..."}

One document at a time: the parent sends the next request only after the answer. When
stdin closes (the parent exited or dropped this instance), LibreOffice is terminated.
The parent runs this in its own process group and kills the group on a timeout, which
also takes LibreOffice (started here without a new session).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import uuid


def main() -> int:
    soffice, profile = sys.argv[1], sys.argv[2]
    import uno  # the system python3-uno
    from com.sun.star.beans import PropertyValue

    def props(**values: object) -> tuple[object, ...]:
        out = []
        for name, value in values.items():
            p = PropertyValue()
            p.Name, p.Value = name, value
            out.append(p)
        return tuple(out)

    pipe = f"tdkt-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    office = subprocess.Popen(
        [
            soffice,
            f"-env:UserInstallation={uno.systemPathToFileUrl(os.path.abspath(profile))}",
            "--headless",
            "--invisible",
            "--nologo",
            "--nodefault",
            "--norestore",
            "--nolockcheck",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    desktop = None
    deadline = time.monotonic() + 120
    while desktop is None:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            desktop = ctx.ServiceManager.createInstanceWithContext(
                "com.sun.star.frame.Desktop", ctx
            )
        except Exception:  # NoConnectException until soffice listens
            if office.poll() is not None or time.monotonic() > deadline:
                reply({"ready": False, "error": f"LibreOffice did not start ({office.poll()})"})
                return 1
            time.sleep(0.1)
    reply({"ready": True})

    try:
        for line in sys.stdin:
            request = json.loads(line)
            try:
                document = desktop.loadComponentFromURL(
                    uno.systemPathToFileUrl(request["in"]),
                    "_blank",
                    0,
                    props(Hidden=True, ReadOnly=True),
                )
                if document is None:
                    raise RuntimeError("LibreOffice could not load the document")
                try:
                    document.storeToURL(
                        uno.systemPathToFileUrl(request["out"]),
                        props(FilterName="writer_pdf_Export"),
                    )
                finally:
                    document.close(True)
                reply({"ok": True})
            except Exception as exc:  # a bad document must not end the instance
                reply({"ok": False, "error": f"{type(exc).__name__}: {exc}"[:500]})
    finally:
        with contextlib.suppress(Exception):  # the bridge drops as LibreOffice exits
            desktop.terminate()
        try:
            office.wait(10)
        except subprocess.TimeoutExpired:
            office.kill()
    return 0


def reply(message: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
