/**
 * The probe: one POSIX sh script, the same text for every host, sent on stdin to `sh -s`.
 * It reads the kernel's own files with shell built-ins and spawns only `df` (twice) and,
 * for a short CPU sample, `sleep` (not with `-c`, the pipeline's counters), plus one `tr`
 * for each process whose `comm` is the first 15 characters of a configured longer name
 * (to read that process's argv[0]). What it costs the host is measured, not guessed: each
 * step was timed in a cpuacct group (docs/benchmarks.md, "What the probe costs the host").
 * Host data arrives only as positional arguments (validated mount paths and process names),
 * never spliced into the text. Output is framed and versioned; every line that carries text a process can choose
 * (its name) starts with a tag, and `df` output is accepted only in df's own column shape,
 * so nothing a host prints can pass as data.
 */
export const PROBE_VERSION = 2;
export const PROBE_BEGIN = `@@FLEETWATCH-PROBE-BEGIN ${PROBE_VERSION}`;
export const PROBE_END = `@@FLEETWATCH-PROBE-END ${PROBE_VERSION}`;

/** Filesystems watched when `mounts: auto`: real local ones only (no pseudo, network or FUSE). */
export const LOCAL_FILESYSTEMS = [
  "ext2", "ext3", "ext4", "xfs", "btrfs", "zfs", "f2fs", "jfs", "reiserfs", "bcachefs",
  "nilfs2", "vfat", "exfat", "ntfs", "ntfs3", "hfsplus", "ufs",
] as const;

/** Where a container sees its own cgroup: the root of the cgroup mount. */
export const CGROUP_ROOT = "/sys/fs/cgroup";

export const PROBE_SCRIPT = `# fleetwatch probe v${PROBE_VERSION}
LC_ALL=C; export LC_ALL
mounts=""; long=""; pause=1; names=1
nl='
'
while [ $# -gt 0 ]; do
  case $1 in
    -m) mounts="$mounts $2"; shift 2 ;;
    -L) long="$long $2"; shift 2 ;;
    -c) pause=""; shift ;;
    -n) names=""; shift ;;
    *) shift ;;
  esac
done
echo "${PROBE_BEGIN}"
if [ ! -r /proc/stat ] || [ ! -r /proc/meminfo ]; then
  echo "error not-linux $(uname -s 2>/dev/null)"
  echo "${PROBE_END}"
  exit 0
fi
read -r v < /proc/sys/kernel/hostname && echo "hostname $v"
read -r v < /proc/sys/kernel/random/boot_id && echo "boot_id $v"
read -r v _ < /proc/uptime && echo "uptime $v"
read -r a b c _ < /proc/loadavg && echo "loadavg $a $b $c"
while read -r k v _; do
  case $k in
    MemTotal:|MemFree:|MemAvailable:|Buffers:|Cached:|SwapTotal:) echo "mem $k $v" ;;
    SwapFree:) echo "mem $k $v"; break ;;
  esac
done < /proc/meminfo
cg=${CGROUP_ROOT}
if [ -r $cg/memory.max ]; then
  read -r v < $cg/memory.max && echo "cgmem 2 limit $v"
  [ -r $cg/memory.current ] && read -r v < $cg/memory.current && echo "cgmem 2 usage $v"
  [ -r $cg/memory.stat ] && while read -r k v; do
    case $k in inactive_file) echo "cgmem 2 inactive_file $v"; break ;; esac
  done < $cg/memory.stat
elif [ -r $cg/memory/memory.limit_in_bytes ]; then
  read -r v < $cg/memory/memory.limit_in_bytes && echo "cgmem 1 limit $v"
  [ -r $cg/memory/memory.usage_in_bytes ] && read -r v < $cg/memory/memory.usage_in_bytes && echo "cgmem 1 usage $v"
  [ -r $cg/memory/memory.stat ] && while read -r k v; do
    case $k in total_inactive_file) echo "cgmem 1 inactive_file $v"; break ;; esac
  done < $cg/memory/memory.stat
fi
sample() {
  read -r t _ < /proc/uptime
  echo "clock $1 $t"
  while read -r l; do
    case $l in cpu*) echo "stat $1 $l" ;; *) break ;; esac
  done < /proc/stat
}
sample 1
if [ -n "$pause" ]; then
  sleep 0.5 2>/dev/null || sleep 1
  sample 2
fi
if [ -z "$mounts" ]; then
  seen=" "
  while read -r dev mp fs _; do
    case $fs in ${LOCAL_FILESYSTEMS.join("|")}) ;; *) continue ;; esac
    case $mp in *\\\\*) continue ;; esac
    case $seen in *" $dev "*) continue ;; esac
    seen="$seen$dev "
    mounts="$mounts $mp"
  done < /proc/mounts
else
  given=$mounts; mounts=""
  for m in $given; do
    if [ -e "$m" ]; then mounts="$mounts $m"; else echo "nomount $m"; fi
  done
fi
if [ -n "$mounts" ]; then
  echo "@dfk"; df -P -k $mounts 2>/dev/null
  echo "@dfi"; df -P -i $mounts 2>/dev/null
  echo "@df-end"
fi
if [ -r /proc/1/comm ]; then echo "procvisible 1"; else echo "procvisible 0"; fi
[ -z "$names" ] && { echo "${PROBE_END}"; exit 0; }
for d in /proc/[1-9]*; do
  read -r c < "$d/comm" || continue
  echo "comm $c"
  case $c in ""|*" "*) continue ;; esac
  case "$long " in *" $c "*) ;; *) continue ;; esac
  a=$(tr '\\000' '\\n' < "$d/cmdline")
  a=\${a%%"$nl"*}; a=\${a%% *}; a=\${a##*/}
  [ -n "$a" ] && echo "argv0 $a"
done 2>/dev/null
echo "${PROBE_END}"
`;

/** Longest name the kernel keeps in `/proc/PID/comm`. */
export const COMM_MAX = 15;

/**
 * How the probe measures CPU. `sample`: two reads of `/proc/stat` half a second apart
 * (`fleetwatch check`, which has no previous check). `counters`: one read, no pause; the
 * pipeline's worker computes the share since the previous check's counters.
 */
export type ProbeCpuMode = "sample" | "counters";

/**
 * Positional arguments for `sh -s --`: configured mounts, and for names longer than the
 * kernel's `comm`, the `comm` such a process has (the name's first 15 characters), so the
 * probe reads argv[0] of those processes only; `-c` for counters without the pause; `-n`
 * when no process is watched (the probe then reads no process names).
 */
export function probeArguments(mounts: "auto" | readonly string[], processes: readonly string[], cpu: ProbeCpuMode = "sample"): string[] {
  const args: string[] = cpu === "counters" ? ["-c"] : [];
  // Reading every process's name costs the host ≈ 14 µs per process: only when names are watched.
  if (processes.length === 0) args.push("-n");
  if (mounts !== "auto") for (const mount of mounts) args.push("-m", mount);
  const prefixes = new Set(processes.filter((name) => name.length > COMM_MAX).map((name) => name.slice(0, COMM_MAX)));
  for (const prefix of prefixes) args.push("-L", prefix);
  return args;
}

/**
 * The exec command line. Arguments were validated to a strict character set
 * (no quotes, spaces, `$` or globs) and are single-quoted as well, which means the same
 * in sh, bash, zsh, fish and ash.
 */
export function probeCommand(args: readonly string[]): string {
  for (const arg of args) {
    if (!/^[A-Za-z0-9._+@/-]+$/.test(arg)) throw new Error(`bug: unvalidated probe argument ${JSON.stringify(arg)}`);
  }
  return ["sh", "-s", "--", ...args.map((arg) => `'${arg}'`)].join(" ");
}
