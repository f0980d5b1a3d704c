#!/usr/bin/env bash
# Writes the datanet of the end-to-end test (LifecycleE2EIT): Proverbs 10 and 11 of the King James
# Bible (public domain), one verse per line as {"text": "..."}, read from Debian's bible-kjv-text
# with its `bible` program (install both with: sudo scripts/bench-data.sh). The file is committed
# (about 8 KB), so the test needs neither package; this script says where it came from.
set -euo pipefail
out="$(dirname "$0")/../node/src/integration-test/resources/kjv/proverbs-10-11.jsonl"
mkdir -p "$(dirname "$out")"
bible -l100000 'pr10:1-pr11:31' \
  | awk '
      /^Proverbs [0-9]+$/ { chapter = $2; next }
      /^  *[0-9]+ / {
        verse = $1; sub(/^ *[0-9]+ /, "");
        gsub(/\\/, "\\\\"); gsub(/"/, "\\\"");
        printf "{\"text\": \"%s (Proverbs %s:%s)\"}\n", $0, chapter, verse
      }' > "$out"
echo "e2e-data: $(wc -l < "$out") verses in $out"
