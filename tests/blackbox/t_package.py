# SPDX-License-Identifier: EUPL-1.2
"""The Debian package: scripts/package builds meent_*.deb (about two
minutes) and lintian finds no error in it; the package holds the programs,
the unit, the man pages, the content where MEENT_CONTENT_DIR points, and
/etc/meent/meentd.conf as a conffile; its postinst makes the user meent
and /var/lib/meent. Skipped, with the reason, where the packaging tools
(scripts/deps --package) are not installed."""
import glob
import os
import shutil
import subprocess
import tempfile

from harness import TOP_SRC, Tap

t = Tap()
TOOLS = ("dpkg-buildpackage", "dh", "lintian", "fakeroot")
missing = [x for x in TOOLS if shutil.which(x) is None]
if missing:
    print("1..0 # SKIP %s not installed (scripts/deps --package)"
          % ", ".join(missing))
    raise SystemExit(0)

out = tempfile.mkdtemp(prefix="meent-package-")
p = subprocess.run([os.path.join(TOP_SRC, "scripts", "package"), out],
                   capture_output=True, text=True, timeout=1200)
t.eq(p.returncode, 0, "scripts/package builds, lintian finds no error")
if p.returncode != 0:
    print("# " + "\n# ".join((p.stdout + p.stderr).splitlines()[-30:]))
debs = glob.glob(os.path.join(out, "meent_*.deb"))
t.eq(len(debs), 1, "one meent_*.deb")
if debs:
    deb = debs[0]
    files = subprocess.run(["dpkg-deb", "--contents", deb],
                           capture_output=True, text=True).stdout
    names = {line.split()[-1].lstrip(".") for line in files.splitlines()}
    for f in ("/usr/bin/meentd", "/usr/bin/meentctl",
              "/lib/systemd/system/meentd.service",
              "/etc/meent/meentd.conf",
              "/usr/share/man/man8/meentd.8.gz",
              "/usr/share/man/man8/meentctl.8.gz",
              "/usr/share/man/man5/meentd.conf.5.gz",
              "/usr/share/meent/content/referentie/"):
        t.ok(f in names, "the package holds " + f)
    t.ok(not any(n.endswith(".la") for n in names), "no libtool .la files")
    ctl = tempfile.mkdtemp(prefix="meent-control-")
    subprocess.run(["dpkg-deb", "--control", deb, ctl], check=True)
    with open(os.path.join(ctl, "conffiles")) as f:
        t.ok("/etc/meent/meentd.conf" in f.read().split(),
             "meentd.conf is a conffile")
    with open(os.path.join(ctl, "postinst")) as f:
        post = f.read()
    t.ok("adduser --system" in post and "/var/lib/meent" in post,
         "postinst makes the user meent and /var/lib/meent")
    # Enabled, but it starts nothing before meentctl init makes meent.db.
    with open(os.path.join(TOP_SRC, "etc", "meentd.service")) as f:
        t.ok("ConditionPathExists=/var/lib/meent/meent.db" in f.read(),
             "the unit waits for meentctl init")
    meentd = subprocess.run(["dpkg-deb", "--fsys-tarfile", deb],
                            capture_output=True).stdout
    t.ok(b"/usr/share/meent/content" in subprocess.run(
        ["tar", "-xOf", "-", "./usr/bin/meentctl"], input=meentd,
        capture_output=True).stdout,
        "meentctl looks for the content in /usr/share/meent/content")
    shutil.rmtree(ctl, ignore_errors=True)
shutil.rmtree(out, ignore_errors=True)
t.done()
