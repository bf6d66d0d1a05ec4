#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Compile every public header on its own.

A public header lives at <root>/include/<name>/<file>.h and is included as
<name/file.h>, so <root>/include goes on the include path.  Each header is
compiled alone, as C11 with the project's warnings, so a header that needs
something it does not include fails here.
"""
import os
import subprocess
import sys
import tempfile

FLAGS = ["-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Werror",
         "-Wstrict-prototypes", "-Wmissing-prototypes", "-fsyntax-only"]


def include_root(header):
    return os.path.dirname(os.path.dirname(os.path.abspath(header)))


def main():
    sep = sys.argv.index("--")
    cc = sys.argv[2:sep]
    headers = sys.argv[sep + 1:]
    roots = sorted({include_root(h) for h in headers})
    incs = ["-I" + r for r in roots]
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for h in sorted(headers):
            rel = os.path.relpath(os.path.abspath(h), include_root(h))
            src = os.path.join(tmp, "t.c")
            with open(src, "w") as f:
                f.write("#include <%s>\n#include <%s>\n" % (rel, rel))
            res = subprocess.run(cc + FLAGS + incs + [src], capture_output=True, text=True)
            if res.returncode:
                failed += 1
                print("FAIL %s\n%s" % (rel, res.stderr))
            else:
                passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
