"""Prints what each integration file's pytest run did, from the JUnit XML files CTest's runs wrote
(tests/CMakeLists.txt): one pytest-style line per file and a total `N passed, N failed` line.

usage: summary.py RESULTS_DIR TITLE EXPECTED_FILE...   exit 1 if a file failed or left no result.
ctest --output-on-failure shows a failing file's own output; this shows the passing ones too.
"""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def counts(xml_path):
    suite = ET.parse(xml_path).getroot()
    if suite.tag == "testsuites":
        suite = suite[0]
    n = {k: int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped")}
    n["passed"] = n["tests"] - n["failures"] - n["errors"] - n["skipped"]
    n["time"] = float(suite.get("time", 0))
    return n


def line(n):
    """pytest's wording: '12 passed, 1 failed, 2 skipped, 1 error'."""
    parts = [f"{n['passed']} passed"]
    for key, word in (("failures", "failed"), ("skipped", "skipped"), ("errors", "error")):
        if n[key]:
            parts.append(f"{n[key]} {word}" + ("s" if key == "errors" and n[key] > 1 else ""))
    return ", ".join(parts)


def main():
    results, title, expected = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
    total = {"passed": 0, "failed": 0, "skipped": 0, "time": 0.0}
    missing = []
    for name in sorted(expected):
        xml_path = results / (Path(name).stem + ".xml")
        if not xml_path.exists():
            missing.append(name)
            print(f"{name}: no result (did not run, or pytest crashed)")
            continue
        n = counts(xml_path)
        print(f"{name}: {line(n)} in {n['time']:.2f}s")
        total["passed"] += n["passed"]
        total["failed"] += n["failures"] + n["errors"]
        total["skipped"] += n["skipped"]
        total["time"] += n["time"]
    total["failed"] += len(missing)
    print(f"{title}: {total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped "
          f"({total['time']:.0f}s of test time)")
    return 1 if total["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
