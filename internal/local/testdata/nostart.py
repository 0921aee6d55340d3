"""A runner that dies before its session is up, as when Java is missing."""

import sys

print("JAVA_HOME is not set and no java on PATH (the runner's last word)", file=sys.stderr)
sys.exit(1)
