#!/usr/bin/env python3
"""test-consumers.py - cport as the C world consumes it, reported as TAP.

  1. `meson install` the build directory into a staging directory (DESTDIR);
  2. pkg-config: compile tests/consumer/*.c with `pkg-config --cflags --libs`
     against the staged cport.pc, run them;
  3. CMake: configure tests/consumer/CMakeLists.txt, which calls
     find_package(cport REQUIRED) on the staged package, build, run;
  4. Meson subproject (--subproject): a project with subprojects/cport
     pointing at this source tree; no cport test, example or benchmark may
     be registered there, nothing but the shared library may be installed
     by default, and the consumer's own test runs.

A tool that is missing (pkg-config, cmake) skips its step with the reason.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CONSUMER = os.path.join(HERE, "consumer")

results = []


def report(ok, name, detail=""):
    results.append(ok)
    n = len(results)
    if ok is None:
        print(f"ok {n} - {name} # SKIP {detail}")
    elif ok:
        print(f"ok {n} - {name}")
    else:
        print(f"not ok {n} - {name}")
        for line in detail.rstrip().splitlines()[-40:]:
            print(f"# {line}")
    sys.stdout.flush()


class StepFailed(Exception):
    pass


def run(cmd, **kw):
    """Run cmd; raise StepFailed with its output if it fails."""
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        raise StepFailed(f"$ {' '.join(cmd)}\n{p.stdout}{p.stderr}")
    return p.stdout


def find_file(root, name):
    for d, _, files in os.walk(root):
        if name in files:
            return os.path.join(d, name)
    return None


def lib_env(libdir):
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = libdir + os.pathsep + env.get("LD_LIBRARY_PATH", "")
    return env


def stage(args, tmp):
    dest = os.path.join(tmp, "stage")
    run(args.meson + ["install", "-C", args.build_root, "--no-rebuild",
                      "--destdir", dest])
    return dest


def pkgconfig_consumer(args, tmp, dest):
    pkg_config = shutil.which("pkg-config")
    if not pkg_config:
        report(None, "pkg-config consumer", "pkg-config not installed")
        return
    try:
        pc = find_file(dest, "cport.pc")
        if pc is None:
            raise StepFailed("no cport.pc was installed")
        env = dict(os.environ)
        env["PKG_CONFIG_PATH"] = os.path.dirname(pc)
        env["PKG_CONFIG_SYSROOT_DIR"] = dest
        flags = run([pkg_config, "--cflags", "--libs", "cport"], env=env).split()
        libdir = [f[2:] for f in flags if f.startswith("-L")][0]
        out = os.path.join(tmp, "pc-consumer")
        run(args.cc + args.cflags + [os.path.join(CONSUMER, "consumer.c"),
                                     "-o", out] + flags)
        run([out], env=lib_env(libdir))
        # The porting layer: its own package once it is a library of its
        # own, else it is part of cport.
        layer = "cport-win32" if find_file(dest, "cport-win32.pc") else "cport"
        flags = run([pkg_config, "--cflags", "--libs", layer], env=env).split()
        out = os.path.join(tmp, "pc-win32-consumer")
        run(args.cc + args.cflags + [os.path.join(CONSUMER, "win32-consumer.c"),
                                     "-o", out] + flags)
        run([out], env=lib_env(libdir))
        report(True, f"pkg-config consumer (cport, {layer})")
    except StepFailed as e:
        report(False, "pkg-config consumer", str(e))


def cmake_consumer(args, tmp, dest):
    cmake = shutil.which("cmake")
    if not cmake:
        report(None, "CMake consumer", "cmake not installed")
        return
    try:
        config = find_file(dest, "cportConfig.cmake")
        if config is None or not find_file(dest, "cportConfigVersion.cmake"):
            raise StepFailed("no cportConfig.cmake / cportConfigVersion.cmake")
        # The staged prefix: what holds include/cport.h.
        prefix = os.path.dirname(os.path.dirname(find_file(dest, "cport.h")))
        build = os.path.join(tmp, "cmake-build")
        flags = " ".join(args.cflags)
        run([cmake, "-S", CONSUMER, "-B", build,
             "-DCMAKE_C_COMPILER=" + args.cc[-1],
             "-DCMAKE_C_FLAGS=" + flags,
             "-DCMAKE_EXE_LINKER_FLAGS=" + flags,
             "-DCMAKE_PREFIX_PATH=" + prefix])
        run([cmake, "--build", build])
        lib = find_file(dest, "libcport.so") or find_file(dest, "libcport.a")
        libdir = os.path.dirname(lib) if lib else dest
        run([os.path.join(build, "consumer")], env=lib_env(libdir))
        win32 = os.path.join(build, "win32-consumer")
        if not os.path.exists(win32):
            raise StepFailed("find_package(cport) defined no cport::win32")
        run([win32], env=lib_env(libdir))
        report(True, "CMake consumer: find_package(cport REQUIRED), "
               "cport::cport and cport::win32")
    except StepFailed as e:
        report(False, "CMake consumer", str(e))


def subproject_consumer(args, tmp):
    try:
        src = os.path.join(tmp, "sub")
        os.makedirs(os.path.join(src, "subprojects"))
        for f in ("meson.build", "consumer.c"):
            shutil.copy(os.path.join(CONSUMER, f), src)
        os.symlink(args.source_root, os.path.join(src, "subprojects", "cport"))
        build = os.path.join(src, "build")
        env = dict(os.environ)
        env.pop("CC", None)
        run(args.meson + ["setup", build, src], env=env)
        tests = json.loads(run(args.meson + ["introspect", "--tests", build]))
        theirs = [t["name"] for t in tests
                  if any(s.startswith("cport") for s in t["suite"])]
        if theirs:
            raise StepFailed(f"cport tests registered in the consumer: {theirs}")
        if [t["name"] for t in tests] != ["consumer-runs"]:
            raise StepFailed(f"unexpected tests: {[t['name'] for t in tests]}")
        targets = json.loads(run(args.meson + ["introspect", "--targets", build]))
        extra = sorted({t["name"] for t in targets
                        if t.get("subproject") == "cport"} -
                       {"cport", "cport-win32"})
        if extra:
            raise StepFailed(f"cport builds more than its library: {extra}")
        installed = json.loads(run(args.meson + ["introspect", "--installed",
                                                 build]))
        dev = [p for p in installed.values()
               if not os.path.basename(p).startswith("libcport")]
        if dev:
            raise StepFailed(f"installed by default as a subproject: {dev}")
        run(["ninja", "-C", build])
        run(args.meson + ["test", "-C", build, "--no-rebuild"])
        report(True, "Meson subproject consumer: no cport tests, "
               f"{len(installed)} library files installed")
    except StepFailed as e:
        report(False, "Meson subproject consumer", str(e))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--meson", required=True, help="the meson command")
    ap.add_argument("--cc", action="append", required=True,
                    help="the C compiler command, one word each")
    ap.add_argument("--cflag", dest="cflags", action="append", default=[],
                    help="extra compile and link flag (sanitizers)")
    ap.add_argument("--build-root", required=True)
    ap.add_argument("--source-root", required=True)
    ap.add_argument("--subproject", action="store_true")
    args = ap.parse_args()
    args.meson = [args.meson]

    print(f"1..{4 if args.subproject else 3}")
    with tempfile.TemporaryDirectory(prefix="cport-consumers-") as tmp:
        try:
            dest = stage(args, tmp)
            report(True, "meson install into a staging directory")
        except StepFailed as e:
            report(False, "meson install into a staging directory", str(e))
            return 1
        pkgconfig_consumer(args, tmp, dest)
        cmake_consumer(args, tmp, dest)
        if args.subproject:
            subproject_consumer(args, tmp)
    return 0 if all(r is not False for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
