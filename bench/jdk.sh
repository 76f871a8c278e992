# Sourced by bench/run and bench/jmh: finds a JDK 25 or newer the way bin/socketserver does
# (JAVA_HOME, the java on PATH, jdkHome in ~/.m2/toolchains.xml, then the usual install
# directories). Expects REQUIRED_MAJOR and a die function.

# The major version of a java launcher: 25 for "25.0.3", "25" or "25-ea"; 8 for "1.8.0_401".
java_major() {
    local version
    version=$("$1" -version 2>&1 | sed -n 's/^.* version "\([^"]*\)".*$/\1/p' | head -n 1)
    [[ $version == 1.* ]] && version=${version#1.}
    version=${version%%[!0-9]*}
    printf '%s' "${version:-0}"
}

candidate_homes() {
    [[ -n ${JAVA_HOME:-} ]] && printf '%s\n' "$JAVA_HOME"
    local on_path
    if on_path=$(command -v java); then
        "$on_path" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.home = //p'
    fi
    if [[ -f $HOME/.m2/toolchains.xml ]]; then
        sed -n 's:.*<jdkHome>[[:space:]]*\([^<]*[^<[:space:]]\)[[:space:]]*</jdkHome>.*:\1:p' "$HOME/.m2/toolchains.xml"
    fi
    local dir
    for dir in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* \
               "$HOME"/.jdks/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
        [[ -d $dir ]] && printf '%s\n' "$dir"
    done
    return 0
}

find_jdk() {
    local home
    while IFS= read -r home; do
        if [[ -x $home/bin/java ]] && (( $(java_major "$home/bin/java") >= REQUIRED_MAJOR )); then
            printf '%s\n' "$home"
            return 0
        fi
    done < <(candidate_homes)
    die "no JDK $REQUIRED_MAJOR or newer found (JAVA_HOME, java on PATH, ~/.m2/toolchains.xml, /usr/lib/jvm/*, ...); install one or set JAVA_HOME"
}
