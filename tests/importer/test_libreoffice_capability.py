"""The LibreOffice conversion tests skip what this machine's LibreOffice cannot do, judged by
what it can convert, not by whether `soffice` exists. Regression: `make test` failed on a
machine whose LibreOffice had Writer but not Calc
(`test_old_office_file_is_converted_by_libreoffice_when_installed[*-xls]`).

The suite runs here, in its own pytest, against a LibreOffice that has Writer only: a stand-in
`soffice` on PATH that converts to .docx (handing back the Word file LibreOffice made of the
sample) and, like a Writer-only LibreOffice, cannot load what Calc would open."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURES

ROOT = Path(__file__).parents[2]
WRITER_ONLY = """#!{python}
import shutil, sys
from pathlib import Path
args = sys.argv[1:]
new = args[args.index("--convert-to") + 1]
outdir = Path(args[args.index("--outdir") + 1])
source = Path(args[-1])
if new != "docx":
    print("Error: source file could not be loaded")
    sys.exit(1)
shutil.copyfile({docx!r}, outdir / (source.stem + ".docx"))
"""


def test_a_writer_only_libreoffice_skips_xls_and_still_converts_doc(tmp_path: Path) -> None:
    folder = tmp_path / "bin"
    folder.mkdir()
    soffice = folder / "soffice"
    docx = FIXTURES / "office" / "ncc-financial-management-2017.docx"
    soffice.write_text(WRITER_ONLY.format(python=sys.executable, docx=str(docx)))
    soffice.chmod(soffice.stat().st_mode | stat.S_IXUSR)
    env = {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider"]
        + ["tests/importer/test_office_files.py", "-k", "converted_by_libreoffice and sqlite"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    summary = done.stdout.strip().splitlines()[-1]
    assert done.returncode == 0, done.stdout[-3000:]
    assert "1 passed, 1 skipped" in summary, done.stdout[-3000:]
    assert "cannot convert .xls (no Calc)" in done.stdout
