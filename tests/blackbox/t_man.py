# SPDX-License-Identifier: EUPL-1.2
"""The man pages: `mandoc -Tlint` finds nothing in any of man/*, and every
option of meentd and meentctl (their getopt tables, read from the sources)
and every command of meentctl (ctl_commands[]) is documented as a tagged
paragraph (.TP) of meentd(8) or meentctl(8). The tables are also compared
with what `--help` prints, so that the check reads the real ones."""
import os
import re
import shutil
import subprocess

from harness import MEENTCTL, MEENTD, TOP_SRC, Tap

t = Tap()
MAN = os.path.join(TOP_SRC, "man")


def source(name):
    with open(os.path.join(TOP_SRC, "platform", name)) as f:
        return f.read()


def table(text, start):
    """The body of the C array that starts at `start`, up to its '};'."""
    i = text.index(start)
    return text[i:text.index("};", i)]


def longopts(text):
    return re.findall(r'\{\s*"([a-z-]+)",\s*(?:no|required|optional)_argument',
                      table(text, "longopts[] = {"))


def tags(page):
    """The first line of every .TP paragraph, as plain text: its words and
    options without roff escapes and font changes."""
    with open(os.path.join(MAN, page)) as f:
        lines = f.read().splitlines()
    out = []
    for i, line in enumerate(lines[:-1]):
        if line.strip() == ".TP":
            tag = re.sub(r"^\.[A-Z]+\s*", "", lines[i + 1])
            tag = re.sub(r"\\f[BIRP]", "", tag).replace("\\-", "-")
            out.append(tag.replace('"', ""))
    return out


def documented(tag_list, words):
    """Is there a tag that begins with exactly these words?"""
    for tag in tag_list:
        got = tag.split()
        if got[:len(words)] == words:
            return True
    return False


# mandoc -Tlint: every page, warnings and style messages included.
if shutil.which("mandoc") is None:
    print("1..0 # SKIP mandoc is not installed (scripts/deps --test)")
    raise SystemExit(0)
pages = sorted(p for p in os.listdir(MAN) if re.search(r"\.[1-8]$", p))
t.ok({"meentd.8", "meentctl.8", "meentd.conf.5"} <= set(pages),
     "the three man pages are there", pages)
for page in pages:
    p = subprocess.run(["mandoc", "-Tlint", "-Wstyle",
                        os.path.join(MAN, page)],
                       capture_output=True, text=True)
    t.ok(p.returncode == 0 and p.stdout == "" and p.stderr == "",
         "mandoc -Tlint: %s is clean" % page, p.stdout + p.stderr)

# meentd: every long option.
d_opts = longopts(source("meentd.c"))
t.ok(len(d_opts) >= 8 and "data" in d_opts and "routes" in d_opts,
     "meentd's option table read from meentd.c", d_opts)
d_help = subprocess.run([MEENTD, "--help"], capture_output=True,
                        text=True).stdout
for o in d_opts:
    if o not in ("help", "version"):
        t.ok("--" + o in d_help, "meentd --help names --%s" % o)
d_tags = tags("meentd.8")
for o in d_opts:
    t.ok(documented(d_tags, ["--" + o]), "meentd(8) documents --%s" % o,
         d_tags)

# meentctl: every long option and every command.
c_src = source("meentctl.c")
c_opts = longopts(c_src)
t.ok("data" in c_opts and "content" in c_opts,
     "meentctl's option table read from meentctl.c", c_opts)
cmds = re.findall(r'^\s*\{\s*"([a-z][a-z ]*)",',
                  table(c_src, "ctl_commands[] = {"), re.M)
t.ok(len(cmds) >= 15 and "init" in cmds and "peer add" in cmds,
     "meentctl's commands read from ctl_commands[]", cmds)
c_help = subprocess.run([MEENTCTL, "--help"], capture_output=True,
                        text=True).stdout
listed = [l.strip() for l in c_help.splitlines() if l.startswith("  ")]
for c in cmds:
    t.ok(any(l == c or l.startswith(c + " ") for l in listed),
         "meentctl --help lists %s" % c)
c_tags = tags("meentctl.8")
for o in c_opts:
    t.ok(documented(c_tags, ["--" + o]), "meentctl(8) documents --%s" % o,
         c_tags)
for c in cmds:
    t.ok(documented(c_tags, c.split()), "meentctl(8) documents %s" % c,
         c_tags)

# The check itself: a tag list without a command is caught.
t.ok(not documented([x for x in c_tags if not x.startswith("reindex")],
                    ["reindex"]), "a command missing from the page is found")
t.done()
