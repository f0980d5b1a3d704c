# Sourced by ./mvnw and ./ascribe: points JAVA_HOME at a JDK 21 or newer.
# Order: $JAVA_HOME, then the newest JDK under $ASCRIBE_JVM_DIR (default /usr/lib/jvm), then the
# `javac` on PATH.
# Prints one line naming the fix and exits when none is found.

ascribe_java_major() {
  # Prints the major version of the JDK at $1, or nothing when $1 holds no JDK.
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  v=""
  if [ -f "$1/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$1/release")
  fi
  [ -n "$v" ] || v=$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
  v=${v#1.}
  echo "${v%%[.+-]*}"
}

ascribe_find_jdk() {
  m=$(ascribe_java_major "${JAVA_HOME:-/nonexistent}")
  [ -n "$m" ] && [ "$m" -ge 21 ] && return 0
  best=""
  best_major=0
  jvm_dir=${ASCRIBE_JVM_DIR:-/usr/lib/jvm}
  for d in "$jvm_dir"/*; do
    [ -d "$d" ] || continue
    m=$(ascribe_java_major "$d")
    if [ -n "$m" ] && [ "$m" -ge 21 ] && [ "$m" -gt "$best_major" ]; then
      best=$d
      best_major=$m
    fi
  done
  if [ -z "$best" ] && command -v javac >/dev/null 2>&1; then
    d=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    m=$(ascribe_java_major "$d")
    [ -n "$m" ] && [ "$m" -ge 21 ] && best=$d
  fi
  if [ -z "$best" ]; then
    echo "Ascribe needs a JDK 21 or newer and found none (JAVA_HOME, $jvm_dir, PATH): install one, e.g. 'apt-get install openjdk-21-jdk-headless', or set JAVA_HOME to it." >&2
    exit 1
  fi
  JAVA_HOME=$best
  export JAVA_HOME
}

ascribe_find_jdk
ASCRIBE_JAVA_MAJOR=$(ascribe_java_major "$JAVA_HOME")
export ASCRIBE_JAVA_MAJOR
