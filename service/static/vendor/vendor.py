"""Re-create the vendored YASGUI files (``make vendor``) from package.json and package-lock.json.

Installs the locked packages with ``npm ci`` in a temporary directory, copies YASGUI's browser
build into yasgui/, and writes yasgui/THIRD-PARTY-NOTICES.txt (the licences of every package in
the lock, which upstream's bundle includes) and yasgui/README.md (package, version, checksums).
yasgui/LICENSE is kept as committed: the npm package ships none (see README.md).
Only the build's own files are copied, unchanged. Needs node and npm; users and CI do not.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET = HERE / "yasgui"
PACKAGE = "@zazuko/yasgui"
FILES = ["yasgui.min.js", "yasgui.min.css"]
LICENCE_NAMES = ("LICENSE", "LICENSE.md", "LICENSE.txt", "License.txt", "license", "license.txt",
                 "LICENCE", "COPYING")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def notices(lock: dict, modules: Path) -> str:
    parts = ["Third-party software in yasgui.min.js and yasgui.min.css",
             "",
             f"The files are the browser build of {PACKAGE}, which bundles its dependencies. The",
             "packages below are those its package-lock resolves (upstream built the bundle from",
             "compatible versions of the same packages), each with the licence text it ships.",
             ""]
    for key, meta in sorted(lock["packages"].items()):
        if not key:
            continue
        name = key.split("node_modules/")[-1]
        directory = modules.parent / key
        text = next((f.read_text(encoding="utf-8", errors="replace").strip()
                     for n in LICENCE_NAMES if (f := directory / n).is_file()), None)
        parts += ["=" * 78, f"{name} {meta['version']} — {meta.get('license', 'licence not stated in its package.json')}",
                  "=" * 78, text or "(the package ships no licence file; its package.json states "
                  f"the licence above)", ""]
    return "\n".join(parts) + "\n"


def readme(version: str, integrity: str) -> str:
    rows = "\n".join(f"| `{name}` | `{sha256(TARGET / name)}` |" for name in FILES)
    return f"""# YASGUI, vendored

The query page's editor and results table: **{PACKAGE} {version}** (MIT), the maintained fork
of Triply's YASGUI (`@triply/yasgui`), from the npm registry. Source: the `rdfjs/Yasgui`
repository on GitHub.

| file | sha256 |
|---|---|
{rows}

They are the package's `build/` files, unchanged (npm integrity of the package:
`{integrity}`). The source maps named at the end of the files are not shipped (3.5 MB);
only a browser's developer tools would ask for them.

* `LICENSE`: YASGUI's licence (MIT). The npm package states `"license": "MIT"` but ships no licence
  file; this is the licence file of the upstream repository.
* `THIRD-PARTY-NOTICES.txt`: the licences of the packages the bundle includes.

## Re-creating these files

```sh
make vendor          # = python3 service/static/vendor/vendor.py
```

runs `npm ci` on `service/static/vendor/package.json` and `package-lock.json` in a temporary
directory, copies the files above and rewrites this README and the notices. To upgrade, change the
version in package.json, run `npm install --package-lock-only` there, then `make vendor`, and
commit the result. Users and CI never need npm: the files are committed.
"""


def main() -> int:
    lock = json.loads((HERE / "package-lock.json").read_text(encoding="utf-8"))
    meta = lock["packages"][f"node_modules/{PACKAGE}"]
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("package.json", "package-lock.json"):
            shutil.copy(HERE / name, Path(tmp) / name)
        subprocess.run(["npm", "ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"],
                       cwd=tmp, check=True)
        modules = Path(tmp) / "node_modules"
        installed = json.loads((modules / PACKAGE / "package.json").read_text(encoding="utf-8"))
        if installed["version"] != meta["version"]:
            sys.exit(f"npm installed {PACKAGE} {installed['version']}, the lock says {meta['version']}")
        TARGET.mkdir(exist_ok=True)
        for name in FILES:
            shutil.copy(modules / PACKAGE / "build" / name, TARGET / name)
        (TARGET / "THIRD-PARTY-NOTICES.txt").write_text(notices(lock, modules), encoding="utf-8")
    (TARGET / "README.md").write_text(readme(meta["version"], meta["integrity"]), encoding="utf-8")
    print(f"vendored {PACKAGE} {meta['version']} into {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
