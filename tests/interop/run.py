"""Runs interop test classes (python3 run.py test_daemons.Bird ...): exit 0 when all pass,
1 on a failure, 77 (CTest's SKIP_RETURN_CODE) when every test was skipped."""
import sys
import unittest

if __name__ == "__main__":
    suite = unittest.defaultTestLoader.loadTestsFromNames(sys.argv[1:])
    res = unittest.TextTestRunner(verbosity=2).run(suite)
    if not res.wasSuccessful():
        sys.exit(1)
    sys.exit(77 if res.testsRun and len(res.skipped) == res.testsRun else 0)
