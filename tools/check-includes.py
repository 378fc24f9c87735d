#!/usr/bin/python3
"""Fails on an #include that runs against the module order of docs/architecture.md.

The module table there is the one source: each row names a module and the modules it may use
directly (backticked in "depends on"); a module may include those and whatever they may include.
Checked here:
  - the table lists each dependency above the module that uses it (the order is one-way);
  - src/CMakeLists.txt links each module to exactly the modules its row names;
  - every #include "mailpush/<module>/..." and every relative include in src/ and include/
    stays within the modules its file's module may use, and no relative include leaves its
    directory (another module's private headers);
  - the protocol cores (the "Protocol cores:" line under the table) include no Asio, Beast,
    OpenSSL or spdlog.
A file belongs to the module whose CMake SOURCES list it (a header to the module of its .cpp),
else to the module named like its directory. Usage: tools/check-includes.py [repo root]
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
FORBIDDEN_IN_CORES = re.compile(r"^(boost/asio|asio|boost/beast|openssl/|spdlog/)")
# Executables, not libraries: their directory is their module.
PROGRAM_DIRS = {"app": "app", "ctl": "ctl", "tools": "tools"}


def read_table():
    text = (ROOT / "docs/architecture.md").read_text()
    order, deps = [], {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("| `") else None
        if not cells or len(cells) < 3:
            continue
        name = cells[0].strip("`")
        order.append(name)
        uses = cells[2]
        deps[name] = set(order[:-1]) if uses.strip() == "all" else set(re.findall(r"`([a-z_]+)`", uses))
    cores = re.search(r"^Protocol cores[^:]*:(.*)$", text, re.M)
    if not order or not cores:
        sys.exit("check-includes: no module table or no 'Protocol cores:' line in docs/architecture.md")
    return order, deps, set(re.findall(r"`([a-z_]+)`", cores.group(1)))


def read_cmake():
    text = (ROOT / "src/CMakeLists.txt").read_text()
    sources, links = {}, {}
    for m in re.finditer(r"mailpush_module\((\w+)\s+SOURCES(.*?)\)", text, re.S):
        name, body = m.group(1), m.group(2)
        srcs, _, dep_text = body.partition("DEPS")
        for s in srcs.split():
            sources["src/" + s] = name
        links[name] = {d[len("mailpush_"):] for d in dep_text.split() if d.startswith("mailpush_")} - {"asio"}
    return sources, links


def closure(deps):
    allowed = {}

    def visit(m, seen=()):
        if m in allowed:
            return allowed[m]
        out = set()
        for d in deps.get(m, ()):
            if d not in seen:
                out |= {d} | visit(d, seen + (m,))
        allowed[m] = out
        return out

    for m in deps:
        visit(m)
    return allowed


def module_of(path, sources, modules):
    rel = path.relative_to(ROOT).as_posix()
    parts = rel.split("/")
    if parts[0] == "include":  # include/mailpush/<dir>/<stem>.hpp
        directory, stem = parts[2], pathlib.PurePosixPath(parts[-1]).stem
    else:  # src/<dir>/...
        directory, stem = parts[1], pathlib.PurePosixPath(parts[-1]).stem
        if rel in sources:
            return sources[rel]
    own = sources.get(f"src/{directory}/{stem}.cpp")
    if own:
        return own
    if directory in PROGRAM_DIRS:
        return PROGRAM_DIRS[directory]
    return directory if directory in modules else None


def main():
    order, deps, cores = read_table()
    modules = set(order)
    sources, links = read_cmake()
    allowed = closure(deps)
    errors = []

    for i, m in enumerate(order):
        for d in sorted(deps[m] - set(order[:i])):
            errors.append(f"docs/architecture.md: `{m}` depends on `{d}`, which is not above it in the table")
    for m, linked in sorted(links.items()):
        if m not in modules:
            errors.append(f"src/CMakeLists.txt: module {m} is not in the table of docs/architecture.md")
        elif linked != deps[m]:
            errors.append(
                f"src/CMakeLists.txt: {m} links {sorted(linked)} but the table says {sorted(deps[m])}")

    files = [p for d in ("src", "include") for p in (ROOT / d).rglob("*") if p.suffix in (".cpp", ".hpp")]
    for path in sorted(files):
        rel = path.relative_to(ROOT).as_posix()
        mod = module_of(path, sources, modules)
        if mod is None:
            errors.append(f"{rel}: belongs to no module of the table")
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            inc = re.match(r'\s*#\s*include\s*([<"])([^>"]+)[>"]', line)
            if not inc:
                continue
            quoted, target = inc.group(1) == '"', inc.group(2)
            where = f"{rel}:{n}: {mod}"
            if not quoted:
                if mod in cores and FORBIDDEN_IN_CORES.match(target):
                    errors.append(f"{where} is a protocol core and must not include <{target}>")
                continue
            if target.startswith("mailpush/"):
                header = ROOT / "include" / target
            else:
                if "/" in target:
                    errors.append(f"{where} reaches into another directory with \"{target}\"")
                    continue
                header = path.parent / target
            if not header.exists():
                continue  # the compiler reports it
            other = module_of(header, sources, modules)
            if other and other != mod and other not in allowed.get(mod, set()):
                errors.append(f"{where} may not include \"{target}\" ({other} is not below it)")

    for e in errors:
        print(e)
    if errors:
        print(f"check-includes: {len(errors)} problem(s); the module order is the table in docs/architecture.md")
        return 1
    print(f"check-includes: {len(files)} files follow the module order")
    return 0


if __name__ == "__main__":
    sys.exit(main())
