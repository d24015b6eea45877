#!/usr/bin/python3
"""Static checks of deploy/docker/Dockerfile (no container engine needed).

  /usr/bin/python3 deploy/tests/check_containers.py [--dockerfile F]
      [--dockerignore F] [--binary-dir BUILD] [--require-all]

Checks:
  * base images are Debian 12 with a pinned tag (never :latest or untagged);
  * the build stage installs the toolchain and every -dev package the CMake
    build needs (the same names as scripts/install-deps.sh);
  * every COPY from the context names a path that exists in the repository
    and that .dockerignore does not exclude; every COPY --from names an
    earlier stage; .dockerignore excludes no tracked file;
  * the runtime stage and every service stage install no -dev package, no
    compiler and no build tool;
  * one final stage per service: ENTRYPOINT (exec form) is
    /usr/local/bin/jit-<service>, that binary is COPYed into the stage, is a
    jit_cc_binary target of the CMake build, and the stage runs as a numeric
    non-root USER (set after the last RUN), labels
    org.opencontainers.image.version from ARG JIT_VERSION and checks
    `jit-<service> --version` against it;
  * when a built binary exists (--binary-dir), every shared library it links
    belongs to a Debian package that the runtime stage installs or that those
    packages depend on (dpkg's Depends, transitively).
A service whose sources do not exist yet (services/<name>/binary.cmake) is
reported as pending, not failed, unless --require-all.
Exit status 0 when every check passes, 1 otherwise.
"""
import argparse
import fnmatch
import json
import os
import re
import shlex
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SERVICES = ["enrollment", "training-progress", "placement", "aggregator"]
# What the CMake build needs (scripts/install-deps.sh: toolchain, contracts
# and RPC, shared libraries; gtest/gmock because the test tree is configured).
BUILD_PACKAGES = {
    "build-essential", "cmake", "ninja-build", "pkg-config", "git",
    "protobuf-compiler", "libprotobuf-dev", "protobuf-compiler-grpc", "libgrpc++-dev",
    "libabsl-dev", "librdkafka-dev", "libsqlite3-dev", "libssl-dev", "prometheus-cpp-dev",
    "libcpp-httplib-dev", "libspdlog-dev", "libfmt-dev", "nlohmann-json3-dev",
    "libgtest-dev", "libgmock-dev",
}
BUILD_TOOLS = {
    "build-essential", "cmake", "ninja-build", "pkg-config", "git", "gcc", "g++",
    "clang", "make", "binutils", "protobuf-compiler", "protobuf-compiler-grpc", "ccache",
}

errors = []
notes = []


def fail(msg):
    errors.append(msg)


def parse_dockerfile(path):
    """Returns (global_args, stages); a stage is a dict with name, base and
    instructions [(KEYWORD, argument string, line number)]."""
    lines = open(path, encoding="utf-8").read().split("\n")
    logical = []
    buf, start = "", 0
    for i, raw in enumerate(lines, 1):
        stripped = raw.strip()
        if not buf and (not stripped or stripped.startswith("#")):
            continue
        if buf and stripped.startswith("#"):
            continue  # comment line inside a continuation
        if not buf:
            start = i
        if stripped.endswith("\\"):
            buf += stripped[:-1] + " "
            continue
        buf += stripped
        logical.append((start, buf))
        buf = ""
    if buf:
        logical.append((start, buf))
    global_args, stages = {}, []
    for lineno, text in logical:
        keyword, _, rest = text.partition(" ")
        keyword = keyword.upper()
        rest = rest.strip()
        if keyword == "FROM":
            m = re.match(r"^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$", rest, re.I)
            if not m:
                fail(f"line {lineno}: cannot parse FROM {rest!r}")
                continue
            stages.append({"name": m.group(2) or str(len(stages)), "base": m.group(1),
                           "line": lineno, "instructions": []})
        elif not stages:
            if keyword == "ARG":
                name, _, default = rest.partition("=")
                global_args[name] = default.strip('"')
            else:
                fail(f"line {lineno}: {keyword} before the first FROM")
        else:
            stages[-1]["instructions"].append((keyword, rest, lineno))
    return global_args, stages


def expand(text, args):
    return re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), text)


def apt_packages(run_text):
    """Package names given to `apt-get install` in one RUN."""
    pkgs = []
    for part in re.split(r"&&|;|\|\|", run_text):
        words = shlex.split(part)
        if len(words) >= 2 and words[0] in ("apt-get", "apt") and "install" in words:
            idx = words.index("install")
            pkgs += [w for w in words[idx + 1:] if not w.startswith("-")]
    return pkgs


def dockerignore_patterns(path):
    pats = []
    if not os.path.exists(path):
        return pats
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line and not line.startswith("#"):
            pats.append(line)
    return pats


def ignored(relpath, patterns):
    relpath = relpath.strip("/")
    parts = relpath.split("/")
    result = False
    for pat in patterns:
        neg = pat.startswith("!")
        p = pat[1:] if neg else pat
        p = p.strip("/")
        candidates = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
        hit = False
        for c in candidates:
            if p.startswith("**/"):
                if fnmatch.fnmatch(c.split("/")[-1], p[3:]) or fnmatch.fnmatch(c, p[3:]):
                    hit = True
            elif fnmatch.fnmatch(c, p) and c.count("/") == p.count("/"):
                hit = True
        if hit:
            result = not neg
    return result


def cmake_binary_targets():
    targets = {}
    for dirpath, dirnames, filenames in os.walk(ROOT):
        rel = os.path.relpath(dirpath, ROOT)
        if rel.startswith(("build", "node_modules", ".git", ".cache", ".data")):
            dirnames[:] = []
            continue
        for f in filenames:
            if f == "CMakeLists.txt" or f.endswith(".cmake"):
                text = open(os.path.join(dirpath, f), encoding="utf-8", errors="replace").read()
                for m in re.finditer(r"jit_cc_binary\(\s*NAME\s+([\w-]+)", text):
                    targets[m.group(1)] = os.path.relpath(os.path.join(dirpath, f), ROOT)
    return targets


def dpkg_closure(pkgs):
    """Installed packages reachable from pkgs through Depends/Pre-Depends
    (one dpkg-query for the whole database)."""
    out = subprocess.run(["dpkg-query", "-W", "-f=${Package}\t${Depends}, ${Pre-Depends}\n"],
                         capture_output=True, text=True).stdout
    deps = {}
    for line in out.splitlines():
        name, _, rest = line.partition("\t")
        names = set()
        for alt in rest.split(","):
            for dep in alt.split("|"):
                d = re.sub(r"\(.*?\)", "", dep).strip().split(":")[0]
                if d:
                    names.add(d)
        deps.setdefault(name, set()).update(names)
    seen, todo = set(), list(pkgs)
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        todo.extend(deps.get(p, ()))
    return seen


def linked_packages(binary):
    """{library path: owning Debian package or None}, and the libraries ldd
    could not find."""
    out = subprocess.run(["ldd", binary], capture_output=True, text=True)
    if out.returncode != 0:
        return None, [out.stderr.strip()]
    libs, missing = [], []
    for line in out.stdout.splitlines():
        if "not found" in line:
            missing.append(line.strip())
            continue
        m = re.search(r"=>\s+(\S+)", line)
        if m:
            libs.append(m.group(1))
    candidates = sorted({c for lib in libs for c in (lib, os.path.realpath(lib))})
    owners = {}
    if candidates:
        q = subprocess.run(["dpkg", "-S"] + candidates, capture_output=True, text=True)
        for line in q.stdout.splitlines():
            pkg, _, path = line.partition(": ")
            owners[path.strip()] = pkg.split(":")[0].split(",")[0].strip()
    pkgs = {}
    for lib in libs:
        pkgs[lib] = owners.get(lib) or owners.get(os.path.realpath(lib))
    return pkgs, missing


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dockerfile", default=os.path.join(ROOT, "deploy/docker/Dockerfile"))
    ap.add_argument("--dockerignore", default=os.path.join(ROOT, ".dockerignore"))
    ap.add_argument("--binary-dir", default=os.environ.get("JIT_BINARY_DIR", os.path.join(ROOT, "build")))
    ap.add_argument("--require-all", action="store_true")
    opts = ap.parse_args()

    global_args, stages = parse_dockerfile(opts.dockerfile)
    names = [s["name"] for s in stages]
    if len(stages) < 2:
        fail("not a multi-stage build")
    patterns = dockerignore_patterns(opts.dockerignore)
    if not patterns:
        fail(f"{opts.dockerignore}: missing or empty")
    for must in ("build", "node_modules"):
        if not ignored(must, patterns):
            fail(f".dockerignore does not exclude {must}/")
    tracked = subprocess.run(["git", "-C", ROOT, "ls-files"], capture_output=True, text=True).stdout.split()
    for f in tracked:
        if ignored(f, patterns):
            fail(f".dockerignore excludes the tracked file {f} (the build would read as dirty)")
            break

    targets = cmake_binary_targets()
    stage_by_name = {}
    runtime_pkgs = {}
    for idx, st in enumerate(stages):
        stage_by_name[st["name"]] = st
        base = expand(st["base"], global_args)
        st["root"] = base
        if base in stage_by_name and base != st["name"]:
            st["root"] = stage_by_name[base]["root"]
            st["parent"] = base
        else:
            m = re.match(r"^debian:(\S+)$", base)
            if not m:
                fail(f"stage {st['name']}: base image {base!r} is not Debian")
            elif m.group(1) == "latest" or not re.match(r"^(12(\.\d+)?|bookworm)(-\d{8})?(-slim)?(@sha256:[0-9a-f]{64})?$", m.group(1)):
                fail(f"stage {st['name']}: base image {base!r} is not a pinned Debian 12 tag")
        pkgs = []
        for kw, rest, line in st["instructions"]:
            if kw == "RUN":
                pkgs += apt_packages(rest)
            if kw in ("COPY", "ADD"):
                words = shlex.split(rest)
                flags = [w for w in words if w.startswith("--")]
                paths = [w for w in words if not w.startswith("--")]
                if kw == "ADD":
                    fail(f"line {line}: use COPY, not ADD")
                if len(paths) < 2:
                    fail(f"line {line}: COPY needs a source and a destination")
                    continue
                src_from = [f.split("=", 1)[1] for f in flags if f.startswith("--from=")]
                if src_from:
                    if src_from[0] not in names[:idx]:
                        fail(f"line {line}: COPY --from={src_from[0]} names no earlier stage")
                    st.setdefault("copied", []).extend((p, paths[-1]) for p in paths[:-1])
                    continue
                for src in paths[:-1]:
                    full = os.path.normpath(os.path.join(ROOT, src))
                    if not full.startswith(ROOT) or not os.path.exists(full):
                        fail(f"line {line}: COPY source {src!r} does not exist in the repository")
                    elif src not in (".", "./") and ignored(os.path.relpath(full, ROOT), patterns):
                        fail(f"line {line}: COPY source {src!r} is excluded by .dockerignore")
        st["packages"] = pkgs

    build = stage_by_name.get("build")
    if not build:
        fail("no stage named 'build'")
    else:
        missing = BUILD_PACKAGES - set(build["packages"])
        if missing:
            fail(f"build stage does not install {sorted(missing)}")
        install_deps = open(os.path.join(ROOT, "scripts/install-deps.sh"), encoding="utf-8").read()
        for p in sorted(BUILD_PACKAGES):
            if not re.search(r"(^|\s)" + re.escape(p) + r"(\s|$)", install_deps):
                fail(f"{p} is installed by the image build but not by scripts/install-deps.sh")
        build_text = " ".join(r for k, r, _ in build["instructions"] if k == "RUN")
        if "cmake -S" not in build_text or "cmake --build" not in build_text:
            fail("build stage does not run the project's CMake configure and build")

    runtime = stage_by_name.get("runtime")
    if not runtime:
        fail("no stage named 'runtime'")
    for st in stages:
        if st["name"] == "build":
            continue
        for p in st["packages"]:
            if p.endswith("-dev") or p.endswith("-dev:any") or p in BUILD_TOOLS:
                fail(f"stage {st['name']}: installs build-only package {p}")
    if runtime:
        runtime_pkgs = set(runtime["packages"])

    service_stages = [s for s in stages if s["name"] in SERVICES]
    for svc in SERVICES:
        st = stage_by_name.get(svc)
        exists = os.path.exists(os.path.join(ROOT, f"services/{svc}/binary.cmake"))
        if not st:
            fail(f"no final stage for service {svc}")
            continue
        if st.get("parent") != "runtime":
            fail(f"stage {svc}: must be built FROM runtime (got {st['base']})")
        binary = f"/usr/local/bin/jit-{svc}"
        kws = [k for k, _, _ in st["instructions"]]
        entry = [r for k, r, _ in st["instructions"] if k == "ENTRYPOINT"]
        if len(entry) != 1:
            fail(f"stage {svc}: needs exactly one ENTRYPOINT")
        else:
            try:
                argv = json.loads(entry[0])
            except ValueError:
                argv = None
                fail(f"stage {svc}: ENTRYPOINT must be exec form (JSON array), got {entry[0]!r}")
            if argv is not None and (not argv or argv[0] != binary):
                fail(f"stage {svc}: ENTRYPOINT {argv} does not run {binary}")
        if "CMD" in kws:
            fail(f"stage {svc}: CMD would add arguments; configuration comes from the environment")
        copied_to = {dst for _, dst in st.get("copied", [])}
        copied_from = {os.path.basename(src) for src, _ in st.get("copied", [])}
        if binary not in copied_to or f"jit-{svc}" not in copied_from:
            fail(f"stage {svc}: does not COPY --from=build jit-{svc} to {binary}")
        if f"jit-{svc}" not in targets:
            if exists or opts.require_all:
                fail(f"stage {svc}: jit-{svc} is not a jit_cc_binary target of the CMake build")
            else:
                notes.append(f"pending: services/{svc}/binary.cmake does not exist yet; its stage is ready for jit-{svc}")
        elif not targets[f"jit-{svc}"].startswith(f"services/{svc}/"):
            fail(f"stage {svc}: jit-{svc} is declared in {targets[f'jit-{svc}']}, not under services/{svc}/")
        users = [(r, line) for k, r, line in st["instructions"] if k == "USER"]
        if not users:
            fail(f"stage {svc}: no USER (would run as root)")
        else:
            user, uline = users[-1]
            m = re.match(r"^(\d+)(?::(\d+))?$", user)
            if not m:
                fail(f"stage {svc}: USER {user!r} is not numeric (runAsNonRoot needs a numeric UID)")
            elif int(m.group(1)) == 0 or (m.group(2) is not None and int(m.group(2)) == 0):
                fail(f"stage {svc}: USER {user!r} is root")
            runs_after = [line for k, _, line in st["instructions"] if k == "RUN" and line > uline]
            if runs_after:
                fail(f"stage {svc}: RUN after USER (line {runs_after[0]})")
        args = [r.split("=")[0] for k, r, _ in st["instructions"] if k == "ARG"]
        labels = " ".join(r for k, r, _ in st["instructions"] if k == "LABEL")
        if "JIT_VERSION" not in args:
            fail(f"stage {svc}: no ARG JIT_VERSION")
        if not re.search(r'org\.opencontainers\.image\.version="?\$\{?JIT_VERSION\}?"?', labels):
            fail(f"stage {svc}: no LABEL org.opencontainers.image.version=${{JIT_VERSION}}")
        runs = " ".join(r for k, r, _ in st["instructions"] if k == "RUN")
        if f"{binary} --version" not in runs or "JIT_VERSION" not in runs:
            fail(f"stage {svc}: does not check `jit-{svc} --version` against JIT_VERSION")

    if build:
        build_runs = " ".join(r for k, r, _ in build["instructions"] if k == "RUN")
        arg_services = [r for k, r, _ in build["instructions"] if k == "ARG" and r.startswith("JIT_SERVICES")]
        listed = shlex.split(arg_services[0].partition("=")[2])[0].split() if arg_services else []
        for svc in SERVICES:
            if svc not in listed:
                fail(f"build stage: JIT_SERVICES does not list {svc}")
        if "/out/" not in build_runs:
            fail("build stage: binaries are not collected under /out")

    # Shared libraries of the real binaries against the runtime packages.
    if runtime_pkgs:
        closure = dpkg_closure(runtime_pkgs)
        checked = 0
        for svc in SERVICES:
            binary = os.path.join(opts.binary_dir, "services", svc, f"jit-{svc}")
            if not os.path.exists(binary):
                continue
            checked += 1
            pkgs, missing = linked_packages(binary)
            if pkgs is None or missing:
                fail(f"ldd {binary}: {missing}")
                continue
            for lib, owner in sorted(pkgs.items()):
                if owner is None:
                    fail(f"jit-{svc}: {lib} belongs to no Debian package")
                elif owner not in closure:
                    fail(f"jit-{svc}: needs {lib} from {owner}, which the runtime stage does not install")
            notes.append(f"jit-{svc}: {len(pkgs)} linked libraries all come with the runtime stage's packages")
        if checked == 0:
            notes.append(f"no built binary under {opts.binary_dir}: shared-library check skipped")

    for n in notes:
        print("note:", n)
    for e in errors:
        print("FAIL:", e)
    print(f"check_containers: {len(service_stages)} service stages, {len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
