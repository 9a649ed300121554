package io.tes4j.backend.pulsar;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A fake {@code docker} program for the end-to-end tests of the Pulsar backend on machines without
 * a docker daemon: a bash script, installed by {@link #install(Path)} into a directory that tests
 * put first on the {@code PATH} of the command lines they run. It runs each "container" with
 * bubblewrap, so that the container's paths really exist for its process.
 *
 * <p><b>{@code docker run --rm --name=NAME [-i] [--cpus=N] [--memory=BYTES] [--user=U]
 * [--volume=HOST:CONTAINER[:ro|:rw]]... [--workdir=W] [--env-file=FILE]... --entrypoint=ARGV0 --
 * IMAGE [ARGV1...]}</b> runs {@code ARGV0 ARGV1...} as
 *
 * <pre>{@code
 * env -i BWRAP --tmpfs / \
 *   --ro-bind-try /usr /usr --symlink usr/bin /bin ...   (each of /usr /bin /lib /lib64 /sbin /etc:
 *                                                          a symlink as on the host, else --ro-bind-try)
 *   --proc /proc --dev /dev --tmpfs /tmp --perms 0700 --dir /root \
 *   [--perms 0755 --dir PARENT]... --bind|--ro-bind HOST CONTAINER   (per volume, by mount depth)
 *   [--perms 0755 --dir W-AND-PARENTS]... --chdir W \
 *   --unshare-pid --unshare-net --unshare-ipc --unshare-uts --hostname ID --die-with-parent \
 *   [--cap-drop ALL --cap-add CAP_CHOWN ... (docker's 14 default capabilities), when run as root] \
 *   --clearenv --setenv PATH /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
 *   --setenv HOSTNAME ID --setenv HOME /root [--setenv NAME VALUE]...   (the env files' variables)
 *   --json-status-fd 3 -- /usr/bin/env -u PWD -- ARGV0 ARGV1...
 * }</pre>
 *
 * <p>So the host's userland stands in for every image, the container has no network, its own pids
 * and a clean environment; stdin (with {@code -i}; else empty), stdout and stderr pass through and
 * nothing else does (other inherited descriptors are closed). The exit status is the command's:
 * 127 for a command not found, 126 for one that cannot run, 137 when {@code docker rm -f} killed
 * it, 125 when bwrap could not set the sandbox up. Volumes are mounted parents first (sorted by the
 * depth of their mount point, as docker does), so a read-only file inside a read-write directory
 * works. The missing directories docker creates are created with its mode 0755: a host source, the
 * parents of a mount point (in a mounted host directory, on the host, as with docker), a {@code
 * --workdir}. Env files are read as the docker client reads them: {@code NAME=value} taken
 * literally (no quotes, no expansion), {@code #} lines and blank lines skipped, leading blanks and a
 * CR before the newline dropped, a name with blanks refused; a bare {@code NAME} gets the value the
 * caller's environment has for it, as docker gives it, and is left out when the caller has none.
 * Every option must have the {@code --opt=value} form and {@code --} must end them: anything else,
 * an image starting with {@code -} or not in docker's reference format, an unknown option, a volume
 * that is named, anonymous or has another mode than {@code ro}/{@code rw} are refused with exit
 * 125 and a message on stderr, as are docker's own refusals: an invalid or taken name, a relative
 * working directory or mount point, a duplicate mount point, {@code --memory} under 6 MiB, {@code
 * --cpus} over this machine's CPUs. Each running container has a file named after it in {@code
 * fake-docker-state/containers/} beside the script (taken with {@code O_EXCL}), holding the pids of
 * its {@code docker run}, of bwrap and of the container's init.
 *
 * <p><b>{@code docker rm [-f] [--] NAME...}</b> SIGKILLs each named container's init, which kills
 * every process of its pid namespace (its {@code docker run} then exits with 137), waits until
 * that {@code docker run} has ended and prints the name. An unknown name is reported on stderr as
 * {@code Error response from daemon: No such container: NAME}; as with docker, {@code rm -f} still
 * exits 0 then, and {@code rm} without {@code -f} exits 1 (it also refuses a running container).
 *
 * <p>Not emulated: images (the image is only checked for its format), {@code --user} (accepted,
 * the command runs as the user running the fake), the limits of {@code --cpus} and {@code
 * --memory} (checked, not applied), other options and commands (refused; any command but {@code
 * run} and {@code rm} exits 1 with {@code fake docker: unsupported}), the signal proxy (a signal
 * that ends {@code docker run} kills its container, through {@code --die-with-parent}), mount
 * points inside the host's read-only system directories, docker's {@code /etc/hosts} and network.
 *
 * <p>Every call is recorded in {@code fake-docker-state/invocations}: the number of fields, then
 * {@code docker} and each argument, all NUL-terminated, appended under {@code flock}; {@link
 * #invocations()} reads them back. The script never evaluates an argument.
 */
public final class FakeDocker {
  /** The state directory's name, beside the script: the invocation log and the containers' records. */
  private static final String STATE = "fake-docker-state";

  private static final String SCRIPT =
      """
      #!@BASH@
      # A fake docker, written by FakeDocker.java (tes4j's backend-pulsar tests), whose javadoc says what
      # it emulates. Arguments are data: they are never evaluated, only compared, split and passed on.
      set -u
      state=@STATE@
      bwrap=@BWRAP@

      # The caller's environment as this process was given it (NAME=value entries): an env-file line
      # that is a bare NAME passes the caller's value of NAME through, as the docker client does.
      caller_env=()
      while IFS= read -r -d '' caller_entry; do
        caller_env+=("$caller_entry")
      done < "/proc/$$/environ"
      unset caller_entry
      # Our own tools from the usual places whatever PATH the command line had; C collation so that the
      # ranges of the patterns below are ASCII ranges.
      export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
      export LC_ALL=C

      # One record per call in the log: the number of fields, then the fields (argv with "docker" as
      # argv[0]), each ended by a NUL, so that any byte but NUL survives. The lock keeps the records of
      # concurrent calls whole; a reader skips a last record that is still being written.
      {
        flock 9 && printf '%s\\0' "$(($# + 1))" docker "$@" >&9
      } 9>>"$state/invocations"

      containers=$state/containers

      # docker's own words for a refused command line (a flag error, exit 125).
      flag_error() {
        printf 'docker: %s\\nSee '\\''docker %s --help'\\''.\\n' "$2" "$1" >&2
        exit 125
      }

      # A refusal of the daemon's, or a limit of this fake (exit 125, as docker's own failures).
      refuse() {
        printf '%s\\n' "$1" >&2
        exit 125
      }

      # docker's refusal of a name in use.
      conflict() {
        refuse "docker: Error response from daemon: Conflict. The container name \\"/$1\\" is already in use by container \\"$1\\". You have to remove (or rename) that container to be able to reuse that name."
      }

      # Whether a pid is a live process (a zombie is dead: only its parent has not read its status yet).
      alive() {
        local stat
        [[ $1 =~ ^[0-9]+$ ]] || return 1
        read -r stat 2>/dev/null < "/proc/$1/stat" || return 1
        stat=${stat##*) }
        [[ ${stat:0:1} != Z ]]
      }

      # Whether the record of a container belongs to a docker run still running: its first field is the
      # pid of that docker run. A record whose docker run was killed before it could remove it is stale.
      record_live() {
        local wrapper rest
        read -r wrapper rest 2>/dev/null < "$1" || return 1
        alive "$wrapper"
      }

      # Container names as docker accepts them; they are also file names in $containers.
      valid_name() {
        [[ $1 =~ ^[a-zA-Z0-9][a-zA-Z0-9_.-]+$ ]]
      }

      # An absolute path cleaned as Go's filepath.Clean does (docker cleans mount points): in REPLY.
      clean_path() {
        local rest=$1/ part
        local -a out=()
        while [[ -n $rest ]]; do
          part=${rest%%/*}
          rest=${rest#*/}
          case $part in
            '' | .) ;;
            ..) if ((${#out[@]})); then unset 'out[-1]'; fi ;;
            *) out+=("$part") ;;
          esac
        done
        local IFS=/
        REPLY=/${out[*]}
      }

      # The variables of an env file as the docker client reads them, appended to env_pairs (name, value):
      # leading blanks dropped, '#' lines and blank lines skipped, NAME=value taken literally (no quotes,
      # no expansion, trailing blanks kept), a CR before the newline dropped, a bare NAME given the
      # caller's value if the caller has one and left out if not.
      read_env_file() {
        local file=$1 line name value entry first=1
        if [[ ! -f $file || ! -r $file ]]; then
          refuse "docker: open $file: no such file or directory."
        fi
        while IFS= read -r line || [[ -n $line ]]; do
          line=${line%$'\\r'}
          if ((first)); then
            line=${line#$'\\xef\\xbb\\xbf'}
            first=0
          fi
          line=${line#"${line%%[![:space:]]*}"}
          if [[ -z $line || $line == '#'* ]]; then
            continue
          fi
          if [[ $line == *=* ]]; then
            name=${line%%=*}
            value=${line#*=}
          else
            name=$line
            value=
          fi
          if [[ $name == *[$' \\t']* ]]; then
            refuse "docker: poorly formatted environment: variable '$name' contains whitespaces."
          fi
          if [[ -z $name ]]; then
            refuse "docker: poorly formatted environment: no variable name on line '$line'."
          fi
          if [[ $line == *=* ]]; then
            env_pairs+=("$name" "$value")
          else
            for entry in "${caller_env[@]}"; do
              if [[ $entry == *=* && ${entry%%=*} == "$name" ]]; then
                env_pairs+=("$name" "${entry#*=}")
                break
              fi
            done
          fi
        done < "$file"
      }

      docker_run() {
        local rm=0 interactive=0 name= have_name=0 entrypoint= have_entrypoint=0 workdir=/ cpus= memory=
        local ended=0 arg
        local -a volumes=() env_files=() env_pairs=()
        while (($#)); do
          arg=$1
          shift
          case $arg in
            --) ended=1; break ;;
            --rm) rm=1 ;;
            -i) interactive=1 ;;
            --name=*) name=${arg#--name=}; have_name=1 ;;
            --cpus=*) cpus=${arg#--cpus=} ;;
            --memory=*) memory=${arg#--memory=} ;;
            --user=*) ;; # accepted, not emulated: the command runs as the user running this fake
            --volume=*) volumes+=("${arg#--volume=}") ;;
            --workdir=*) workdir=${arg#--workdir=} ;;
            --env-file=*) env_files+=("${arg#--env-file=}") ;;
            --entrypoint=*) entrypoint=${arg#--entrypoint=}; have_entrypoint=1 ;;
            -*) flag_error run "unknown flag: $arg (fake docker: only -i, --rm and --OPTION=VALUE forms of name, cpus, memory, user, volume, workdir, env-file, entrypoint)" ;;
            *) flag_error run "fake docker: '--' must end the options, before the image (found '$arg')" ;;
          esac
        done
        if ((!ended)); then
          flag_error run "fake docker: '--' must end the options, before the image"
        fi
        if ((!$#)); then
          flag_error run "\\"docker run\\" requires at least 1 argument."
        fi
        local image=$1
        shift
        if [[ -z $image || $image == -* ]]; then
          flag_error run "fake docker: an image cannot start with '-' ('$image')"
        fi
        # docker's reference grammar: an optional registry, lower-case path components, a tag, a digest.
        local dc='([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
        local comp='[a-z0-9]+(([_.]|__|-+)[a-z0-9]+)*'
        local reference="^(($dc([.]$dc)*(:[0-9]+)?/)?$comp(/$comp)*)(:[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127})?(@[a-zA-Z][a-zA-Z0-9]*([-_+.][a-zA-Z][a-zA-Z0-9]*)*:[0-9a-fA-F]{32,})?$"
        if [[ ! $image =~ $reference ]] || ((${#BASH_REMATCH[1]} > 255)); then
          refuse "docker: invalid reference format: '$image'."
        fi
        if ((!rm)); then
          flag_error run "fake docker: only --rm containers are emulated"
        fi
        if ((!have_entrypoint)) || [[ -z $entrypoint ]]; then
          flag_error run "fake docker: --entrypoint= must name the program (the fake has no images, so no image entrypoint)"
        fi

        # --cpus: a decimal, at most the machine's CPUs (the daemon's check); 0 is no limit.
        if [[ -n $cpus ]]; then
          if [[ ! $cpus =~ ^([0-9]{1,9})([.]([0-9]{0,9}))?$ ]]; then
            flag_error run "invalid argument \\"$cpus\\" for \\"--cpus\\" flag: failed to parse $cpus as a rational number"
          fi
          local fraction=${BASH_REMATCH[3]}000000000
          local nano=$((10#${BASH_REMATCH[1]} * 1000000000 + 10#${fraction:0:9})) ncpu
          ncpu=$(nproc)
          if ((nano > ncpu * 1000000000)); then
            refuse "docker: Error response from daemon: Range of CPUs is from 0.01 to $ncpu.00, as there are only $ncpu CPUs available."
          fi
        fi
        # --memory: bytes, or with a binary unit; 0 is no limit, else at least 6 MiB (the daemon's check).
        if [[ -n $memory ]]; then
          if [[ ! $memory =~ ^([0-9]{1,18})([bkmgtpBKMGTP]?)$ ]]; then
            flag_error run "invalid argument \\"$memory\\" for \\"-m, --memory\\" flag: invalid size: '$memory'"
          fi
          local bytes=$((10#${BASH_REMATCH[1]})) unit=${BASH_REMATCH[2]}
          local steps
          case $unit in
            k | K) steps=1 ;; m | M) steps=2 ;; g | G) steps=3 ;; t | T) steps=4 ;; p | P) steps=5 ;; *) steps=0 ;;
          esac
          while ((steps-- > 0)); do
            if ((bytes > 9007199254740991 / 1024)); then
              flag_error run "invalid argument \\"$memory\\" for \\"-m, --memory\\" flag: invalid size: '$memory'"
            fi
            bytes=$((bytes * 1024))
          done
          if ((bytes != 0 && bytes < 6291456)); then
            refuse "docker: Error response from daemon: Minimum memory limit allowed is 6MB."
          fi
        fi

        # The env files, read by the client before it asks the daemon for anything.
        local env_file
        for env_file in "${env_files[@]}"; do
          read_env_file "$env_file"
        done

        if ((!have_name)); then
          flag_error run "fake docker: --name= is required (docker rm -f needs it)"
        fi
        name=${name#/}
        if ! valid_name "$name"; then
          refuse "docker: Error response from daemon: Invalid container name ($name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed."
        fi
        if [[ $workdir != /* ]]; then
          refuse "docker: Error response from daemon: the working directory '$workdir' is invalid, it needs to be an absolute path."
        fi
        clean_path "$workdir"
        workdir=$REPLY

        # The volumes: HOST:CONTAINER[:ro|:rw], both absolute. Mounted parents first, as docker sorts
        # them by the depth of their mount point (the given order among equals), so that a file mounted
        # inside a mounted directory lands on top of it.
        local spec rest mode
        local -a parts=() sources=() targets=() modes=() depths=()
        for spec in "${volumes[@]}"; do
          parts=()
          rest=$spec
          while [[ $rest == *:* ]]; do
            parts+=("${rest%%:*}")
            rest=${rest#*:}
          done
          parts+=("$rest")
          if ((${#parts[@]} == 1)); then
            refuse "fake docker: anonymous volumes are not emulated: '$spec'"
          fi
          if ((${#parts[@]} > 3)) || [[ -z ${parts[0]} || -z ${parts[1]} ]]; then
            refuse "docker: Error response from daemon: invalid volume specification: '$spec'."
          fi
          mode=${parts[2]-rw}
          if [[ $mode != ro && $mode != rw ]]; then
            refuse "fake docker: only the volume modes ro and rw are emulated: '$spec'"
          fi
          if [[ ${parts[0]} != /* ]]; then
            refuse "fake docker: named volumes are not emulated, the source must be an absolute path: '$spec'"
          fi
          if [[ ${parts[1]} != /* ]]; then
            refuse "docker: Error response from daemon: invalid volume specification: '$spec': invalid mount config for type \\"bind\\": invalid mount path: '${parts[1]}' mount path must be absolute."
          fi
          clean_path "${parts[1]}"
          if [[ $REPLY == / ]]; then
            refuse "docker: Error response from daemon: invalid volume specification: '$spec': invalid mount config for type \\"bind\\": invalid specification: destination can't be '/'."
          fi
          local target
          for target in "${targets[@]}"; do
            if [[ $target == "$REPLY" ]]; then
              refuse "docker: Error response from daemon: Duplicate mount point: $REPLY."
            fi
          done
          sources+=("${parts[0]}")
          targets+=("$REPLY")
          modes+=("$mode")
          rest=${REPLY//[!\\/]/}
          depths+=("${#rest}")
        done
        local -a order=()
        local i j
        for ((i = 0; i < ${#targets[@]}; i++)); do
          # A stable insertion sort of the indices by depth: few volumes, and no external sort to quote for.
          j=${#order[@]}
          order+=("$i")
          while ((j > 0 && depths[order[j - 1]] > depths[i])); do
            order[j]=${order[j - 1]}
            ((j--))
          done
          order[j]=$i
        done

        # The name, taken atomically (noclobber creates with O_EXCL): one file per container, holding the
        # pid of this docker run, then also bwrap's and the container's init's once it has started.
        mkdir -p "$containers" || exit 125
        local record=$containers/$name
        if ! (set -C && printf '%s\\n' "$$" > "$record") 2>/dev/null; then
          if record_live "$record"; then
            conflict "$name"
          fi
          rm -f "$record"
          if ! (set -C && printf '%s\\n' "$$" > "$record") 2>/dev/null; then
            conflict "$name"
          fi
        fi

        # Missing bind sources are created as directories, as docker does for --volume.
        for ((i = 0; i < ${#sources[@]}; i++)); do
          if [[ ! -e ${sources[i]} ]] && ! mkdir -p -- "${sources[i]}"; then
            rm -f "$record"
            refuse "docker: Error response from daemon: error while creating mount source path '${sources[i]}'."
          fi
        done

        # The sandbox: a fresh tmpfs root holding the host's system directories read-only (the userland
        # of every "image"), its own /proc, /dev and /tmp, then the volumes.
        local -a args=(--tmpfs /)
        # Appends to args the creation of a directory and its missing parents with mode 0755, as docker
        # creates mount points and the working directory (bwrap would make the parents 0700). An existing
        # directory is left as it is.
        make_dirs() {
          local path=${1#/} prefix=
          while [[ -n $path ]]; do
            prefix+=/${path%%/*}
            if [[ $path == */* ]]; then path=${path#*/}; else path=; fi
            args+=(--perms 0755 --dir "$prefix")
          done
        }
        local d
        for d in usr bin lib lib64 sbin etc; do
          if [[ -L /$d ]]; then
            args+=(--symlink "$(readlink "/$d")" "/$d")
          else
            args+=(--ro-bind-try "/$d" "/$d")
          fi
        done
        args+=(--proc /proc --dev /dev --tmpfs /tmp --perms 0700 --dir /root)
        for i in "${order[@]}"; do
          if [[ -d ${sources[i]} ]]; then
            make_dirs "${targets[i]}"
          else
            make_dirs "${targets[i]%/*}"
          fi
          if [[ ${modes[i]} == ro ]]; then
            args+=(--ro-bind "${sources[i]}" "${targets[i]}")
          else
            args+=(--bind "${sources[i]}" "${targets[i]}")
          fi
        done
        # docker creates a missing working directory.
        make_dirs "$workdir"
        args+=(--chdir "$workdir")
        local hostname
        printf -v hostname '%04x%04x%04x' "$RANDOM" "$RANDOM" "$RANDOM"
        args+=(--unshare-pid --unshare-net --unshare-ipc --unshare-uts --hostname "$hostname" --die-with-parent)
        if ((EUID == 0)); then
          # bwrap run by root keeps every capability; a docker container has this default set only.
          args+=(--cap-drop ALL)
          local cap
          for cap in CHOWN DAC_OVERRIDE FSETID FOWNER MKNOD NET_RAW SETGID SETUID SETFCAP SETPCAP \\
            NET_BIND_SERVICE SYS_CHROOT KILL AUDIT_WRITE; do
            args+=(--cap-add "CAP_$cap")
          done
        fi
        # docker's environment: PATH, HOSTNAME and HOME, then the env files' variables (which may
        # replace them), nothing of the caller's.
        args+=(--clearenv --setenv PATH /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
        args+=(--setenv HOSTNAME "$hostname" --setenv HOME /root)
        for ((i = 0; i < ${#env_pairs[@]}; i += 2)); do
          args+=(--setenv "${env_pairs[i]}" "${env_pairs[i + 1]}")
        done
        # bwrap reports on fd 3 the pid of the container's init, then, once the command has been
        # exec'd, its exit code: no exit code means the sandbox could not be set up.
        args+=(--json-status-fd 3 --)
        # env runs the command: it searches the container's PATH, exits 127 for a command not found and
        # 126 for one it cannot run, as docker does, and drops the PWD that bwrap sets (docker sets none).
        local env_program=/usr/bin/env
        if [[ ! -x $env_program ]]; then
          env_program=/bin/env
        fi
        args+=("$env_program" -u PWD -- "$entrypoint" "$@")

        local run_dir
        run_dir=$(mktemp -d "$state/run.XXXXXXXX") || { rm -f "$record"; exit 125; }
        mkfifo "$run_dir/status" || { rm -f "$record"; rm -rf "$run_dir"; exit 125; }
        start_container() {
          # Only stdin, stdout and stderr go into the container, as with docker.
          local fd
          local -a fds=(/proc/$BASHPID/fd/*)
          for fd in "${fds[@]##*/}"; do
            if ((fd > 2)) && [[ -e /proc/$BASHPID/fd/$fd ]]; then
              exec {fd}>&-
            fi
          done
          exec 3>"$run_dir/status"
          # bwrap itself starts with an empty environment: nothing of the caller's reaches it either.
          exec env -i "$bwrap" "${args[@]}"
        }
        # Without -i the container's stdin is empty, as docker attaches no stdin then.
        if ((interactive)); then
          (start_container) <&0 &
        else
          (start_container) </dev/null &
        fi
        local bwrap_pid=$! line child_pid= exit_code= status
        exec 4<"$run_dir/status"
        if IFS= read -r line <&4 && [[ $line =~ \\"child-pid\\":\\ *([0-9]+) ]]; then
          child_pid=${BASH_REMATCH[1]}
          printf '%s %s %s\\n' "$$" "$bwrap_pid" "$child_pid" > "$run_dir/record" && mv -f "$run_dir/record" "$record"
        fi
        wait "$bwrap_pid"
        status=$?
        while IFS= read -r line <&4; do
          if [[ $line =~ \\"exit-code\\":\\ *([0-9]+) ]]; then
            exit_code=${BASH_REMATCH[1]}
          fi
        done
        exec 4<&-
        # The record goes before docker run ends: then docker rm -f, which waits for it to go, returns
        # only once the container is gone.
        local wrapper rest
        if read -r wrapper rest 2>/dev/null < "$record" && [[ $wrapper == "$$" ]]; then
          rm -f "$record"
        fi
        rm -rf "$run_dir"
        if [[ -n $exit_code ]]; then
          exit "$exit_code"
        fi
        if ((status >= 128)); then
          # Killed while bwrap was still setting up: as docker, a killed container's status.
          exit "$status"
        fi
        printf 'docker: Error response from daemon: fake docker: bwrap could not set up the container (exit %s; its message is above).\\n' "$status" >&2
        exit 125
      }

      docker_rm() {
        local force=0 arg failed=0
        local -a names=()
        while (($#)); do
          arg=$1
          shift
          case $arg in
            --) names+=("$@"); break ;;
            -f | --force) force=1 ;;
            -*) flag_error rm "unknown flag: $arg (fake docker: only -f is emulated)" ;;
            *) names+=("$arg") ;;
          esac
        done
        if ((!${#names[@]})); then
          printf '"docker rm" requires at least 1 argument.\\nSee '\\''docker rm --help'\\''.\\n' >&2
          exit 1
        fi
        local given name record wrapper bwrap_pid child_pid i
        for given in "${names[@]}"; do
          name=$given
          while [[ $name == /* ]]; do name=${name#/}; done
          while [[ $name == */ ]]; do name=${name%/}; done
          if [[ -z $name ]]; then
            printf 'Container name cannot be empty\\n' >&2
            failed=1
            continue
          fi
          record=$containers/$name
          if ! valid_name "$name" || [[ ! -f $record ]] || ! record_live "$record"; then
            if valid_name "$name" && [[ -f $record ]]; then
              rm -f "$record" # stale: its docker run was killed
            fi
            # docker rm -f reports a missing container without failing; docker rm fails.
            printf 'Error response from daemon: No such container: %s\\n' "$given" >&2
            ((force)) || failed=1
            continue
          fi
          if ((!force)); then
            printf 'Error response from daemon: cannot remove container "/%s": container is running: stop the container before removing or force remove\\n' "$name" >&2
            failed=1
            continue
          fi
          # A docker run that has just taken the name records its container's pid a moment later.
          child_pid=
          for ((i = 0; i < 400; i++)); do
            read -r wrapper bwrap_pid child_pid 2>/dev/null < "$record" || break
            [[ -n $child_pid ]] && break
            alive "$wrapper" || break
            sleep 0.025
          done
          if [[ -n $child_pid ]]; then
            # SIGKILL to the container's init (pid 1 of its pid namespace) kills every process of the
            # namespace; bwrap then ends with 137, and so does docker run.
            kill -KILL "$child_pid" 2>/dev/null
          fi
          for ((i = 0; i < 400; i++)); do
            [[ -e $record ]] || break
            if ! record_live "$record"; then
              rm -f "$record"
              break
            fi
            sleep 0.025
          done
          printf '%s\\n' "$given"
        done
        exit "$failed"
      }

      case ${1-} in
        run) shift; docker_run "$@" ;;
        rm) shift; docker_rm "$@" ;;
        *) printf 'fake docker: unsupported: docker %s\\n' "$*" >&2; exit 1 ;;
      esac
      """;

  private final Path bin;
  private final Path state;

  private FakeDocker(Path bin, Path state) {
    this.bin = bin;
    this.state = state;
  }

  /**
   * Writes an executable {@code docker} into {@code directory} (created if missing), with its state
   * directory beside it, and returns the fake. bwrap must be on this JVM's {@code PATH}: see {@link
   * #assumeUsable()}.
   */
  public static FakeDocker install(Path directory) throws IOException {
    Path bin = Files.createDirectories(directory.toAbsolutePath().normalize());
    Path state = bin.resolve(STATE);
    Files.createDirectories(state.resolve("containers"));
    Path bwrap = onPath("bwrap").orElseThrow(() -> new IllegalStateException(
        "bwrap is not on PATH: FakeDocker.assumeUsable() skips the tests that need it"));
    Path bash = onPath("bash").orElse(Path.of("/bin/bash"));
    if (!bash.toString().matches("[A-Za-z0-9_./+-]+")) {
      // a #! line ends at the first blank and takes no quoting
      throw new IllegalStateException("bash's path cannot be written in a #! line: " + bash);
    }
    String script = SCRIPT
        .replace("@BASH@", bash.toString())
        .replace("@STATE@", shellQuoted(state.toString()))
        .replace("@BWRAP@", shellQuoted(bwrap.toString()));
    Path docker = bin.resolve("docker");
    Files.writeString(docker, script, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(docker, PosixFilePermissions.fromString("rwxr-xr-x"));
    return new FakeDocker(bin, state);
  }

  /** The directory holding the fake {@code docker}, to put first on a command line's {@code PATH}. */
  public Path binDirectory() {
    return bin;
  }

  /**
   * The argv of every call so far, in the order the calls wrote them, each starting with {@code
   * docker} (whatever path it was called by). A call still writing its record is left out.
   */
  public List<List<String>> invocations() {
    byte[] log;
    try {
      log = Files.readAllBytes(state.resolve("invocations"));
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // only NUL-terminated fields: bytes after the last NUL are a record being written
    List<String> fields = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < log.length; i++) {
      if (log[i] == 0) {
        fields.add(new String(log, start, i - start, StandardCharsets.UTF_8));
        start = i + 1;
      }
    }
    List<List<String>> calls = new ArrayList<>();
    int at = 0;
    while (at < fields.size()) {
      int count = Integer.parseInt(fields.get(at));
      if (at + 1 + count > fields.size()) {
        break; // the last record is still being written
      }
      calls.add(List.copyOf(fields.subList(at + 1, at + 1 + count)));
      at += 1 + count;
    }
    return List.copyOf(calls);
  }

  /** The names of the containers whose process (the container's init) is alive now, sorted. */
  public Set<String> runningContainers() {
    Set<String> running = new TreeSet<>();
    try (Stream<Path> records = Files.list(state.resolve("containers"))) {
      for (Path record : records.toList()) {
        String[] pids;
        try {
          pids = Files.readString(record, StandardCharsets.UTF_8).strip().split(" ");
        } catch (NoSuchFileException e) {
          continue; // removed since the listing: its container has ended
        }
        // a docker run that has only taken the name has not started its container yet
        if (pids.length == 3 && alive(pids[2])) {
          running.add(record.getFileName().toString());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return running;
  }

  /**
   * Skips the calling test, with the reason, unless bubblewrap can run the fake's containers on
   * this machine. A fake that fails where bwrap works makes the tests fail: they are not skipped.
   */
  public static void assumeUsable() {
    Optional<String> reason = Bwrap.UNUSABLE_BECAUSE;
    assumeTrue(reason.isEmpty(), () -> reason.orElseThrow());
  }

  /** Why bwrap cannot run containers here, found once. */
  private static final class Bwrap {
    static final Optional<String> UNUSABLE_BECAUSE = check();

    private static Optional<String> check() {
      Optional<Path> bwrap = onPath("bwrap");
      if (bwrap.isEmpty()) {
        return Optional.of("bubblewrap (bwrap) is not on PATH: apt-get install bubblewrap");
      }
      // the namespaces and operations the fake's sandbox uses, on a read-only view of this root
      List<String> command = List.of(bwrap.get().toString(), "--ro-bind", "/", "/", "--tmpfs", "/tmp",
          "--perms", "0755", "--dir", "/tmp/fake-docker", "--unshare-pid", "--unshare-net",
          "--unshare-ipc", "--unshare-uts", "--hostname", "fake-docker", "--die-with-parent",
          "--clearenv", "--", "true");
      try {
        Path output = Files.createTempFile("fake-docker-bwrap", ".txt");
        try {
          Process process = new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
          if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return Optional.of("bwrap did not end within 30 s: " + String.join(" ", command));
          }
          if (process.exitValue() != 0) {
            return Optional.of("bwrap does not work on this machine: " + String.join(" ", command)
                + " exits " + process.exitValue() + ": " + Files.readString(output, StandardCharsets.UTF_8).strip());
          }
          return Optional.empty();
        } finally {
          Files.deleteIfExists(output);
        }
      } catch (IOException e) {
        return Optional.of("bwrap could not be run: " + e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.of("interrupted while trying bwrap");
      }
    }
  }

  /** Whether a process is alive: a zombie is not (it has ended; its parent has not reaped it yet). */
  private static boolean alive(String pid) {
    if (!pid.matches("[0-9]{1,10}")) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc", pid, "stat"), StandardCharsets.UTF_8);
      // the state follows the command name, which is in parentheses and may hold anything
      int end = stat.lastIndexOf(") ");
      return end >= 0 && end + 2 < stat.length() && stat.charAt(end + 2) != 'Z';
    } catch (IOException e) {
      return false;
    }
  }

  /** The first executable {@code name} on this JVM's {@code PATH}. */
  private static Optional<Path> onPath(String name) {
    for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!directory.isEmpty()) {
        Path candidate = Path.of(directory, name).toAbsolutePath();
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  /** {@code value} in single quotes for sh, a quote inside as {@code '\''}. */
  private static String shellQuoted(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }
}
